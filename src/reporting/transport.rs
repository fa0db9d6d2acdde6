//! The transport: sentry's queue, a request timeout, counted losses and a bounded shutdown.
//!
//! The stock reqwest transport of `sentry` has no request timeout, and its `flush` and `Drop`
//! block while its queue is full or a request hangs: a Sentry server that never answers would
//! hold the process at shutdown forever. This one reuses sentry's
//! [`TokioTransportThread`] (bounded queue, rate limits from `429` and
//! `X-Sentry-Rate-Limits`) with:
//!
//! - a timeout on every request ([`REQUEST_TIMEOUT`]);
//! - `flush` and `shutdown` bounded by their timeout, the transport thread being left to finish
//!   (or to be stopped with the process) in the background;
//! - counters: envelopes submitted, delivered, refused (HTTP errors, `429` included) or failed
//!   (connection errors, timeouts); what was submitted but never attempted was dropped by the
//!   full queue or a rate limit. The first loss is logged at WARN when it happens, and the
//!   totals when the guard is dropped.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::Duration;

use sentry::transports::{RateLimiter, TokioTransportThread, TokioTransportThreadOptions};
use sentry::{Envelope, Transport, TransportFactory, TransportOptions};

/// How long one request to Sentry may take, connection included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// How many envelopes were handed to the transport, and what became of them.
///
/// An envelope carries one event (or, with performance tracing on, one transaction).
///
/// # Example
///
/// ```
/// # use http_observability::reporting::DeliveryStats;
/// fn report(stats: DeliveryStats) {
///     if stats.lost() > 0 {
///         eprintln!("{} of {} Sentry events were lost", stats.lost(), stats.submitted());
///     }
/// }
/// # let _ = report;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryStats {
    submitted: u64,
    delivered: u64,
    refused: u64,
    failed: u64,
}

impl DeliveryStats {
    /// Envelopes handed to the transport.
    pub fn submitted(&self) -> u64 {
        self.submitted
    }

    /// Envelopes the server accepted (HTTP 2xx).
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// Envelopes the server answered with an HTTP error (`429` and `5xx` included).
    pub fn refused(&self) -> u64 {
        self.refused
    }

    /// Envelopes whose request failed (connection refused, timeout, TLS error) or that could
    /// not be serialized.
    pub fn failed(&self) -> u64 {
        self.failed
    }

    /// Envelopes never sent: dropped because the queue was full or a rate limit was in force,
    /// or still queued.
    pub fn dropped(&self) -> u64 {
        self.submitted
            .saturating_sub(self.delivered + self.refused + self.failed)
    }

    /// Everything not delivered: refused, failed and dropped.
    pub fn lost(&self) -> u64 {
        self.submitted.saturating_sub(self.delivered)
    }
}

/// The shared counters behind [`DeliveryStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    submitted: AtomicU64,
    delivered: AtomicU64,
    refused: AtomicU64,
    failed: AtomicU64,
    warned: AtomicBool,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> DeliveryStats {
        DeliveryStats {
            submitted: self.submitted.load(Ordering::Relaxed),
            delivered: self.delivered.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }

    fn lost(&self, what: &str, detail: &dyn std::fmt::Display) {
        if !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                target: super::TARGET,
                reason = %detail,
                "Sentry event not delivered ({what}); further losses are counted and \
                 reported at shutdown"
            );
        }
    }
}

/// Makes [`BoundedTransport`]s that share `counters`.
pub(crate) struct BoundedTransportFactory {
    pub(crate) counters: Arc<Counters>,
}

