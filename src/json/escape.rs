//! String escaping: which bytes a JSON string must escape, found a word or a vector at a time,
//! and the escaping itself.

/// Per byte: 0 = copy as is, otherwise the character after the backslash (`u` = `\u00XX`).
/// The byte 0xE2 is flagged `E` to check for U+2028 / U+2029 (E2 80 A8 / E2 80 A9).
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = b'u';
        i += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0A] = b'n';
    table[0x0C] = b'f';
    table[0x0D] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table[0x7F] = b'u';
    table[0xE2] = b'E';
    table
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `s` escaped per RFC 8259 (without quotes); also escapes DEL, U+2028 and U+2029 so
/// the line is safe inside JavaScript.
pub(crate) fn escape_into(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let plain = plain_ascii_prefix(bytes);
    // Most keys and values are plain ASCII: one copy.
    if plain == bytes.len() {
        out.extend_from_slice(bytes);
        return;
    }
    escape_from(out, bytes, plain);
}

/// [`escape_into`] for `bytes` whose first `plain` bytes are plain ASCII.
pub(super) fn escape_from(out: &mut Vec<u8>, bytes: &[u8], plain: usize) {
    let mut start = 0;
    let mut i = plain;
    while let Some(&b) = bytes.get(i) {
        let class = ESCAPE[b as usize];
        if class == 0 {
            i += 1;
            i += plain_ascii_prefix(&bytes[i..]);
            continue;
        }
        if class == b'E' {
            // U+2028 = E2 80 A8, U+2029 = E2 80 A9; any other E2 sequence is copied.
            match bytes.get(i + 1..i + 3) {
                Some([0x80, last @ (0xA8 | 0xA9)]) => {
                    out.extend_from_slice(&bytes[start..i]);
                    out.extend_from_slice(if *last == 0xA8 {
                        b"\\u2028"
                    } else {
                        b"\\u2029"
                    });
                    i += 3;
                    start = i;
                }
                _ => i += 1,
            }
            i += plain_ascii_prefix(&bytes[i..]);
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        if class == b'u' {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xF) as usize],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', class]);
        }
        i += 1;
        start = i;
        i += plain_ascii_prefix(&bytes[i..]);
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Eight bytes, `0x20` each: a plain byte, to pad a short tail to a word.
const PAD: u64 = 0x2020_2020_2020_2020;

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The high bits of the bytes of `w` equal to `b` (below 0x80), never missing one; exact up
/// to the first flagged byte (borrows move up).
fn bytes_equal(w: u64, b: u8) -> u64 {
    let x = w ^ (LO * u64::from(b));
    x.wrapping_sub(LO) & !w & HI
}

/// The bits (the high bit of each byte) flagging the bytes of `w` that are not printable
/// ASCII other than `"` and `\\`. Exact up to the first flagged byte; bytes after it may be
/// flagged wrongly (borrows and carries move up).
///
/// Per byte `b`, with no borrow or carry coming from below: `b - 0x20` sets the high bit for
/// `b < 0x20` (or `b >= 0xA0`); `(b ^ c) - 1` for `b == c` (or `b ^ c >= 0x81`, which needs
/// `b >= 0x80` since `c < 0x80`); `b + 1` for `0x7F..=0xFE`; `b` itself for `0x80..`. Every
/// other case has `b >= 0x80`, which is special anyway.
fn special_bytes(w: u64) -> u64 {
    (w.wrapping_sub(LO * 0x20)
        | (w ^ (LO * u64::from(b'"'))).wrapping_sub(LO)
        | (w ^ (LO * u64::from(b'\\'))).wrapping_sub(LO)
        | w.wrapping_add(LO)
        | w)
        & HI
}

/// The bytes of `tail` (shorter than eight) as a little-endian word, padded with [`PAD`]
/// bytes, read in at most two overlapping loads.
fn short_word(tail: &[u8]) -> u64 {
    let n = tail.len();
    let word = match n {
        4..8 => {
            let (Some(first), Some(last)) = (tail.first_chunk::<4>(), tail.last_chunk::<4>())
            else {
                return PAD;
            };
            // The overlapping bytes land on the same positions: OR keeps them.
            u64::from(u32::from_le_bytes(*first))
                | u64::from(u32::from_le_bytes(*last)) << ((n - 4) * 8)
        }
        2..4 => {
            let (Some(first), Some(last)) = (tail.first_chunk::<2>(), tail.last_chunk::<2>())
            else {
                return PAD;
            };
            u64::from(u16::from_le_bytes(*first))
                | u64::from(u16::from_le_bytes(*last)) << ((n - 2) * 8)
        }
        1 => u64::from(tail[0]),
        _ => return PAD,
    };
    word | PAD << (n * 8)
}

/// [`scan_plain`] eight bytes at a time, for values shorter than sixteen bytes.
#[inline(always)]
fn scan_words(bytes: &[u8], colons: bool) -> (usize, bool) {
    let mut colon = 0;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let w = u64::from_le_bytes(*chunk);
        if colons {
            colon |= bytes_equal(w, b':');
        }
        let special = special_bytes(w);
        if special != 0 {
            return (i + (special.trailing_zeros() / 8) as usize, colon != 0);
        }
        i += 8;
    }
    let rest = bytes.len() - i;
    if rest == 0 {
        return (i, colon != 0);
    }
    let (w, shift) = match bytes.last_chunk::<8>() {
        // The last eight bytes, overlapping the plain bytes already seen (which raise no
        // flag, so the first flag is exact): only the flags of the `rest` new bytes count.
        Some(last) => (u64::from_le_bytes(*last), (8 - rest) * 8),
        None => (short_word(bytes), 0),
    };
    if colons {
        colon |= bytes_equal(w, b':');
    }
    let special = special_bytes(w) >> shift;
    if special != 0 {
        return (i + (special.trailing_zeros() / 8) as usize, colon != 0);
    }
    (bytes.len(), colon != 0)
}

