//! Value encoding: string escaping, numbers, the timestamp. Everything writes into a `Vec<u8>`
//! and allocates only when the vector must grow.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::redact;

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
fn escape_from(out: &mut Vec<u8>, bytes: &[u8], plain: usize) {
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
fn scan_plain(bytes: &[u8], colons: bool) -> (usize, bool) {
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

/// The largest char boundary of `s` at or below `index`.
fn floor_char_boundary(s: &str, index: usize) -> usize {
    if index >= s.len() {
        return s.len();
    }
    let mut i = index;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Appends `s` as a quoted JSON string, with URL passwords masked, cut after `max` bytes with
/// a marker naming `total_len` (the length of the value before any cut).
#[inline(always)]
pub(crate) fn string_value(out: &mut Vec<u8>, s: &str, max: usize, total_len: usize) {
    let bytes = s.as_bytes();
    // Usually nothing to cut and no `:` (hence no URL credentials): escaping alone.
    if bytes.len() <= max && total_len <= max {
        let (plain, colon) = scan_plain(bytes, true);
        if !colon && (plain == bytes.len() || !memchr_colon(&bytes[plain..])) {
            out.reserve(bytes.len() + 2);
            out.push(b'"');
            if plain == bytes.len() {
                out.extend_from_slice(bytes);
            } else {
                escape_from(out, bytes, plain);
            }
            out.push(b'"');
            return;
        }
    }
    masked_or_cut_string_value(out, s, max, total_len);
}

/// [`string_value`] for a value that may hold URL credentials or must be cut.
#[cold]
#[inline(never)]
fn masked_or_cut_string_value(out: &mut Vec<u8>, s: &str, max: usize, total_len: usize) {
    out.push(b'"');
    let mut budget = max;
    let mut cut = total_len > max;
    if memchr_colon(s.as_bytes()) && redact::has_url_credentials(s) {
        redact::for_each_masked_piece(s, |piece| {
            if budget == 0 {
                cut |= !piece.is_empty();
                return;
            }
            let end = floor_char_boundary(piece, budget);
            cut |= end < piece.len();
            escape_into(out, &piece[..end]);
            budget -= end;
        });
    } else {
        escape_into(out, &s[..floor_char_boundary(s, max)]);
    }
    if cut {
        truncation_marker(out, total_len);
    }
    out.push(b'"');
}

/// Whether `bytes` holds a `:`, the cheap pre-check before looking for URL credentials.
fn memchr_colon(bytes: &[u8]) -> bool {
    bytes.contains(&b':')
}

/// The marker written after a cut value: `…[truncated, N bytes]`.
fn truncation_marker(out: &mut Vec<u8>, total_len: usize) {
    out.extend_from_slice("…[truncated, ".as_bytes());
    u64_value(out, total_len as u64);
    out.extend_from_slice(b" bytes]");
}

/// The two-digit decimal strings `00` to `99`, concatenated.
static DIGIT_PAIRS: [u8; 200] = {
    let mut table = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        table[2 * i] = b'0' + (i / 10) as u8;
        table[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    table
};

/// Appends an unsigned integer in decimal, two digits at a time.
pub(crate) fn u64_value(out: &mut Vec<u8>, v: u64) {
    let mut digits = [b'0'; 20];
    let start = decimal_digits(v, &mut digits);
    out.extend_from_slice(&digits[start..]);
}

/// Writes `v` in decimal at the end of `digits` (the bytes before are left as they are) and
/// returns where it starts.
fn decimal_digits(mut v: u64, digits: &mut [u8; 20]) -> usize {
    let mut i = digits.len();
    while v >= 100 {
        let pair = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if v >= 10 {
        let pair = v as usize * 2;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        digits[i] = b'0' + v as u8;
    }
    i
}

/// Appends an unsigned 128-bit integer in decimal.
pub(crate) fn u128_value(out: &mut Vec<u8>, mut v: u128) {
    if let Ok(small) = u64::try_from(v) {
        return u64_value(out, small);
    }
    let mut digits = [0u8; 40];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Appends a signed integer in decimal.
pub(crate) fn i64_value(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    u64_value(out, v.unsigned_abs());
}

/// Appends a signed 128-bit integer in decimal.
pub(crate) fn i128_value(out: &mut Vec<u8>, v: i128) {
    if v < 0 {
        out.push(b'-');
    }
    u128_value(out, v.unsigned_abs());
}

/// Appends a float: a JSON number, or `"NaN"`, `"inf"`, `"-inf"` as strings.
pub(crate) fn f64_value(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        out.extend_from_slice(b"\"NaN\"");
    } else if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b"\"inf\"" } else { b"\"-inf\"" });
    } else if !short_decimal(out, v) {
        // The shortest round-tripping form, in exponent notation for very large and very small
        // values (`1e+300`, `1.5e-7`): always a valid JSON number.
        out.extend_from_slice(zmij::Buffer::new().format_finite(v).as_bytes());
    }
}

/// Writes a finite `v` that is exactly `m / 10^k` for an integer `m` below 2^53 and `k <= 4`
/// (`12.5`, `0.25`, `42.0`) with the fewest fraction digits, and returns `true`; otherwise
/// writes nothing and returns `false`.
///
/// Exact: `m` and `10^k` are exact doubles and IEEE division rounds correctly, so
/// `m / 10^k == v` means the decimal text parses back to `v` bit for bit.
fn short_decimal(out: &mut Vec<u8>, v: f64) -> bool {
    const POW10: [f64; 5] = [1.0, 10.0, 100.0, 1000.0, 10000.0];
    const MAX_EXACT: i64 = 1 << 53;
    /// Below this, `|v| * 10^4` is within a quarter of the integer it stands for.
    const SMALL: f64 = (1u64 << 50) as f64;
    let a = v.abs();
    // Usually small: one try at the finest scale, then the trailing zeros dropped. If `v` is
    // `m / 10^k` (the fewest digits), then `|v| * 10^4` is `m * 10^(4 - k)` within 2^-52
    // relative, under a quarter here, so it rounds to that integer and passes the check; it
    // has exactly `4 - k` trailing zeros, else a coarser scale would have passed. So this gives
    // the loop's digits, and a failed check means that no scale passes.
    let x = a * 10000.0;
    if x < SMALL {
        let m = (x + 0.5) as i64;
        if m as f64 / 10000.0 != a {
            return false;
        }
        let (mut m, mut k) = (m.unsigned_abs(), 4);
        while k > 0 && m % 10 == 0 {
            m /= 10;
            k -= 1;
        }
        write_decimal(out, v.is_sign_negative(), m, k);
        return true;
    }
    for (k, &scale) in POW10.iter().enumerate() {
        let x = a * scale;
        if x >= MAX_EXACT as f64 {
            return false;
        }
        // Rounded to the nearest integer (a cast truncates); the check below is exact anyway.
        // In `i64` (`0 <= x + 0.5 <= 2^53`): cheaper conversions both ways than `u64`.
        let m = (x + 0.5) as i64;
        if m >= MAX_EXACT {
            return false;
        }
        if m as f64 / scale == a {
            write_decimal(out, v.is_sign_negative(), m.unsigned_abs(), k);
            return true;
        }
    }
    false
}

/// Writes `m / 10^k` (negated if `negative`) with `k` fraction digits, at least one.
fn write_decimal(out: &mut Vec<u8>, negative: bool, m: u64, k: usize) {
    if negative {
        out.push(b'-');
    }
    // The digits of `m` with the point `k` digits from the end, and at least one digit before
    // it: `m / 10^k`, `.`, `m % 10^k` on `k` digits (or `0`).
    let mut digits = [b'0'; 20];
    let point = digits.len() - k;
    let start = decimal_digits(m, &mut digits).min(point - 1);
    out.extend_from_slice(&digits[start..point]);
    out.push(b'.');
    if k == 0 {
        out.push(b'0');
    } else {
        out.extend_from_slice(&digits[point..]);
    }
}

/// Appends `true` or `false`.
pub(crate) fn bool_value(out: &mut Vec<u8>, v: bool) {
    out.extend_from_slice(if v { b"true" } else { b"false" });
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
            self.text.push_str(&s[..floor_char_boundary(s, room)]);
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
                let (plain, colon) = scan_plain(s.as_bytes(), true);
                if plain == s.len() && !colon {
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

/// The civil date of a count of days since 1970-01-01 (proleptic Gregorian), after Howard
/// Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DDTHH:MM:SS` for whole seconds since the Unix epoch.
pub(crate) fn datetime_prefix(secs: u64) -> [u8; 19] {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    let (h, m, s) = (rem / 3600, rem / 60 % 60, rem % 60);
    let year = year.clamp(0, 9999) as u64;
    let two = |v: u64| [b'0' + (v / 10) as u8, b'0' + (v % 10) as u8];
    let [y0, y1] = two(year / 100);
    let [y2, y3] = two(year % 100);
    let [mo0, mo1] = two(u64::from(month));
    let [d0, d1] = two(u64::from(day));
    let [h0, h1] = two(h);
    let [mi0, mi1] = two(m);
    let [s0, s1] = two(s);
    [
        y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T', h0, h1, b':', mi0, mi1, b':', s0, s1,
    ]
}

/// A per-thread cache of the date-time prefix of the current second.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    secs: Option<u64>,
    /// `"YYYY-MM-DDTHH:MM:SS.000000Z"` for `secs`; the micro digits are filled per line.
    stamp: [u8; 29],
}

impl Clock {
    /// Appends the quoted RFC 3339 UTC timestamp with microseconds:
    /// `"2026-11-26T16:23:56.123456Z"`.
    pub(crate) fn timestamp(&mut self, out: &mut Vec<u8>, now: SystemTime) {
        // A clock before 1970 is written as the epoch rather than failing the line.
        let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
        let secs = since.as_secs();
        if self.secs != Some(secs) {
            self.stamp[0] = b'"';
            self.stamp[1..20].copy_from_slice(&datetime_prefix(secs));
            self.stamp[20] = b'.';
            self.stamp[27..].copy_from_slice(b"Z\"");
            self.secs = Some(secs);
        }
        let micros = since.subsec_micros() as usize;
        let (high, low) = (micros / 10_000, micros % 10_000);
        let (mid, low) = (low / 100, low % 100);
        // Copy first, then patch the digits in place (no store to the cache re-read at once).
        let start = out.len();
        out.extend_from_slice(&self.stamp);
        let stamp = &mut out[start..];
        for (at, pair) in [(21, high), (23, mid), (25, low)] {
            stamp[at..at + 2].copy_from_slice(&DIGIT_PAIRS[2 * pair..2 * pair + 2]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

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
        if w.streaming {
            w.out.push(b'"');
        } else {
            let total = w.capped.total;
            string_value(&mut out, &text, max, total);
        }
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
                string_value(&mut buffered, value, max, value.len());
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
    fn integers_at_the_extremes() {
        let render = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut out = Vec::new();
            f(&mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(render(&|o| u64_value(o, 0)), "0");
        assert_eq!(render(&|o| u64_value(o, u64::MAX)), u64::MAX.to_string());
        assert_eq!(render(&|o| i64_value(o, i64::MIN)), i64::MIN.to_string());
        assert_eq!(render(&|o| u128_value(o, u128::MAX)), u128::MAX.to_string());
        assert_eq!(render(&|o| i128_value(o, i128::MIN)), i128::MIN.to_string());
        assert_eq!(render(&|o| i128_value(o, -1)), "-1");
        assert_eq!(render(&|o| f64_value(o, f64::NAN)), "\"NaN\"");
        assert_eq!(render(&|o| f64_value(o, f64::NEG_INFINITY)), "\"-inf\"");
        assert_eq!(render(&|o| f64_value(o, 12.5)), "12.5");
        assert_eq!(render(&|o| f64_value(o, 42.0)), "42.0");
        assert_eq!(render(&|o| f64_value(o, -0.0)), "-0.0");
        assert_eq!(render(&|o| f64_value(o, 0.0625)), "0.0625");
        assert_eq!(render(&|o| f64_value(o, -3.05)), "-3.05");
        assert_eq!(render(&|o| f64_value(o, 0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(render(&|o| f64_value(o, 1e-5)), "0.00001");
        assert_eq!(render(&|o| f64_value(o, 1e16)), "1e+16");
        assert_eq!(render(&|o| f64_value(o, 1e300)), "1e+300");
        assert_eq!(render(&|o| bool_value(o, true)), "true");
    }

    #[test]
    fn strings_are_cut_on_char_boundaries_with_a_marker() {
        let mut out = Vec::new();
        string_value(&mut out, "ééé", 3, 6);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"é…[truncated, 6 bytes]\""
        );
        let mut out = Vec::new();
        string_value(&mut out, "see a://u:pw@h/x", 100, 16);
        assert_eq!(String::from_utf8(out).unwrap(), "\"see a://u:***@h/x\"");
        let mut out = Vec::new();
        string_value(&mut out, "a://u:pw@h/xyz", 10, 14);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a://u:***@…[truncated, 14 bytes]\""
        );
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

    /// The scale-by-scale search [`short_decimal`] shortcuts for small values.
    fn short_decimal_by_scales(v: f64) -> Option<String> {
        let a = v.abs();
        for k in 0..=4 {
            let scale = 10f64.powi(k);
            let x = a * scale;
            if x >= (1u64 << 53) as f64 {
                return None;
            }
            let m = (x + 0.5) as i64;
            if m as f64 / scale == a {
                let mut out = Vec::new();
                write_decimal(&mut out, v.is_sign_negative(), m.unsigned_abs(), k as usize);
                return Some(String::from_utf8(out).unwrap());
            }
        }
        None
    }

    #[test]
    fn short_decimals_match_the_search_scale_by_scale() {
        let check = |v: f64| {
            let mut out = Vec::new();
            let written = short_decimal(&mut out, v).then(|| String::from_utf8(out).unwrap());
            assert_eq!(
                written,
                short_decimal_by_scales(v),
                "{v:e} ({:#x})",
                v.to_bits()
            );
        };
        for v in [
            0.0, -0.0, 0.5, 1e-5, 0.00015, 123.4567, 1e15, 1.5e15, 9.007e15,
        ] {
            check(v);
            check(-v);
        }
        // Decimals of every scale, near the edge of the shortcut and far from it.
        let edge = (1u64 << 50) as f64 / 10000.0;
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let k = (seed % 6) as i32;
            let m = (seed >> 8) % (1 << (seed % 53));
            let v = m as f64 / 10f64.powi(k);
            check(v);
            check(edge + v / 1e6);
            check(edge * (1.0 - 1e-15 * k as f64));
            check(f64::from_bits(seed));
            check(f64::from_bits(seed >> 2));
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

    #[test]
    fn url_passwords_are_masked_wherever_the_colon_falls() {
        let value = |s: &str| {
            let mut out = Vec::new();
            string_value(&mut out, s, 1000, s.len());
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

    #[test]
    fn timestamps_in_rfc3339_utc() {
        let mut clock = Clock::default();
        let stamp = |clock: &mut Clock, secs: u64, micros: u32| {
            let mut out = Vec::new();
            let t = UNIX_EPOCH + Duration::new(secs, micros * 1000 + 999);
            clock.timestamp(&mut out, t);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(stamp(&mut clock, 0, 0), "\"1970-01-01T00:00:00.000000Z\"");
        assert_eq!(
            stamp(&mut clock, 1_795_710_236, 123_456),
            "\"2026-11-26T16:23:56.123456Z\""
        );
        // Leap day and the end of a leap year.
        assert_eq!(
            stamp(&mut clock, 951_782_400, 1),
            "\"2000-02-29T00:00:00.000001Z\""
        );
        assert_eq!(
            stamp(&mut clock, 1_735_689_599, 999_999),
            "\"2024-12-31T23:59:59.999999Z\""
        );
    }

    #[test]
    fn civil_dates_match_a_day_by_day_walk() {
        // Walk 1970..2400 day by day and compare with a naive calendar.
        let mut days = 0i64;
        for year in 1970..2400i64 {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            let lengths = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            for (m, len) in lengths.iter().enumerate() {
                for d in 1..=*len {
                    assert_eq!(civil_from_days(days), (year, m as u32 + 1, d));
                    days += 1;
                }
            }
        }
    }
}
