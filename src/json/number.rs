//! Numbers and booleans: integers of every width in decimal, floats in their shortest
//! round-tripping form.

/// The two-digit decimal strings `00` to `99`, concatenated.
pub(super) static DIGIT_PAIRS: [u8; 200] = {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
