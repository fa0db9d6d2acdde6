//! The output format.

use super::InitError;

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LogFormat {
    /// One JSON object per line ([`JsonLayer`](crate::json::JsonLayer)); the default.
    #[default]
    Json,
    /// tracing-subscriber's multi-line, human-readable format, for local development, with
    /// the values masked by the same [`Redactor`](crate::redact::Redactor) as the JSON lines.
    Pretty,
}

impl LogFormat {
    /// Parses `json` or `pretty` (ASCII case and surrounding spaces ignored).
    pub(super) fn parse(value: &str, input: &'static str) -> Result<Self, InitError> {
        let trimmed = value.trim();
        if trimmed.eq_ignore_ascii_case("json") {
            Ok(Self::Json)
        } else if trimmed.eq_ignore_ascii_case("pretty") {
            Ok(Self::Pretty)
        } else {
            Err(InitError::UnknownLogFormat {
                input,
                value: value.to_owned(),
            })
        }
    }
}
