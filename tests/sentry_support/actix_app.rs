//! The actix-web test app: the routes of the tower test app ([`app::router`]), answered alike
//! and logging through the same functions, behind our middleware, plus two whose 5xx is an
//! actix-web error (`/fail`, `/denied`).

use std::net::SocketAddr;
use std::sync::OnceLock;

use actix_web::dev::ServiceResponse;
use actix_web::{App, HttpResponse, web};

use super::app;
use super::scenarios::Framework;
use super::support::{ActixMiddleware, serve_actix};

/// The actix-web app of [`app`], behind our middleware.
pub struct Actix;

impl Framework for Actix {
    fn serve() -> SocketAddr {
        static ADDR: OnceLock<SocketAddr> = OnceLock::new();
        *ADDR.get_or_init(serve)
    }
}

/// Serves the test app (tests come and go with their runtimes).
fn serve() -> SocketAddr {
    serve_actix!(|| app().wrap(ActixMiddleware::new()))
}

/// The routes of the tower test app (`app::router`), plus two whose 5xx is an actix-web error.
fn app() -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .route(
            "/ok",
            web::get().to(|| async {
                app::log_all_good();
                HttpResponse::Ok().body("ok")
            }),
        )
        .route(
            "/error",
            web::get().to(|| async {
                app::log_checkout_failed();
                HttpResponse::InternalServerError().finish()
            }),
        )
        .route(
            "/twice",
            web::get().to(|| async {
                app::log_two_failures();
                HttpResponse::InternalServerError().finish()
            }),
        )
        .route(
            "/fail",
            web::get().to(|| async {
                Err::<HttpResponse, _>(actix_web::error::ErrorBadGateway("upstream refused"))
            }),
        )
        .route(
            "/unavailable",
            web::get().to(|| async { HttpResponse::ServiceUnavailable().finish() }),
        )
        .route(
            "/items/{id}",
            web::get().to(|| async { HttpResponse::BadGateway().finish() }),
        )
        .route(
            "/panic",
            web::get().to(|| async {
                if std::hint::black_box(true) {
                    panic!("handler exploded");
                }
                HttpResponse::Ok().finish()
            }),
        )
        .route(
            "/secret",
            web::get().to(|| async {
                app::log_secrets();
                HttpResponse::InternalServerError().finish()
            }),
        )
        .route(
            "/outgoing",
            web::get().to(|| async { HttpResponse::Ok().json(app::outgoing_headers()) }),
        )
        .service(
            web::resource("/denied")
                .wrap_fn(|_request, _service| async {
                    Err::<ServiceResponse, _>(actix_web::error::ErrorInternalServerError(
                        "inner middleware failed",
                    ))
                })
                .route(web::get().to(HttpResponse::Ok)),
        )
}
