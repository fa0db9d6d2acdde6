//! Sentry's headers on an outgoing call: `sentry-trace` and `baggage` for the request's trace.

use std::fmt::Write as _;

use http::{HeaderMap, HeaderValue};
use sentry::Hub;

use crate::trace_context::{BAGGAGE, SENTRY_TRACE, TraceContext};

/// With a Sentry client bound, sets `sentry-trace` (`<trace id>-<span id>-<0|1>`) and
/// `baggage` for `trace`: the baggage that came with the trace, or Sentry's dynamic sampling
/// context (`sentry-trace_id`, `sentry-sampled`, `sentry-public_key`, `sentry-release`,
/// `sentry-environment`). Without a client, does nothing.
pub(crate) fn write_headers(trace: &TraceContext, headers: &mut HeaderMap) {
    let Some(client) = Hub::current().client() else {
        return;
    };
    let sampled = if trace.is_sampled() { "1" } else { "0" };
    let sentry_trace = format!("{}-{}-{sampled}", trace.trace_id(), trace.span_id());
    if let Ok(value) = HeaderValue::try_from(sentry_trace) {
        headers.insert(SENTRY_TRACE, value);
    }
    let baggage = match trace.baggage() {
        Some(baggage) => baggage.clone(),
        None => {
            let options = client.options();
            let mut text = format!(
                "sentry-trace_id={},sentry-sampled={}",
                trace.trace_id(),
                trace.is_sampled()
            );
            if let Some(dsn) = client.dsn() {
                let _ = write!(text, ",sentry-public_key={}", dsn.public_key());
            }
            if let Some(release) = &options.release {
                text.push_str(",sentry-release=");
                encode_into(&mut text, release);
            }
            if let Some(environment) = &options.environment {
                text.push_str(",sentry-environment=");
                encode_into(&mut text, environment);
            }
            match HeaderValue::try_from(text) {
                Ok(value) => value,
                Err(_) => return,
            }
        }
    };
    headers.insert(BAGGAGE, baggage);
}

/// Appends `value` percent-encoded where W3C Baggage does not allow its bytes as they are.
fn encode_into(out: &mut String, value: &str) {
    for byte in value.bytes() {
        match byte {
            0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e => {
                out.push(char::from(byte))
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baggage_values_are_percent_encoded() {
        let mut out = String::new();
        encode_into(&mut out, "app@1.0+abc, \"x\";y");
        assert_eq!(out, "app@1.0+abc%2C%20%22x%22%3By");
    }
}
