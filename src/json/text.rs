//! String values: quoted, escaped, URL passwords masked, cut at the cap with a marker; and the
//! writers that bound a `Display`/`Debug` value while it is formatted.

use std::fmt;

use super::escape::{escape_from, scan_plain};
use super::number::u64_value;
use crate::redact::Redactor;

/// The largest char boundary of UTF-8 `s` at or below `index`.
fn floor_char_boundary(s: &[u8], index: usize) -> usize {
    if index >= s.len() {
        return s.len();
    }
    let mut i = index;
    // A continuation byte is 0b10xx_xxxx.
    while i > 0 && s[i] & 0xC0 == 0x80 {
        i -= 1;
    }
    i
}

/// Appends `s` as a quoted JSON string, masked by `redactor`, cut after `max` bytes with a
/// marker naming `total_len` (the length of the value before any cut).
#[inline(always)]
pub(crate) fn string_value(
    out: &mut Vec<u8>,
    s: &str,
    max: usize,
    total_len: usize,
    redactor: &Redactor,
) {
    let bytes = s.as_bytes();
    // Usually nothing to cut: the masked pieces (one, when there is no secret) are escaped
    // into the line as they come.
    if bytes.len() <= max && total_len <= max {
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        redactor.for_each_piece(bytes, |piece| escape_piece(out, piece));
        out.push(b'"');
        return;
    }
    cut_string_value(out, s, max, total_len, redactor);
}

/// Escapes `piece` (valid UTF-8) into `out`.
#[inline(always)]
fn escape_piece(out: &mut Vec<u8>, piece: &[u8]) {
    let (plain, _) = scan_plain(piece, false);
    if plain == piece.len() {
        out.extend_from_slice(piece);
    } else {
        escape_from(out, piece, plain);
    }
}

/// [`string_value`] for a value that must be cut: masked first, then cut after `max` bytes
/// of masked text.
#[cold]
#[inline(never)]
fn cut_string_value(out: &mut Vec<u8>, s: &str, max: usize, total_len: usize, redactor: &Redactor) {
    out.push(b'"');
    let mut budget = max;
    let mut cut = total_len > max;
    redactor.for_each_piece(s.as_bytes(), |piece| {
        if budget == 0 {
            cut |= !piece.is_empty();
            return;
        }
        let end = floor_char_boundary(piece, budget);
        cut |= end < piece.len();
        escape_piece(out, &piece[..end]);
        budget -= end;
    });
    if cut {
        truncation_marker(out, total_len);
    }
    out.push(b'"');
}

/// The marker written after a cut value: `…[truncated, N bytes]`.
fn truncation_marker(out: &mut Vec<u8>, total_len: usize) {
    out.extend_from_slice("…[truncated, ".as_bytes());
    u64_value(out, total_len as u64);
    out.extend_from_slice(b" bytes]");
}

/// A `fmt::Write` into a `String` that keeps at most `keep` bytes (cut on a char boundary)
/// and counts the full length: `Display`/`Debug` output of any size costs bounded memory.
pub(crate) struct CappedText<'a> {
    pub(crate) text: &'a mut String,
    pub(crate) keep: usize,
    pub(crate) total: usize,
}

impl fmt::Write for CappedText<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.total += s.len();
        let room = self.keep.saturating_sub(self.text.len());
        if room > 0 {
            self.text
                .push_str(&s[..floor_char_boundary(s.as_bytes(), room)]);
        }
        Ok(())
    }
}

/// A `fmt::Write` writing a `Display`/`Debug` value straight into the line, after its opening
/// quote, while every piece is plain ASCII without `:` and the value stays within `max` bytes:
/// then the line holds exactly what [`string_value`] would write for it, without a copy
/// through the scratch text. At the first other piece it moves what it wrote (plain, so the
/// same bytes as the text) to the [`CappedText`] and goes on as one, for [`string_value`] to
/// escape, mask or cut at the end.
pub(crate) struct StreamedText<'a> {
    pub(crate) out: &'a mut Vec<u8>,
    /// Where the value's opening quote is in `out`.
    pub(crate) start: usize,
    pub(crate) max: usize,
    /// Collects the value once streaming stopped; its `total` counts every byte either way.
    pub(crate) capped: CappedText<'a>,
    /// Whether the value is still being written straight into `out`.
    pub(crate) streaming: bool,
}