impl TransportFactory for BoundedTransportFactory {
    fn create_transport_with_options(&self, options: TransportOptions) -> Arc<dyn Transport> {
        let counters = Arc::clone(&self.counters);
        let client = sentry_reqwest::Client::builder()
            .connect_timeout(REQUEST_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build();
        let client = match client {
            Ok(client) => client,
            Err(error) => {
                counters.lost("no HTTP client", &error);
                return Arc::new(NoTransport { counters });
            }
        };
        let auth = options.dsn.to_auth(Some(&options.user_agent)).to_string();
        let url = options.dsn.envelope_api_url().to_string();
        let send_counters = Arc::clone(&counters);
        let send = move |envelope: Envelope, mut limits: RateLimiter| {
            let counters = Arc::clone(&send_counters);
            let mut body = Vec::new();
            let serialized = envelope.to_writer(&mut body);
            let request = client.post(&url).header("X-Sentry-Auth", &auth).body(body);
            async move {
                if let Err(error) = serialized {
                    counters.failed.fetch_add(1, Ordering::Relaxed);
                    counters.lost("could not serialize", &error);
                    return limits;
                }
                match request.send().await {
                    Ok(response) => {
                        let headers = response.headers();
                        if let Some(header) = headers
                            .get("x-sentry-rate-limits")
                            .and_then(|v| v.to_str().ok())
                        {
                            limits.update_from_sentry_header(header);
                        } else if let Some(after) = headers
                            .get(http::header::RETRY_AFTER)
                            .and_then(|v| v.to_str().ok())
                        {
                            limits.update_from_retry_after(after);
                        } else if response.status() == sentry_reqwest::StatusCode::TOO_MANY_REQUESTS
                        {
                            limits.update_from_429();
                        }
                        let status = response.status();
                        // Read the body so the connection can be reused.
                        let _ = response.bytes().await;
                        if status.is_success() {
                            counters.delivered.fetch_add(1, Ordering::Relaxed);
                        } else {
                            counters.refused.fetch_add(1, Ordering::Relaxed);
                            counters.lost("refused by the server", &status);
                        }
                    }
                    Err(error) => {
                        counters.failed.fetch_add(1, Ordering::Relaxed);
                        counters.lost("request failed", &error);
                    }
                }
                limits
            }
        };
        let mut thread = TokioTransportThreadOptions::new(send);
        if let Some(capacity) = options.transport_channel_capacity {
            thread = thread.with_channel_capacity(capacity.get());
        }
        thread = thread.with_client_report_recorder(options.client_report_recorder);
        Arc::new(BoundedTransport {
            thread: Mutex::new(Some(Arc::new(thread.spawn_thread()))),
            counters,
        })
    }
}

/// Sends through sentry's transport thread; flushes and shuts down within their timeout.
pub(crate) struct BoundedTransport {
    thread: Mutex<Option<Arc<TokioTransportThread>>>,
    counters: Arc<Counters>,
}

impl BoundedTransport {
    fn thread(&self) -> Option<Arc<TokioTransportThread>> {
        self.thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Transport for BoundedTransport {
    fn send_envelope(&self, envelope: Envelope) {
        self.counters.submitted.fetch_add(1, Ordering::Relaxed);
        if let Some(thread) = self.thread() {
            thread.send(envelope);
        }
    }

    fn flush(&self, timeout: Duration) -> bool {
        let Some(thread) = self.thread() else {
            return true;
        };
        // The thread's own flush blocks while its queue is full: wait for it elsewhere.
        let (done, finished) = mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("sentry-flush".into())
            .spawn(move || {
                let _ = done.send(thread.flush(timeout));
            });
        spawned.is_ok() && finished.recv_timeout(timeout).unwrap_or(false)
    }

    fn shutdown(&self, timeout: Duration) -> bool {
        let flushed = self.flush(timeout);
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop_in_background(thread);
        flushed
    }
}

impl Drop for BoundedTransport {
    fn drop(&mut self) {
        let thread = self
            .thread
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop_in_background(thread);
    }
}

/// Dropping sentry's transport thread joins it, which waits for a request in flight: do it
/// on a detached thread so that nobody waits.
fn drop_in_background(thread: Option<Arc<TokioTransportThread>>) {
    if let Some(thread) = thread {
        let _ = std::thread::Builder::new()
            .name("sentry-transport-stop".into())
            .spawn(move || drop(thread));
    }
}

/// Counts what it is given and sends nothing (when no HTTP client could be built).
struct NoTransport {
    counters: Arc<Counters>,
}

impl Transport for NoTransport {
    fn send_envelope(&self, _envelope: Envelope) {
        self.counters.submitted.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_arithmetic() {
        let stats = DeliveryStats {
            submitted: 10,
            delivered: 4,
            refused: 2,
            failed: 1,
        };
        assert_eq!(stats.dropped(), 3);
        assert_eq!(stats.lost(), 6);
    }
}
