//! [`TracePolicy`]: whether a request continues its caller's trace, and where new ids come from.

use std::fmt;
use std::sync::Arc;

use http::HeaderMap;

use super::context::TraceContext;
use super::ids::{MakeTraceIds, RandomIds, TraceFlags};
use super::sentry_trace::{self, SentryTrace, TraceHeader};
use super::traceparent::{InvalidTraceParent, TraceParent};
use super::tracestate::{InvalidTraceState, TraceState};

/// How a request's [`TraceContext`] is decided from its headers: whether incoming context is
/// trusted, and where fresh ids come from.
///
/// The tower layer and the actix-web middleware both decide with one.
///
/// # Rules
///
/// - A valid `traceparent` (exactly one header) is the parent; a `tracestate` beside it is kept
///   when valid (its members combined across headers, at most 32), else dropped alone.
/// - Without a valid `traceparent`, a valid `sentry-trace` is the parent, and `baggage` is kept
///   with it.
/// - Otherwise, or with [`trust_incoming(false)`](Self::trust_incoming), a new trace starts.
///   Invalid context is ignored, never an error: the request is served as usual, and one DEBUG
///   line says why (the reason, never the value).
/// - The request's own span always gets a fresh span id. The sampled flag is the caller's, or
///   for a new trace (or a `sentry-trace` without a decision) the one the adapter's reporting
///   makes (Sentry's traces sample rate when Sentry tracing is on), else unsampled.
///
/// # Example
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// use http_observability::trace_context::TracePolicy;
///
/// let mut headers = HeaderMap::new();
/// headers.insert(
///     "traceparent",
///     HeaderValue::from_static("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
/// );
/// let trace = TracePolicy::new().resolve(&headers, || false);
/// assert_eq!(trace.trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(trace.parent_span_id().unwrap().to_string(), "00f067aa0ba902b7");
/// assert!(trace.is_sampled());
///
/// // A public-facing service: every request starts a trace of its own.
/// let trace = TracePolicy::new().trust_incoming(false).resolve(&headers, || false);
/// assert_ne!(trace.trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// ```
#[derive(Clone)]
pub struct TracePolicy<I = RandomIds> {
    trust_incoming: bool,
    ids: I,
}

impl<I> fmt::Debug for TracePolicy<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TracePolicy")
            .field("trust_incoming", &self.trust_incoming)
            .finish_non_exhaustive()
    }
}

/// The policy as the adapters keep it: its id source behind a pointer, so that the layer's
/// type does not change with it.
pub(crate) type SharedTracePolicy = TracePolicy<Arc<dyn MakeTraceIds>>;

impl Default for TracePolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl TracePolicy {
    /// Trusts valid incoming context and makes random ids.
    pub fn new() -> Self {
        Self {
            trust_incoming: true,
            ids: RandomIds,
        }
    }
}

/// Why incoming trace context was ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ignored {
    TraceParent(InvalidTraceParent),
    TraceState(InvalidTraceState),
}

impl<I: MakeTraceIds> TracePolicy<I> {
    /// Whether to continue a valid incoming trace (the default) or always start a new one.
    /// Turn it off for services that face the public internet, where a client could choose
    /// the trace its requests join.
    pub fn trust_incoming(mut self, trust: bool) -> Self {
        self.trust_incoming = trust;
        self
    }

    /// Uses another source of ids.
    pub fn ids<I2: MakeTraceIds>(self, ids: I2) -> TracePolicy<I2> {
        TracePolicy {
            trust_incoming: self.trust_incoming,
            ids,
        }
    }

    /// The policy with its id source behind a pointer, as the adapters keep it.
    pub(crate) fn shared(self) -> SharedTracePolicy {
        let ids: Arc<dyn MakeTraceIds> = Arc::new(self.ids);
        TracePolicy {
            trust_incoming: self.trust_incoming,
            ids,
        }
    }

    /// Whether incoming context is continued when valid.
    pub fn trusts_incoming(&self) -> bool {
        self.trust_incoming
    }

    /// The source of ids.
    pub fn id_source(&self) -> &I {
        &self.ids
    }

