//! [`LogProfile`]: which platform's keys the lines use, and each profile's fixed key bytes
//! (the line's opening keys, its level names, the keys it reserves).

use std::fmt;
use std::str::FromStr;

/// Which platform's keys the JSON lines use, so that the log pipeline in front of it (Cloud
/// Logging, Datadog, Elastic, CloudWatch, Azure Monitor) reads the level, the time, the
/// service and the trace link of every line.
///
/// Set with [`JsonLayer::profile`](super::JsonLayer::profile), or by `LOG_PROFILE` through
/// [`init!()`](crate::init!). Everything a profile does not name stays as in
/// [`Default`](LogProfile::Default); `docs/log-profiles.md` in the repository has a sample line
/// per profile and the agent configurations that read them.
///
/// | profile | level | time | trace link | also |
/// |---|---|---|---|---|
/// | `default` | `level` | `timestamp` | `trace_id`, `span_id`, `trace_flags` | |
/// | `gcp` | `severity` (`DEBUG`, `INFO`, `WARNING`, `ERROR`) | `time` | `logging.googleapis.com/trace`, `…/spanId`, `…/trace_sampled` | `httpRequest` on the access line; at ERROR `@type` (Error Reporting's `ReportedErrorEvent`) and `serviceContext` |
/// | `datadog` | `status` (lower case) | `timestamp` | `dd.trace_id`, `dd.span_id` (low 64 bits, decimal) | `dd.service`, `dd.env`, `dd.version` |
/// | `ecs` | `log.level` (lower case) | `@timestamp` | `trace.id`, `span.id` | `log.logger`, `ecs.version`, `service.name`, `service.version`, `service.environment`, `event.duration` (ns) on the access line |
/// | `aws` | `level` | `timestamp` | `xray_trace_id` (`1-<8 hex>-<24 hex>`) | |
/// | `azure` | `level` | `timestamp` | `operation_Id`, `operation_ParentId` | |
///
/// The trace fields of the default profile stay in every profile (OpenTelemetry's names for
/// JSON logs). A user field named like one of a profile's keys is written as
/// `fields.<name>`, so that it never shadows them.
///
/// # Example
///
/// ```
/// use http_observability::json::LogProfile;
///
/// let profile: LogProfile = "gcp".parse()?;
/// assert_eq!(profile, LogProfile::Gcp);
/// assert_eq!(profile.name(), "gcp");
/// let error = "stackdriver".parse::<LogProfile>().unwrap_err();
/// assert!(error.to_string().contains("default, gcp, datadog, ecs, aws, azure"));
/// # Ok::<(), http_observability::json::UnknownLogProfile>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum LogProfile {
    /// Today's keys: `timestamp`, `level`, `target`, `message`, the fields, `service`,
    /// `release`, `environment`.
    #[default]
    Default,
    /// Google Cloud Logging (Cloud Run, GKE, the Ops agent).
    Gcp,
    /// Datadog (the agent's JSON log collection, log-trace correlation).
    Datadog,
    /// Elastic Common Schema (Filebeat, Elastic Agent, Elasticsearch).
    Ecs,
    /// AWS CloudWatch with X-Ray trace correlation.
    Aws,
    /// Azure Monitor (Application Insights' correlation names).
    Azure,
}

impl LogProfile {
    /// Every profile, in the order the error message and the docs list them.
    pub const ALL: [LogProfile; 6] = [
        Self::Default,
        Self::Gcp,
        Self::Datadog,
        Self::Ecs,
        Self::Aws,
        Self::Azure,
    ];

    /// The profile's name, as `LOG_PROFILE` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Gcp => "gcp",
            Self::Datadog => "datadog",
            Self::Ecs => "ecs",
            Self::Aws => "aws",
            Self::Azure => "azure",
        }
    }
}

impl fmt::Display for LogProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for LogProfile {
    type Err = UnknownLogProfile;

    /// Parses a profile's name (ASCII case and surrounding spaces ignored).
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let trimmed = value.trim();
        Self::ALL
            .into_iter()
            .find(|profile| trimmed.eq_ignore_ascii_case(profile.name()))
            .ok_or_else(|| UnknownLogProfile {
                value: value.to_owned(),
            })
    }
}

/// A name that is no [`LogProfile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLogProfile {
    value: String,
}

impl UnknownLogProfile {
    /// The value given.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for UnknownLogProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown log profile `{}`: expected one of ", self.value)?;
        for (i, profile) in LogProfile::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(profile.name())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownLogProfile {}

/// The ECS version the `ecs` profile's lines conform to.
pub(crate) const ECS_VERSION: &str = "8.11.0";

/// The keys every profile reserves: the default line's opening keys.
const BASE_KEYS: [&str; 4] = ["timestamp", "level", "target", "message"];

/// A profile's fixed bytes, chosen once when the profile is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) profile: LogProfile,
    /// The line's start, up to the timestamp: `{"timestamp":`.
    pub(crate) open: &'static [u8],
    /// After the timestamp, per level (TRACE to ERROR), up to the target's opening quote:
    /// `,"level":"INFO","target":"`.
    pub(crate) levels: [&'static [u8]; 5],
    /// The keys no user field may take, beside the static keys.
    pub(crate) reserved: &'static [&'static str],
}