/// Per byte of `chunk`, `0xFF` if it is not printable ASCII or is `"` or `\\` (it must be
/// escaped, or checked for U+2028/U+2029), else 0; and whether `chunk` holds a `:`. Each byte
/// is tested alone, so the flags are exact, and the compiler turns the loop into vector
/// compares.
#[inline(always)]
fn chunk_flags(chunk: &[u8; 16]) -> (u128, bool) {
    let mut special = [0u8; 16];
    let mut colon = false;
    for (s, &b) in special.iter_mut().zip(chunk) {
        *s = u8::from((b.wrapping_sub(0x20) >= 0x5F) | (b == b'"') | (b == b'\\')).wrapping_neg();
        colon |= b == b':';
    }
    (u128::from_le_bytes(special), colon)
}

/// The index of the first flagged byte of nonzero `flags` (see [`chunk_flags`]).
fn first_flagged(flags: u128) -> usize {
    (flags.trailing_zeros() / 8) as usize
}

/// The length of the leading run of printable ASCII other than `"` and `\\` (the bytes that
/// are copied as they are); with `colons`, also whether that run may hold a `:` (`false` is
/// exact: there is none). Sixteen bytes at a time in vector compares, or, below sixteen bytes
/// (where building the flags costs more than it saves), eight at a time in a word.
#[inline(always)]
pub(super) fn scan_plain(bytes: &[u8], colons: bool) -> (usize, bool) {
    let n = bytes.len();
    if n < 16 {
        return scan_words(bytes, colons);
    }
    let mut colon = false;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..).and_then(<[u8]>::first_chunk::<16>) {
        let (special, c) = chunk_flags(chunk);
        if colons {
            colon |= c;
        }
        if special != 0 {
            return (i + first_flagged(special), colon);
        }
        i += 16;
    }
    let rest = n - i;
    // The last sixteen bytes, overlapping the plain bytes already seen: only the flags of the
    // `rest` new bytes count.
    let Some(last) = bytes.last_chunk::<16>().filter(|_| rest > 0) else {
        return (n, colon);
    };
    let (special, c) = chunk_flags(last);
    if colons {
        colon |= c;
    }
    let special = special >> ((16 - rest) * 8);
    if special != 0 {
        return (i + first_flagged(special), colon);
    }
    (n, colon)
}