    /// Decides the trace context of a request from its headers (`http` 1.x types). `sample`
    /// decides whether a new trace is sampled.
    pub fn resolve(&self, headers: &HeaderMap, sample: impl FnOnce() -> bool) -> TraceContext {
        self.decide(headers).finish(sample).0
    }

    /// Decides the trace context of a request from the raw values of its headers, for
    /// frameworks whose header types are not `http` 1.x: `values(header)` gives every value
    /// of `header`, in order. The same rules as [`resolve`](Self::resolve).
    pub fn resolve_values<'a, V: Iterator<Item = &'a [u8]>>(
        &self,
        values: impl Fn(TraceHeader) -> V,
        sample: impl FnOnce() -> bool,
    ) -> TraceContext {
        self.decide_values(values).finish(sample).0
    }

    /// [`resolve`](Self::resolve) up to the sampling decision, which the lifecycle makes.
    pub(crate) fn decide(&self, headers: &HeaderMap) -> Decision {
        // Looked up by `HeaderName` constants: a name given as text is parsed at every lookup.
        self.decide_values(|header| {
            let name = match header {
                TraceHeader::TraceParent => &super::TRACEPARENT,
                TraceHeader::TraceState => &super::TRACESTATE,
                TraceHeader::SentryTrace => &super::SENTRY_TRACE,
                _ => &super::BAGGAGE,
            };
            headers.get_all(name).iter().map(|v| v.as_bytes())
        })
    }

    /// [`resolve_values`](Self::resolve_values) up to the sampling decision.
    pub(crate) fn decide_values<'a, V: Iterator<Item = &'a [u8]>>(
        &self,
        values: impl Fn(TraceHeader) -> V,
    ) -> Decision {
        let span_id = self.ids.new_span_id();
        if !self.trust_incoming {
            return self.fresh(span_id, None);
        }
        let mut ignored = None;
        match TraceParent::from_values(values(TraceHeader::TraceParent)) {
            Ok(Some(parent)) => {
                let trace_state = TraceState::from_values(values(TraceHeader::TraceState))
                    .unwrap_or_else(|why| {
                        ignored = Some(Ignored::TraceState(why));
                        None
                    });
                let context = TraceContext::new(parent.trace_id, span_id, parent.flags)
                    .with_parent(parent.parent_id)
                    .with_trace_state(trace_state);
                return Decision {
                    context,
                    sample: false,
                    ignored,
                };
            }
            Ok(None) => {}
            Err(why) => ignored = Some(Ignored::TraceParent(why)),
        }
        if let Some(parent) = SentryTrace::from_values(values(TraceHeader::SentryTrace)) {
            let flags = TraceFlags::sampled_only(parent.sampled.unwrap_or(false));
            let context = TraceContext::new(parent.trace_id, span_id, flags)
                .with_parent(parent.parent_id)
                .with_baggage(sentry_trace::baggage(values(TraceHeader::Baggage)));
            let sample = parent.sampled.is_none();
            return Decision {
                context,
                sample,
                ignored,
            };
        }
        self.fresh(span_id, ignored)
    }

    fn fresh(&self, span_id: super::SpanId, ignored: Option<Ignored>) -> Decision {
        let context = TraceContext::new(self.ids.new_trace_id(), span_id, TraceFlags::default());
        Decision {
            context,
            sample: true,
            ignored,
        }
    }
}

/// A request's trace context before its sampling decision.
#[derive(Debug)]
pub(crate) struct Decision {
    context: TraceContext,
    // Whether the sampled flag is ours to decide (a new trace, or a caller that left it open).
    sample: bool,
    ignored: Option<Ignored>,
}

impl Decision {
    /// The context, with the sampled flag from `sample` when it is ours to decide, and what was
    /// ignored of the incoming context.
    pub(crate) fn finish(self, sample: impl FnOnce() -> bool) -> (TraceContext, Option<Ignored>) {
        let Self {
            mut context,
            sample: ours,
            ignored,
        } = self;
        if ours {
            context = context.with_flags(TraceFlags::sampled_only(sample()));
        }
        (context, ignored)
    }
}
