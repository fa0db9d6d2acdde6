//! The panic hook that logs every panic.

use crate::json::writer::WriterGuard;

/// Logs every panic as one ERROR event and waits until it is written (the whole at most the
/// shutdown timeout, a full queue included: under `panic = "abort"` nothing runs after the
/// hooks), then runs the previous hook.
pub(super) fn install_panic_hook(writer: Option<&WriterGuard>) {
    let flush = writer.map(|guard| (guard.writer(), guard.shutdown_timeout()));
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let log = || {
            let message = crate::lifecycle::panic_response::message(info.payload());
            match info.location() {
                Some(location) => tracing::error!(
                    panic.message = message,
                    panic.location = %location,
                    "panic"
                ),
                None => tracing::error!(panic.message = message, "panic"),
            }
        };
        match &flush {
            Some((writer, timeout)) => {
                writer.log_and_flush_within(*timeout, log);
            }
            None => log(),
        }
        previous(info);
    }));
}
