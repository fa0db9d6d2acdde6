//! [`Settings`]: what both adapters are configured with, kept once behind one `Arc`.

use super::access_level::{AccessLevel, AccessLevels};
use crate::request_id::{MakeRequestId, RequestIdPolicy, UuidV7};
use crate::trace_context::{SharedTracePolicy, TracePolicy};

/// The configuration of the tower layer and the actix-web middleware: where IDs and traces come
/// from and what the access record says. The adapters' setters only forward to these.
#[derive(Debug, Clone)]
pub(crate) struct Settings<M = UuidV7, L = AccessLevels> {
    pub(crate) policy: RequestIdPolicy<M>,
    pub(crate) trace: SharedTracePolicy,
    pub(crate) access: AccessOptions<L>,
}

/// What the access record says, besides the request's own fields.
#[derive(Debug, Clone)]
pub(crate) struct AccessOptions<L = AccessLevels> {
    /// The level hook.
    pub(crate) level: L,
    /// Whether `url.path` is written (the route template always is).
    pub(crate) log_path: bool,
}

impl<M: MakeRequestId> Settings<M> {
    /// `policy`, with the default access record.
    pub(crate) fn new(policy: RequestIdPolicy<M>) -> Self {
        Self {
            policy,
            trace: TracePolicy::new().shared(),
            access: AccessOptions {
                level: AccessLevels::new(),
                log_path: true,
            },
        }
    }
}

impl<M: MakeRequestId, L: AccessLevel> Settings<M, L> {
    /// The same settings with the policy changed by `f`.
    pub(crate) fn map_policy<M2: MakeRequestId>(
        self,
        f: impl FnOnce(RequestIdPolicy<M>) -> RequestIdPolicy<M2>,
    ) -> Settings<M2, L> {
        Settings {
            policy: f(self.policy),
            trace: self.trace,
            access: self.access,
        }
    }

    /// The same settings with the level hook `level`.
    pub(crate) fn access_level<L2: AccessLevel>(self, level: L2) -> Settings<M, L2> {
        Settings {
            policy: self.policy,
            trace: self.trace,
            access: AccessOptions {
                level,
                log_path: self.access.log_path,
            },
        }
    }

    /// The same settings with the trace policy changed by `f`.
    pub(crate) fn map_trace(
        mut self,
        f: impl FnOnce(SharedTracePolicy) -> SharedTracePolicy,
    ) -> Self {
        self.trace = f(self.trace);
        self
    }

    /// The same settings, writing `url.path` or not.
    pub(crate) fn log_path(mut self, log_path: bool) -> Self {
        self.access.log_path = log_path;
        self
    }
}

/// The setters both adapters share, on `$adapter<M, L>` holding `settings: Arc<Settings<M, L>>`:
/// each forwards to [`Settings`], so the two cannot drift apart.
macro_rules! shared_setters {
    ($adapter:ident) => {
        impl<M, L> $adapter<M, L>
        where
            M: $crate::request_id::MakeRequestId + Clone,
            L: $crate::access_level::AccessLevel + Clone,
        {
            /// Makes fresh IDs with `make` instead of UUID v7.
            pub fn make_request_id<M2: $crate::request_id::MakeRequestId>(
                self,
                make: M2,
            ) -> $adapter<M2, L> {
                self.map(|s| s.map_policy(|p| p.make_request_id(make)))
            }

            /// Makes fresh IDs as random UUID v4 instead of time-ordered v7.
            pub fn uuid_v4(self) -> $adapter<$crate::request_id::UuidV4, L> {
                self.make_request_id($crate::request_id::UuidV4)
            }

            /// Chooses the level of each access record, or none, with `level` (see
            /// [`access_level`](crate::access_level)) instead of INFO below 500 and ERROR
            /// from 500.
            pub fn access_level<L2: $crate::access_level::AccessLevel>(
                self,
                level: L2,
            ) -> $adapter<M, L2> {
                self.map(|s| s.access_level(level))
            }

            /// Decides trace context with `policy`: whether incoming context is continued, and
            /// where fresh ids come from (see [`TracePolicy`]($crate::trace_context::TracePolicy)).
            pub fn trace_policy<I: $crate::trace_context::MakeTraceIds>(
                self,
                policy: $crate::trace_context::TracePolicy<I>,
            ) -> Self {
                self.map(|s| s.map_trace(|_| policy.shared()))
            }

            /// Whether valid incoming trace context (`traceparent`, `sentry-trace`) is
            /// continued (the default) or every request starts a new trace: the counterpart of
            /// the ID policy's `trust_incoming` for traces, for services facing the public
            /// internet.
            pub fn trust_incoming_trace(self, trust: bool) -> Self {
                self.map(|s| s.map_trace(|t| t.trust_incoming(trust)))
            }

            /// Whether the access record shows `url.path` (the default) or leaves it out, for
            /// paths that carry secrets or personal data (`/reset/{token}`); `http.route`
            /// stays.
            pub fn log_path(self, log_path: bool) -> Self {
                self.map(|s| s.log_path(log_path))
            }

            fn map<M2, L2>(
                self,
                f: impl FnOnce(
                    $crate::lifecycle::settings::Settings<M, L>,
                ) -> $crate::lifecycle::settings::Settings<M2, L2>,
            ) -> $adapter<M2, L2> {
                $adapter {
                    settings: std::sync::Arc::new(f(std::sync::Arc::unwrap_or_clone(
                        self.settings,
                    ))),
                }
            }
        }

        impl<M, L> $adapter<M, L> {
            /// The policy this adapter resolves IDs with.
            pub fn policy(&self) -> &$crate::request_id::RequestIdPolicy<M> {
                &self.settings.policy
            }
        }
    };
}

pub(crate) use shared_setters;
