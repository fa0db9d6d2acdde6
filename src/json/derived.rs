//! The keys a [`LogProfile`] derives from other fields: its trace link, from a span's
//! `trace_id`, `span_id` and `trace_flags` (once, when the span's fields are rendered), and the
//! access line's platform object, from the access record's fields.

use super::config::Config;
use super::entries::Fields;
use super::key_cache::KeyDecision;
use super::number;
use super::profile::LogProfile;

/// The span fields holding the request's trace context (see
/// [`trace_context`](crate::trace_context)).
const TRACE_ID: &str = "trace_id";
const SPAN_ID: &str = "span_id";
const TRACE_FLAGS: &str = "trace_flags";

/// The access record's fields the platform objects are made of (see
/// [`access_log`](crate::access_log)).
const METHOD: &str = "http.request.method";
const PATH: &str = "url.path";
const STATUS: &str = "http.response.status_code";
const SIZE: &str = "http.response.body.size";
const LATENCY_MS: &str = "latency_ms";

/// Whether a span's string field `name` may carry a trace link under `profile`: a cheap test
/// before [`trace_keys`].
pub(super) fn is_trace_field(profile: LogProfile, name: &str) -> bool {
    profile != LogProfile::Default && matches!(name, TRACE_ID | SPAN_ID | TRACE_FLAGS)
}

/// Appends the entries the profile of `config` derives from the span field `name` = `value`
/// (nothing when the value is not the lowercase hex of its kind: a user's own `trace_id` of
/// another shape is left alone).
pub(super) fn trace_keys(out: &mut Fields, config: &Config, name: &str, value: &str) {
    let bytes = value.as_bytes();
    let profile = config.layout.profile;
    match name {
        TRACE_ID if is_hex(bytes, 32) => match profile {
            LogProfile::Gcp => {
                if begin(out, "logging.googleapis.com/trace") {
                    out.buf.push(b'"');
                    out.buf.extend_from_slice(&config.gcp_trace_prefix);
                    out.buf.extend_from_slice(bytes);
                    out.buf.push(b'"');
                }
            }
            LogProfile::Datadog => decimal(out, "dd.trace_id", &bytes[16..]),
            LogProfile::Ecs => string(out, "trace.id", bytes),
            LogProfile::Aws => {
                if begin(out, "xray_trace_id") {
                    out.buf.extend_from_slice(b"\"1-");
                    out.buf.extend_from_slice(&bytes[..8]);
                    out.buf.push(b'-');
                    out.buf.extend_from_slice(&bytes[8..]);
                    out.buf.push(b'"');
                }
            }
            LogProfile::Azure => string(out, "operation_Id", bytes),
            LogProfile::Default => {}
        },
        SPAN_ID if is_hex(bytes, 16) => match profile {
            LogProfile::Gcp => string(out, "logging.googleapis.com/spanId", bytes),
            LogProfile::Datadog => decimal(out, "dd.span_id", bytes),
            LogProfile::Ecs => string(out, "span.id", bytes),
            LogProfile::Azure => string(out, "operation_ParentId", bytes),
            LogProfile::Aws | LogProfile::Default => {}
        },
        TRACE_FLAGS
            if is_hex(bytes, 2)
                && profile == LogProfile::Gcp
                && begin(out, "logging.googleapis.com/trace_sampled") =>
        {
            let sampled = hex_u64(bytes).is_some_and(|flags| flags & 1 == 1);
            number::bool_value(&mut out.buf, sampled);
        }
        _ => {}
    }
}

/// Writes the entry start of the profile key `key` (plain, never renamed); `false` if the key
/// is already present.
fn begin(out: &mut Fields, key: &str) -> bool {
    let mut decision = KeyDecision {
        plain: true,
        ..KeyDecision::default()
    };
    out.begin_entry(&mut decision, key)
}

/// The entry `key` with the string `value` (hex: nothing to escape).
fn string(out: &mut Fields, key: &str, value: &[u8]) {
    if begin(out, key) {
        out.buf.push(b'"');
        out.buf.extend_from_slice(value);
        out.buf.push(b'"');
    }
}

