//! What a client gets when a handler panics: a 500 with a small JSON body holding the ID.

use std::any::Any;

use bytes::Bytes;

use crate::request_id::RequestId;

/// The body of the 500 sent for a panicking handler:
/// `{"error":"internal server error","request_id":"…"}`.
///
/// A [`RequestId`] holds only characters that need no JSON escaping.
pub(crate) fn body(request_id: &RequestId) -> Bytes {
    Bytes::from(format!(
        r#"{{"error":"internal server error","request_id":"{request_id}"}}"#
    ))
}

/// The panic message, when the payload is a string (as `panic!` makes it).
pub(crate) fn message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "non-string panic payload"
    }
}

/// Logs the panic at ERROR inside the request's span.
pub(crate) fn log(payload: &(dyn Any + Send)) {
    // The target the line had before the module moved: filters and dashboards name it.
    tracing::event!(
        target: "http_observability::panic_response",
        tracing::Level::ERROR,
        panic.message = message(payload),
        "request handler panicked"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_json_with_the_id() {
        let id = RequestId::parse("abc-1").unwrap();
        let body = body(&id);
        assert_eq!(
            &body[..],
            br#"{"error":"internal server error","request_id":"abc-1"}"#
        );
    }

    #[test]
    fn message_from_str_and_string_payloads() {
        let a: Box<dyn Any + Send> = Box::new("boom");
        let b: Box<dyn Any + Send> = Box::new(String::from("bang"));
        let c: Box<dyn Any + Send> = Box::new(42);
        assert_eq!(message(a.as_ref()), "boom");
        assert_eq!(message(b.as_ref()), "bang");
        assert_eq!(message(c.as_ref()), "non-string panic payload");
    }
}
