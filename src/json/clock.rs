//! The timestamp: RFC 3339, UTC, microseconds, its date-time prefix kept per second.

use std::time::{SystemTime, UNIX_EPOCH};

use super::number::DIGIT_PAIRS;

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