/// The entry `key` with the hex `value` in decimal, as a string.
fn decimal(out: &mut Fields, key: &str, value: &[u8]) {
    if let Some(n) = hex_u64(value)
        && begin(out, key)
    {
        out.buf.push(b'"');
        number::u64_value(&mut out.buf, n);
        out.buf.push(b'"');
    }
}

/// Whether `bytes` is `len` lowercase hex digits.
fn is_hex(bytes: &[u8], len: usize) -> bool {
    bytes.len() == len && bytes.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The value of at most 16 lowercase hex digits.
fn hex_u64(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 16 {
        return None;
    }
    bytes.iter().try_fold(0u64, |n, &b| {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => return None,
        };
        Some(n << 4 | u64::from(digit))
    })
}

/// The access record's values a profile's platform object needs, kept while the event's
/// fields are written; reused from line to line.
#[derive(Debug, Default)]
pub(super) struct AccessCapture {
    /// The method and the path, each a JSON string as the line has it (masked, escaped).
    method: Vec<u8>,
    path: Vec<u8>,
    status: Option<u64>,
    size: Option<u64>,
    latency_ms: Option<f64>,
}

impl AccessCapture {
    /// Forgets the last record.
    pub(super) fn clear(&mut self) {
        self.method.clear();
        self.path.clear();
        self.status = None;
        self.size = None;
        self.latency_ms = None;
    }

    /// Keeps the string field `name` if the platform object needs it: `written`, the JSON
    /// string the line has for it (masked and escaped already).
    pub(super) fn str(&mut self, name: &str, written: &[u8]) {
        let to = match name {
            METHOD => &mut self.method,
            PATH => &mut self.path,
            _ => return,
        };
        to.clear();
        to.extend_from_slice(written);
    }

    /// Keeps the integer field `name` if the platform object needs it.
    pub(super) fn u64(&mut self, name: &str, value: u64) {
        match name {
            STATUS => self.status = Some(value),
            SIZE => self.size = Some(value),
            _ => {}
        }
    }

    /// Keeps the float field `name` if the platform object needs it.
    pub(super) fn f64(&mut self, name: &str, value: f64) {
        if name == LATENCY_MS {
            self.latency_ms = Some(value);
        }
    }

    /// The latency in whole microseconds (the access record's `latency_ms` has no finer
    /// resolution).
    fn latency_micros(&self) -> Option<u64> {
        let ms = self.latency_ms?;
        (ms.is_finite() && ms >= 0.0).then(|| (ms * 1000.0).round() as u64)
    }

    /// Appends the platform object of `profile`: Cloud Logging's `httpRequest`, ECS's
    /// `event.duration`.
    pub(super) fn write(&self, out: &mut Fields, profile: LogProfile) {
        match profile {
            LogProfile::Gcp => self.http_request(out),
            LogProfile::Ecs => {
                if let Some(micros) = self.latency_micros()
                    && begin(out, "event.duration")
                {
                    number::u64_value(&mut out.buf, micros.saturating_mul(1000));
                }
            }
            _ => {}
        }
    }

