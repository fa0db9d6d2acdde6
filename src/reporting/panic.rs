//! The panic hook: one Sentry event per panic, with its message and backtrace.
//!
//! It composes `sentry-panic`'s event (type `panic`, the message, the stack trace) and differs
//! from its hook in one way: a panic inside a request handled by our layer is caught and
//! answered with a 500, so the process goes on and the hook does not wait for the event to be
//! sent (`sentry-panic` flushes, which would hold the request's thread for up to the flush
//! timeout when Sentry is slow). A panic anywhere else may end the process, so it is flushed;
//! so is every panic in a build with `panic = "abort"`, where none is caught.

use std::sync::Once;

use sentry::{ClientOptions, Hub, Integration};

use super::request;

/// Installs the hook once, chained before the previous one.
#[derive(Debug, Default)]
pub(crate) struct PanicIntegration;

static INSTALL: Once = Once::new();

impl Integration for PanicIntegration {
    fn name(&self) -> &'static str {
        "panic"
    }

    fn setup(&self, _options: &mut ClientOptions) {
        INSTALL.call_once(|| {
            let next = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                report(info);
                next(info);
            }));
        });
    }
}

fn report(info: &std::panic::PanicHookInfo<'_>) {
    Hub::with_active(|hub| {
        let event =
            sentry::integrations::panic::PanicIntegration::new().event_from_panic_info(info);
        hub.capture_event(event);
        // Under `panic = "abort"` no panic is caught: the process ends after the hooks.
        if (cfg!(panic = "abort") || !request::in_request())
            && let Some(client) = hub.client()
        {
            client.flush(None);
        }
    });
}