/// The length of the leading run of printable ASCII other than `"` and `\\`.
fn plain_ascii_prefix(bytes: &[u8]) -> usize {
    scan_plain(bytes, false).0
}

/// Whether `s` is written as is inside a JSON string.
pub(crate) fn needs_no_escape(s: &str) -> bool {
    let bytes = s.as_bytes();
    let prefix = plain_ascii_prefix(bytes);
    bytes[prefix..].iter().all(|&b| ESCAPE[usize::from(b)] == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str) -> String {
        let mut out = Vec::new();
        escape_into(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_quotes_controls_and_line_separators() {
        assert_eq!(escaped("plain"), "plain");
        assert_eq!(escaped("a\"b\\c"), r#"a\"b\\c"#);
        assert_eq!(escaped("\n\r\t\u{8}\u{c}"), r"\n\r\t\b\f");
        assert_eq!(escaped("\u{0}\u{1f}\u{7f}"), r"\u0000\u001f\u007f");
        assert_eq!(escaped("x\u{2028}y\u{2029}z"), r"x\u2028y\u2029z");
        // Other characters starting with E2 are copied as is.
        assert_eq!(escaped("€ – ✓"), "€ – ✓");
        assert_eq!(escaped("𝄞 é"), "𝄞 é");
    }

    /// The escaping rules, one char at a time.
    fn reference(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '"' => "\\\"".to_owned(),
                '\\' => "\\\\".to_owned(),
                '\n' => "\\n".to_owned(),
                '\r' => "\\r".to_owned(),
                '\t' => "\\t".to_owned(),
                '\u{8}' => "\\b".to_owned(),
                '\u{c}' => "\\f".to_owned(),
                c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{2028}' || c == '\u{2029}' => {
                    format!("\\u{:04x}", c as u32)
                }
                c => c.to_string(),
            })
            .collect()
    }

    #[test]
    fn word_at_a_time_scan_finds_specials_at_every_position() {
        for special in [
            "\"", "\\", "\n", "\u{1}", "\u{7f}", "é", "\u{2028}", "€", "~", " ",
        ] {
            for before in 0..20 {
                for after in [0, 1, 7, 8, 9, 17] {
                    let s = format!("{}{special}{}", "a".repeat(before), "b".repeat(after));
                    assert_eq!(escaped(&s), reference(&s), "{s:?}");
                    let twice = format!("{s}{special}{s}");
                    assert_eq!(escaped(&twice), reference(&twice), "{twice:?}");
                }
            }
        }
    }

    #[test]
    fn every_byte_at_every_position_of_a_word() {
        for b in 0..=255u8 {
            let special = !(0x20..0x7F).contains(&b) || b == b'"' || b == b'\\';
            for at in 0..8 {
                let mut word = *b"abcdefgh";
                word[at] = b;
                let flags = special_bytes(u64::from_le_bytes(word));
                let first = (flags != 0).then(|| flags.trailing_zeros() / 8);
                assert_eq!(first, special.then_some(at as u32), "{b:#x} at {at}");
                let colon = bytes_equal(u64::from_le_bytes(word), b':') != 0;
                assert_eq!(colon, b == b':', "{b:#x} at {at}");
                for len in at + 1..8 {
                    let prefix = plain_ascii_prefix(&word[..len]);
                    assert_eq!(
                        prefix,
                        if special { at } else { len },
                        "{b:#x} at {at}/{len}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_byte_at_every_position_of_a_chunk() {
        let base = *b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";
        for b in 0..=255u8 {
            let special = !(0x20..0x7F).contains(&b) || b == b'"' || b == b'\\';
            for at in 0..base.len() {
                let mut bytes = base;
                bytes[at] = b;
                for len in at + 1..=base.len() {
                    let (prefix, colon) = scan_plain(&bytes[..len], true);
                    assert_eq!(
                        prefix,
                        if special { at } else { len },
                        "{b:#x} at {at}/{len}"
                    );
                    // A colon in the plain run is always reported.
                    if b == b':' {
                        assert!(colon, "{b:#x} at {at}/{len}");
                    }
                    if !special && b != b':' {
                        assert!(!colon, "{b:#x} at {at}/{len}");
                    }
                }
            }
        }
    }
}
