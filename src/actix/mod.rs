//! The actix-web middleware: request ID, `request` span, access log and panic safety.
//!
//! # Example
//!
//! ```no_run
//! use actix_web::{App, HttpServer, web};
//! use http_observability::{RequestId, actix::ObservabilityMiddleware};
//!
//! async fn hello(id: RequestId) -> String {
//!     tracing::info!("saying hello"); // carries request_id in its log line
//!     format!("hello from request {id}")
//! }
//!
//! #[actix_web::main]
//! async fn main() -> std::io::Result<()> {
//!     HttpServer::new(|| {
//!         App::new()
//!             .wrap(ObservabilityMiddleware::new())
//!             .route("/hello", web::get().to(hello))
//!     })
//!     .bind(("127.0.0.1", 3000))?
//!     .run()
//!     .await
//! }
//! ```
//!
//! # What it does for every request
//!
//! The steps of the tower [`ObservabilityLayer`](crate::ObservabilityLayer), through the same
//! core; where the two differ is said [below](#differences-from-the-tower-layer).
//!
//! 1. Resolves the request ID with a [`RequestIdPolicy`](crate::request_id::RequestIdPolicy):
//!    a valid incoming `x-request-id` is kept, anything else is replaced by a fresh UUID v7
//!    (and the refusal is logged at WARN with its reason and length, never the value). The
//!    resolved ID replaces the request's header and is stored in the request's extensions,
//!    where the [`RequestId`](crate::RequestId) extractor finds it.
//! 2. Opens the `request` span with `request_id`, `http.request.method` and `http.route`
//!    (actix-web's [`match_pattern`](actix_web::HttpRequest::match_pattern), such as
//!    `/docs/{id}`; absent when no resource matches, never the raw path), and runs the rest of
//!    the app inside it, so every event a handler logs carries the ID and
//!    [`request_id::current`](crate::request_id::current) works in handlers.
//! 3. Catches a panic of a handler (or of any service it wraps) and answers 500 with
//!    `{"error":"internal server error","request_id":"…"}`, where actix-web alone would drop
//!    the connection. A panic while the response body streams comes after the response was
//!    handed over and is not caught.
//! 4. Sets the ID header on every response the inner service returns (successes and error
//!    responses, a handler's errors included) and on the panic's 500; such a response also
//!    carries the ID in its extensions. An `actix_web::Error` returned by an inner middleware
//!    passes through as it is (see [below](#errors-returned-by-inner-services)).
//! 5. Emits one [access-log event](crate::access_log) when the response is over (its body
//!    ended, failed or was dropped), or when the request is dropped before a response; its
//!    status is the one the client receives, for an error too; at the level the
//!    [level hook](crate::access_level) chooses ([`ObservabilityMiddleware::access_level`]),
//!    with or without `url.path` ([`ObservabilityMiddleware::log_path`]).
//! 6. Keeps the response body inside the `request` span while it streams, so events logged by
//!    a streaming body carry the ID too.
//!
//! # Sentry
//!
//! With the `sentry` feature and a client bound (see the `reporting` module), every request
//! reports as it does behind the tower layer, through the same core:
//!
//! - a hub of its own, bound around the call and every poll of the request until its response
//!   is ready (and so around every handler and inner middleware, but not around the body as
//!   it streams), tagged `request_id` with the value of the response header;
//! - the transaction `METHOD /route/{template}` when a resource matches (never the raw path);
//! - the request on every event: method, URL without query values, headers without the
//!   sensitive ones (`Authorization`, `Cookie`, `X-Api-Key`, values marked sensitive, …);
//! - one event per failing request, never two: the first ERROR event or the panic (with its
//!   message and backtrace); otherwise the `actix_web::Error` behind a 5xx (returned by a
//!   handler or an inner middleware); otherwise `request answered 500 Internal Server Error`.
//!   A 4xx or a success adds no event of its own.
//!
//! Do not add `sentry_actix::Sentry` as well: it would make a second hub per request, inside
//! ours, and report the same failures again.
//!
//! With performance tracing on (`SENTRY_TRACES_SAMPLE_RATE` above 0), each request also starts
//! a transaction (`http.server`), as the tower layer does: named `METHOD /route/{template}`,
//! or `METHOD /raw/path` when no resource matches (as sentry-tower names it), tagged
//! `request_id`, continuing the trace of an incoming `sentry-trace` header, and finished with
//! the response head, its status that of the response.
//!
//! # Where to put it
//!
//! With actix-web's `App::wrap`, the **last registered runs first**: call
//! `.wrap(ObservabilityMiddleware::new())` last so that it wraps the other middleware and their
//! events carry the ID. The route is known even though the middleware runs before routing.
//!
//! # Errors returned by inner services
//!
//! An `actix_web::Error` coming out of the inner service (an inner middleware's: actix-web
//! makes a handler's error into a response before it gets here) is passed on as it is, an
//! `Err` of its own type, so that middleware outside ours can downcast it
//! (`error.as_error::<MyError>()`). actix-web makes its response after ours has run, so that
//! response does not carry the ID header; its access-log event is written at once, with the
//! status of the error's `status_code()` and without `http.response.body.size`. Where the
//! client must see the ID, return the error as a response (`HttpResponse::from_error`) instead.
//! The panic's 500 is an `Err` of a type of ours that carries the ID header.
//!
//! # Differences from the tower layer
//!
//! - **Errors.** Both pass the inner service's error through as it is, without the ID header.
//!   Here the access-log event has the status the error's response will have; behind the
//!   tower layer, where an error has no status, it is `request failed` without one.
//! - **Panics.** Here the panic's 500 reaches outer middleware as an `Err`; behind the tower
//!   layer it is an `Ok` response.
//! - **The route.** Here it is actix-web's `match_pattern`, known before routing for any
//!   resource that matches. Behind the tower layer it is axum's `MatchedPath`, which needs the
//!   `axum` feature and the layer added with `Router::layer`.
//! - **Sentry.** Here the event for a 5xx is the `actix_web::Error` behind it when there is
//!   one; the tower layer reports the status.