impl StreamedText<'_> {
    /// Ends the value: closes the string written straight into the line when it holds no
    /// secret; else rewrites it (or writes the collected text) escaped, masked and cut.
    pub(crate) fn finish(mut self, redactor: &Redactor) {
        if self.streaming {
            if !redactor.has_secret(&self.out[self.start + 1..]) {
                self.out.push(b'"');
                return;
            }
            self.stop_streaming();
        }
        let total = self.capped.total;
        string_value(self.out, self.capped.text, self.max, total, redactor);
    }

    /// Moves what was streamed into the capped text and removes it, with its opening quote,
    /// from the line.
    #[cold]
    #[inline(never)]
    fn stop_streaming(&mut self) {
        self.streaming = false;
        let written = self.out.get(self.start + 1..).unwrap_or_default();
        // Plain ASCII, so valid UTF-8; total <= max <= keep, so kept whole.
        self.capped.text.push_str(&String::from_utf8_lossy(written));
        self.out.truncate(self.start);
    }
}

impl fmt::Write for StreamedText<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.streaming {
            let total = self.capped.total.saturating_add(s.len());
            if total <= self.max {
                let (plain, _) = scan_plain(s.as_bytes(), false);
                if plain == s.len() {
                    self.out.extend_from_slice(s.as_bytes());
                    self.capped.total = total;
                    return Ok(());
                }
            }
            self.stop_streaming();
        }
        self.capped.write_str(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `pieces` as one value through [`StreamedText`], as `FieldVisitor` does.
    fn streamed(pieces: &[&str], max: usize) -> String {
        use fmt::Write as _;
        let mut out = b"{".to_vec();
        let mut text = String::new();
        let mut w = StreamedText {
            start: out.len(),
            out: &mut out,
            max,
            capped: CappedText {
                text: &mut text,
                keep: max + 1024,
                total: 0,
            },
            streaming: true,
        };
        w.out.push(b'"');
        for piece in pieces {
            w.write_str(piece).unwrap();
        }
        w.finish(&Redactor::default());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn streamed_text_writes_what_the_buffered_path_writes() {
        let values = [
            "request completed",
            "a plain value that is longer than sixteen bytes",
            "tab\there \"quoted\" é ✓ \u{2028}",
            "https://user:secret@example.com/path",
            "key: value",
            "x".repeat(40).leak(),
            "",
        ];
        for value in values {
            for max in [0, 5, 16, 39, 40, 1000] {
                let mut buffered = b"{".to_vec();
                string_value(&mut buffered, value, max, value.len(), &Redactor::default());
                let buffered = String::from_utf8(buffered).unwrap();
                assert_eq!(streamed(&[value], max), buffered, "{value:?} {max}");
                // Split in two and in three pieces at every char boundary.
                for (i, _) in value.char_indices() {
                    let (a, b) = value.split_at(i);
                    assert_eq!(streamed(&[a, b], max), buffered, "{a:?} {b:?} {max}");
                    for (j, _) in b.char_indices() {
                        let (b, c) = b.split_at(j);
                        assert_eq!(streamed(&[a, b, c], max), buffered, "{a:?} {b:?} {c:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn strings_are_cut_on_char_boundaries_with_a_marker() {
        let mut out = Vec::new();
        string_value(&mut out, "ééé", 3, 6, &Redactor::default());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"é…[truncated, 6 bytes]\""
        );
        let mut out = Vec::new();
        string_value(&mut out, "see a://u:pw@h/x", 100, 16, &Redactor::default());
        assert_eq!(String::from_utf8(out).unwrap(), "\"see a://u:***@h/x\"");
        let mut out = Vec::new();
        string_value(&mut out, "a://u:pw@h/xyz", 10, 14, &Redactor::default());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a://u:***@…[truncated, 14 bytes]\""
        );
    }

    #[test]
    fn url_passwords_are_masked_wherever_the_colon_falls() {
        let value = |s: &str| {
            let mut out = Vec::new();
            string_value(&mut out, s, 1000, s.len(), &Redactor::default());
            String::from_utf8(out).unwrap()
        };
        for before in 0..20 {
            let pad = "x".repeat(before);
            for (raw, written) in [
                (
                    format!("{pad} a://u:pw@h"),
                    format!("\"{pad} a://u:***@h\""),
                ),
                (
                    format!("{pad}é a://u:pw@h"),
                    format!("\"{pad}é a://u:***@h\""),
                ),
                (format!("{pad}\"a:b"), format!("\"{pad}\\\"a:b\"")),
                (format!("{pad}:"), format!("\"{pad}:\"")),
            ] {
                assert_eq!(value(&raw), written, "{raw:?}");
            }
        }
    }
}
