//! [`Report`]: the seam where an error-reporting integration follows one request.
//!
//! The lifecycle ([`InFlight`](super::in_flight::InFlight)) names no integration. It starts a
//! `Report` when a request arrives, runs the inner service's call and every poll of its future
//! through [`Report::run`], and tells it how the request ended. An integration fills the seam
//! (a hub per request, one event per failing request); without one, an adapter uses
//! [`NoReport`], which compiles to nothing.

use super::access_log::Outcome;
use crate::request_id::RequestId;
use crate::trace_context::TraceContext;

/// What an error-reporting integration does around one request.
pub(crate) trait Report {
    /// Begins following the request with this ID.
    fn start(id: &RequestId) -> Self;

    /// Whether a request that starts a new trace (or whose caller left the decision open) is
    /// sampled. Unsampled unless the integration traces.
    fn sample_new_trace(&self) -> bool {
        false
    }

    /// The request's trace context, once decided: its events join that trace.
    fn join_trace(&mut self, _trace: &TraceContext) {}

    /// Runs `f` (the inner service's call, or one poll of its future) with the request's
    /// reporting context current.
    fn run<T>(&self, f: impl FnOnce() -> T) -> T;

    /// The request's response head (or failure) came so; called once, inside
    /// [`run`](Self::run), before its access record.
    fn finish(&self, outcome: Outcome);
}

/// No error reporting: does nothing, costs nothing.
#[derive(Debug, Default)]
#[allow(dead_code)] // unused in builds where an integration fills the seam
pub(crate) struct NoReport;

impl Report for NoReport {
    fn start(_id: &RequestId) -> Self {
        Self
    }

    fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        f()
    }

    fn finish(&self, _outcome: Outcome) {}
}