mod body;
mod extract;
mod future;
mod middleware;
mod report;

pub use body::ResponseBody;
pub use future::ResponseFuture;
pub use middleware::{ObservabilityMiddleware, ObservabilityService};

#[cfg(test)]
mod tests {
    use actix_web::dev::{Service, ServiceResponse};
    use actix_web::{App, HttpMessage, HttpRequest, HttpResponse, test, web};
    use http::HeaderName;

    use super::*;
    use crate::request_id::RequestIdPolicy;
    use crate::{MissingRequestId, RequestId};

    /// Answers with the ID the handler sees in its request header and in its extensions.
    async fn echo(request: HttpRequest, id: RequestId) -> HttpResponse {
        let header = request
            .headers()
            .get("x-correlation-id")
            .or_else(|| request.headers().get("x-request-id"))
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let extension = request.extensions().get::<RequestId>().cloned();
        assert_eq!(extension.as_ref(), Some(&id));
        HttpResponse::Ok().body(format!("{header} {id}"))
    }

    async fn boom() -> HttpResponse {
        panic!("boom")
    }

    /// The ID a response carries in `header`.
    fn response_id<B>(response: &ServiceResponse<B>, header: &str) -> String {
        response
            .headers()
            .get(header)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    }

    #[actix_web::test]
    async fn custom_header_and_distrust_follow_the_policy() {
        let policy = RequestIdPolicy::new()
            .header(HeaderName::from_static("x-correlation-id"))
            .trust_incoming(false);
        let app = test::init_service(
            App::new()
                .wrap(ObservabilityMiddleware::with_policy(policy))
                .route("/", web::get().to(echo)),
        )
        .await;
        let request = test::TestRequest::get()
            .uri("/")
            .insert_header(("x-correlation-id", "client-chosen"))
            .to_request();
        let response = test::call_service(&app, request).await;
        assert!(response.headers().get("x-request-id").is_none());
        let id = response_id(&response, "x-correlation-id");
        assert_ne!(id, "client-chosen");
        let body = test::read_body(response).await;
        assert_eq!(body, format!("{id} {id}"), "the handler sees the new ID");
    }

