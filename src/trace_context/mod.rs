//! W3C Trace Context and Sentry's trace headers: which trace a request belongs to, its span in
//! it, and what its outgoing calls carry.
//!
//! # Example
//!
//! ```
//! use http::{HeaderMap, HeaderValue};
//! use http_observability::trace_context::{TraceParent, TracePolicy};
//!
//! // Parsing is strict: lowercase hex only, no all-zero ids, version ff refused.
//! assert!(TraceParent::parse(b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").is_ok());
//! assert!(TraceParent::parse(b"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01").is_err());
//!
//! // A request continues its caller's trace under a span id of its own.
//! let mut headers = HeaderMap::new();
//! headers.insert("traceparent", HeaderValue::from_static("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
//! let trace = TracePolicy::new().resolve(&headers, || false);
//! assert_eq!(trace.trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
//! assert_ne!(trace.span_id().to_string(), "00f067aa0ba902b7");
//! // What its outgoing calls send: version 00, the same trace, our span as the parent.
//! assert_eq!(
//!     trace.traceparent(),
//!     format!("00-4bf92f3577b34da6a3ce929d0e0e4736-{}-01", trace.span_id()).as_str(),
//! );
//! ```
//!
//! # In the log lines
//!
//! Every request's span carries `trace_id` (32 hex), `span_id` (16 hex) and `trace_flags`
//! (2 hex), the names OpenTelemetry's "Trace Context in non-OTLP Log Formats" gives, so every
//! line of the request has them as top-level fields, the access line included.
//!
//! # Where ids come from
//!
//! [`TracePolicy`] decides per request (see its rules). Fresh ids come from a
//! [`MakeTraceIds`], random by default: the seam for an OpenTelemetry bridge.

mod context;
mod current;
mod ids;
mod missing;
mod outgoing;
mod policy;
mod sentry_trace;
mod traceparent;
mod tracestate;

pub use context::TraceContext;
pub use current::{client_span, current};
pub(crate) use ids::SpanFields;
pub use ids::{Hex, MakeTraceIds, RandomIds, SpanId, TraceFlags, TraceId};
pub use missing::MissingTraceContext;
pub(crate) use outgoing::Outgoing;
pub(crate) use policy::Ignored;
pub use policy::TracePolicy;
pub(crate) use policy::{Decision, SharedTracePolicy};
pub use sentry_trace::{BAGGAGE, SENTRY_TRACE, SentryTrace, TraceHeader};
pub use traceparent::{InvalidTraceParent, TRACEPARENT, TraceParent};
pub use tracestate::{InvalidTraceState, MAX_MEMBERS, TRACESTATE, TraceState};
