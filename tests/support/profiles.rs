//! What the tests know of the log profiles, written apart from the crate's own tables.

use http_observability::json::LogProfile;

/// The keys `profile` reserves beyond the default ones (the profile's docs list them).
pub fn profile_keys(profile: LogProfile) -> &'static [&'static str] {
    match profile {
        LogProfile::Gcp => &[
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
            "status",
            "dd.trace_id",
            "dd.span_id",
            "dd.service",
            "dd.env",
            "dd.version",
        ],
        LogProfile::Ecs => &[
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
            "service",
            "log",
            "ecs",
            "trace",
            "span",
            "event",
        ],
        LogProfile::Aws => &["xray_trace_id"],
        LogProfile::Azure => &["operation_Id", "operation_ParentId"],
        _ => &[],
    }
}