/// The opening bytes and the level bytes (TRACE to ERROR) of `profile`.
const fn pieces(profile: LogProfile) -> (&'static [u8], [&'static [u8]; 5]) {
    match profile {
        // AWS and Azure add keys, they rename none.
        LogProfile::Default | LogProfile::Aws | LogProfile::Azure => (
            b"{\"timestamp\":",
            [
                b",\"level\":\"TRACE\",\"target\":\"",
                b",\"level\":\"DEBUG\",\"target\":\"",
                b",\"level\":\"INFO\",\"target\":\"",
                b",\"level\":\"WARN\",\"target\":\"",
                b",\"level\":\"ERROR\",\"target\":\"",
            ],
        ),
        LogProfile::Gcp => (
            b"{\"time\":",
            [
                b",\"severity\":\"DEBUG\",\"target\":\"",
                b",\"severity\":\"DEBUG\",\"target\":\"",
                b",\"severity\":\"INFO\",\"target\":\"",
                b",\"severity\":\"WARNING\",\"target\":\"",
                b",\"severity\":\"ERROR\",\"target\":\"",
            ],
        ),
        LogProfile::Datadog => (
            b"{\"timestamp\":",
            [
                b",\"status\":\"trace\",\"target\":\"",
                b",\"status\":\"debug\",\"target\":\"",
                b",\"status\":\"info\",\"target\":\"",
                b",\"status\":\"warn\",\"target\":\"",
                b",\"status\":\"error\",\"target\":\"",
            ],
        ),
        LogProfile::Ecs => (
            b"{\"@timestamp\":",
            [
                b",\"log.level\":\"trace\",\"log.logger\":\"",
                b",\"log.level\":\"debug\",\"log.logger\":\"",
                b",\"log.level\":\"info\",\"log.logger\":\"",
                b",\"log.level\":\"warn\",\"log.logger\":\"",
                b",\"log.level\":\"error\",\"log.logger\":\"",
            ],
        ),
    }
}

impl Layout {
    /// The fixed bytes of `profile`.
    pub(crate) const fn of(profile: LogProfile) -> Self {
        let (open, levels) = pieces(profile);
        let reserved: &[&str] = match profile {
            LogProfile::Default => &BASE_KEYS,
            LogProfile::Gcp => &[
                "timestamp",
                "level",
                "target",
                "message",
                "time",
                "severity",
                "httpRequest",
                "serviceContext",
                "@type",
                "logging.googleapis.com/trace",
                "logging.googleapis.com/spanId",
                "logging.googleapis.com/trace_sampled",
            ],
            LogProfile::Datadog => &[
                "timestamp",
                "level",
                "target",
                "message",
                "status",
                "dd.trace_id",
                "dd.span_id",
                "dd.service",
                "dd.env",
                "dd.version",
            ],
            LogProfile::Ecs => &[
                "timestamp",
                "level",
                "target",
                "message",
                "@timestamp",
                "log.level",
                "log.logger",
                "ecs.version",
                "service.name",
                "service.version",
                "service.environment",
                "trace.id",
                "span.id",
                "event.duration",
                // The objects those dotted keys make in Elasticsearch's mapping: a plain
                // value under one of these names would clash with them.
                "log",
                "ecs",
                "service",
                "trace",
                "span",
                "event",
            ],
            LogProfile::Aws => &["timestamp", "level", "target", "message", "xray_trace_id"],
            LogProfile::Azure => &[
                "timestamp",
                "level",
                "target",
                "message",
                "operation_Id",
                "operation_ParentId",
            ],
        };
        Self {
            profile,
            open,
            levels,
            reserved,
        }
    }

    /// Appends the line's start, up to the timestamp.
    #[inline]
    pub(crate) fn push_open(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(self.open);
    }

    /// Appends the bytes after the timestamp for `level`.
    #[inline]
    pub(crate) fn push_level(&self, buf: &mut Vec<u8>, level: &tracing::Level) {
        use tracing::Level;
        let index = match *level {
            Level::TRACE => 0,
            Level::DEBUG => 1,
            Level::INFO => 2,
            Level::WARN => 3,
            Level::ERROR => 4,
        };
        buf.extend_from_slice(self.levels[index]);
    }

    /// Whether a user field called `name` is renamed because of the profile.
    pub(crate) fn reserves(&self, name: &str) -> bool {
        self.reserved.contains(&name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_accepted_ones() {
        for profile in LogProfile::ALL {
            assert_eq!(profile.name().parse::<LogProfile>(), Ok(profile));
            assert_eq!(
                format!(" {} ", profile.name().to_uppercase()).parse(),
                Ok(profile)
            );
        }
        let error = "gce".parse::<LogProfile>().unwrap_err();
        assert_eq!(error.value(), "gce");
        assert_eq!(
            error.to_string(),
            "unknown log profile `gce`: expected one of default, gcp, datadog, ecs, aws, azure"
        );
    }

    #[test]
    fn the_pieces_appended_are_the_table() {
        for profile in LogProfile::ALL {
            let layout = Layout::of(profile);
            let mut buf = b"x".to_vec();
            layout.push_open(&mut buf);
            layout.push_level(&mut buf, &tracing::Level::WARN);
            assert_eq!(
                buf,
                [b"x", layout.open, layout.levels[3]].concat(),
                "{profile}"
            );
        }
    }

    #[test]
    fn every_profile_reserves_its_own_opening_keys() {
        for profile in LogProfile::ALL {
            let layout = Layout::of(profile);
            for key in BASE_KEYS {
                assert!(layout.reserves(key), "{profile}: {key}");
            }
            let open = std::str::from_utf8(layout.open).expect("utf-8");
            let key = open.trim_start_matches("{\"").trim_end_matches("\":");
            assert!(layout.reserves(key), "{profile}: {key}");
            for level in layout.levels {
                let level = std::str::from_utf8(level).expect("utf-8");
                for key in level.split('"').skip(1).step_by(4) {
                    assert!(layout.reserves(key), "{profile}: {key}");
                }
            }
        }
        assert!(!Layout::of(LogProfile::Default).reserves("severity"));
    }
}