    /// `"httpRequest":{"requestMethod":…,"requestUrl":…,"status":…,"responseSize":"…",
    /// "latency":"0.012345s"}`, each member when known (sizes are int64, strings in the
    /// LogEntry's JSON form; the latency is a protobuf Duration).
    fn http_request(&self, out: &mut Fields) {
        if !begin(out, "httpRequest") {
            return;
        }
        let buf = &mut out.buf;
        buf.push(b'{');
        let mut first = true;
        let mut member = |buf: &mut Vec<u8>, key: &[u8]| {
            if !std::mem::take(&mut first) {
                buf.push(b',');
            }
            buf.extend_from_slice(key);
        };
        if !self.method.is_empty() {
            member(buf, b"\"requestMethod\":");
            buf.extend_from_slice(&self.method);
        }
        if !self.path.is_empty() {
            member(buf, b"\"requestUrl\":");
            buf.extend_from_slice(&self.path);
        }
        if let Some(status) = self.status {
            member(buf, b"\"status\":");
            number::u64_value(buf, status);
        }
        if let Some(size) = self.size {
            member(buf, b"\"responseSize\":\"");
            number::u64_value(buf, size);
            buf.push(b'"');
        }
        if let Some(micros) = self.latency_micros() {
            member(buf, b"\"latency\":\"");
            number::u64_value(buf, micros / 1_000_000);
            let fraction = micros % 1_000_000;
            let mut digits = [b'.', b'0', b'0', b'0', b'0', b'0', b'0', b's', b'"'];
            let mut rest = fraction;
            for digit in digits[1..7].iter_mut().rev() {
                *digit = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
            buf.extend_from_slice(&digits);
        }
        buf.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::config::test_config;
    use crate::json::profile::Layout;

    fn derived(profile: LogProfile, fields: &[(&str, &str)]) -> String {
        let mut config = test_config();
        config.layout = Layout::of(profile);
        config.gcp_trace_prefix = b"projects/p-1/traces/".to_vec().into();
        let mut out = Fields::default();
        for (name, value) in fields {
            trace_keys(&mut out, &config, name, value);
        }
        String::from_utf8(out.buf).expect("utf-8")
    }

    const TRACE: (&str, &str) = ("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
    const SPAN: (&str, &str) = ("span_id", "00f067aa0ba902b7");
    const FLAGS: (&str, &str) = ("trace_flags", "01");

    #[test]
    fn each_profile_derives_its_trace_link() {
        let all = [TRACE, SPAN, FLAGS];
        assert_eq!(derived(LogProfile::Default, &all), "");
        assert_eq!(
            derived(LogProfile::Gcp, &all),
            r#","logging.googleapis.com/trace":"projects/p-1/traces/4bf92f3577b34da6a3ce929d0e0e4736","logging.googleapis.com/spanId":"00f067aa0ba902b7","logging.googleapis.com/trace_sampled":true"#
        );
        // The low 64 bits: 0xa3ce929d0e0e4736 and 0x00f067aa0ba902b7.
        assert_eq!(
            derived(LogProfile::Datadog, &all),
            r#","dd.trace_id":"11803532876627986230","dd.span_id":"67667974448284343""#
        );
        assert_eq!(
            derived(LogProfile::Ecs, &all),
            r#","trace.id":"4bf92f3577b34da6a3ce929d0e0e4736","span.id":"00f067aa0ba902b7""#
        );
        assert_eq!(
            derived(LogProfile::Aws, &all),
            r#","xray_trace_id":"1-4bf92f35-77b34da6a3ce929d0e0e4736""#
        );
        assert_eq!(
            derived(LogProfile::Azure, &all),
            r#","operation_Id":"4bf92f3577b34da6a3ce929d0e0e4736","operation_ParentId":"00f067aa0ba902b7""#
        );
        assert_eq!(
            derived(LogProfile::Gcp, &[("trace_flags", "00")]),
            r#","logging.googleapis.com/trace_sampled":false"#
        );
    }

    #[test]
    fn values_of_another_shape_derive_nothing() {
        for value in [
            "",
            "abc",
            "4BF92F3577B34DA6A3CE929D0E0E4736",
            "+bf92f3577b34da6",
        ] {
            for name in ["trace_id", "span_id", "trace_flags"] {
                assert_eq!(derived(LogProfile::Datadog, &[(name, value)]), "");
                assert_eq!(derived(LogProfile::Gcp, &[(name, value)]), "");
            }
        }
    }

    #[test]
    fn the_access_objects_take_what_the_record_has() {
        let mut capture = AccessCapture::default();
        capture.str(METHOD, br#""GET""#);
        capture.str(PATH, br#""/docs/\"7\"""#);
        capture.u64(STATUS, 201);
        capture.u64(SIZE, 8);
        capture.f64(LATENCY_MS, 1015.657);
        let mut out = Fields::default();
        capture.write(&mut out, LogProfile::Gcp);
        capture.write(&mut out, LogProfile::Ecs);
        assert_eq!(
            String::from_utf8_lossy(&out.buf),
            r#","httpRequest":{"requestMethod":"GET","requestUrl":"/docs/\"7\"","status":201,"responseSize":"8","latency":"1.015657s"},"event.duration":1015657000"#
        );
        capture.clear();
        capture.f64(LATENCY_MS, 0.021);
        let mut out = Fields::default();
        capture.write(&mut out, LogProfile::Gcp);
        assert_eq!(
            String::from_utf8_lossy(&out.buf),
            r#","httpRequest":{"latency":"0.000021s"}"#
        );
    }
}