    #[actix_web::test]
    async fn a_valid_incoming_id_reaches_the_handler() {
        let app = test::init_service(
            App::new()
                .wrap(ObservabilityMiddleware::new())
                .route("/", web::get().to(echo)),
        )
        .await;
        let request = test::TestRequest::get()
            .uri("/")
            .insert_header(("x-request-id", "abc-1"))
            .to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.headers().get("x-request-id").unwrap(), "abc-1");
        assert_eq!(
            response
                .response()
                .extensions()
                .get::<RequestId>()
                .unwrap()
                .as_str(),
            "abc-1"
        );
        assert_eq!(test::read_body(response).await, "abc-1 abc-1");
    }

    #[actix_web::test]
    async fn a_refused_incoming_id_is_replaced_in_the_request() {
        let app = test::init_service(
            App::new()
                .wrap(ObservabilityMiddleware::new())
                .route("/", web::get().to(echo))
                .route(
                    "/values",
                    web::get().to(|request: HttpRequest| async move {
                        request
                            .headers()
                            .get_all("x-request-id")
                            .count()
                            .to_string()
                    }),
                ),
        )
        .await;
        let request = test::TestRequest::get()
            .uri("/")
            .insert_header(("x-request-id", "not valid"))
            .to_request();
        let response = test::call_service(&app, request).await;
        let id = response_id(&response, "x-request-id");
        assert_ne!(id, "not valid");
        assert_eq!(test::read_body(response).await, format!("{id} {id}"));

        let request = test::TestRequest::get()
            .uri("/values")
            .append_header(("x-request-id", "one"))
            .append_header(("x-request-id", "two"))
            .to_request();
        let response = test::call_service(&app, request).await;
        let id = response_id(&response, "x-request-id");
        assert!(id != "one" && id != "two");
        assert_eq!(
            test::read_body(response).await,
            "1",
            "one value, the new ID"
        );
    }

    /// An error of an inner middleware, of a type of the app's own.
    #[derive(Debug)]
    struct Denied;

    impl std::fmt::Display for Denied {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("denied")
        }
    }

    impl actix_web::ResponseError for Denied {
        fn status_code(&self) -> actix_web::http::StatusCode {
            actix_web::http::StatusCode::FORBIDDEN
        }
    }

    #[actix_web::test]
    async fn an_inner_error_passes_through_with_its_own_type_and_a_panic_carries_the_id() {
        let app = test::init_service(
            App::new()
                .wrap(ObservabilityMiddleware::new())
                .route("/panic", web::get().to(boom))
                .service(
                    web::resource("/denied")
                        .wrap_fn(|_request, _service| async {
                            Err::<ServiceResponse, _>(actix_web::Error::from(Denied))
                        })
                        .route(web::get().to(HttpResponse::Ok)),
                ),
        )
        .await;
        let request = test::TestRequest::get()
            .uri("/denied")
            .insert_header(("x-request-id", "denied-1"))
            .to_request();
        let error = app.call(request).await.unwrap_err();
        assert!(
            error.as_error::<Denied>().is_some(),
            "outer middleware can downcast the inner error: {error:?}"
        );
        assert_eq!(error.error_response().status(), 403);

        let request = test::TestRequest::get()
            .uri("/panic")
            .insert_header(("x-request-id", "panic-1"))
            .to_request();
        let error = app.call(request).await.unwrap_err();
        let response = error.error_response();
        assert_eq!(response.status(), 500);
        assert_eq!(response.headers().get("x-request-id").unwrap(), "panic-1");
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error": "internal server error", "request_id": "panic-1"})
        );
    }

    #[actix_web::test]
    async fn the_extractor_without_the_middleware_answers_500() {
        let app = test::init_service(App::new().route("/", web::get().to(echo))).await;
        let request = test::TestRequest::get().uri("/").to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), 500);
        let body = test::read_body(response).await;
        assert_eq!(body, MissingRequestId.to_string());
    }
}
