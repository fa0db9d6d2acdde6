//! [`CatchPanic`]: a service's future, with a panic of its `call` or of its `poll` turned into
//! a value, so that an adapter can answer 500 instead of dropping the connection.
//!
//! Both adapters (the tower layer and the actix-web middleware) build their response futures
//! on it, so a panic is caught the same way whatever the framework.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

/// The payload of a caught panic.
pub(crate) type Payload = Box<dyn Any + Send>;

pin_project! {
    /// The inner service's future, or the panic its `call` raised before making one.
    #[project = CatchPanicProj]
    pub(crate) enum CatchPanic<F> {
        Running { #[pin] future: F },
        Panicked { payload: Option<Payload> },
    }
}

impl<F: Future> CatchPanic<F> {
    /// Calls the inner service (`call`), catching a panic it raises.
    pub(crate) fn call(call: impl FnOnce() -> F) -> Self {
        match catch_unwind(AssertUnwindSafe(call)) {
            Ok(future) => Self::Running { future },
            Err(payload) => Self::Panicked {
                payload: Some(payload),
            },
        }
    }

    /// Polls the inner future; a panic, raised now or by `call`, comes out as `Err(payload)`.
    ///
    /// Once it returned `Ready`, it must not be polled again (as for any future).
    pub(crate) fn poll(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<F::Output, Payload>> {
        match self.project() {
            CatchPanicProj::Running { future } => {
                match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
                    Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
                    Ok(Poll::Pending) => Poll::Pending,
                    Err(payload) => Poll::Ready(Err(payload)),
                }
            }
            CatchPanicProj::Panicked { payload } => Poll::Ready(Err(payload
                .take()
                .unwrap_or_else(|| Box::new("polled after a panic")))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    fn poll_once<F: Future>(f: CatchPanic<F>) -> Poll<Result<F::Output, Payload>> {
        let mut f = std::pin::pin!(f);
        f.as_mut().poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn passes_output_through() {
        let f = CatchPanic::call(|| std::future::ready(7));
        assert!(matches!(poll_once(f), Poll::Ready(Ok(7))));
    }

    #[test]
    fn catches_a_panic_of_call_and_of_poll() {
        let f = CatchPanic::<std::future::Ready<()>>::call(|| panic!("in call"));
        let Poll::Ready(Err(payload)) = poll_once(f) else {
            panic!("expected the panic of call");
        };
        assert_eq!(
            crate::lifecycle::panic_response::message(payload.as_ref()),
            "in call"
        );

        let f = CatchPanic::call(|| async { panic!("in poll") });
        let Poll::Ready(Err(payload)) = poll_once(f) else {
            panic!("expected the panic of poll");
        };
        assert_eq!(
            crate::lifecycle::panic_response::message(payload.as_ref()),
            "in poll"
        );
    }
}
