//! The opt-in panic hook that logs every panic.

/// Logs every panic as one ERROR event, then runs the previous hook.
pub(super) fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = crate::lifecycle::panic_response::message(info.payload());
        match info.location() {
            Some(location) => tracing::error!(
                panic.message = message,
                panic.location = %location,
                "panic"
            ),
            None => tracing::error!(panic.message = message, "panic"),
        }
        previous(info);
    }));
}
