//! What the tower layer allocates per request above the bare handler, with a counting global
//! allocator (its own test binary: the allocator is per process). The budget is itemised in
//! BENCHMARKS.md; a change that adds an allocation per request fails here.

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http::{HeaderValue, Request, Response};
use http_body_util::Full;
use http_observability::ObservabilityLayer;
use tower::{Layer, Service, ServiceExt, service_fn};
use tracing_subscriber::{Registry, filter::LevelFilter, layer::SubscriberExt};

mod alloc_support;

use alloc_support::{Counting, allocations};

#[global_allocator]
static GLOBAL: Counting = Counting;

fn handler()
-> impl Service<Request<Full<Bytes>>, Response = Response<Full<Bytes>>, Error = Infallible> + Clone
{
    service_fn(|_request: Request<Full<Bytes>>| {
        let mut response = Response::new(Full::new(Bytes::from_static(b"ok")));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain"),
        );
        std::future::ready(Ok::<_, Infallible>(response))
    })
}

/// A request whose header map is already allocated and whose URI shares its bytes, as hyper's
/// do (a URI parsed from a `&str` owns a fresh buffer, and its first clone would allocate);
/// with or without an ID.
fn request(id: Option<&'static str>) -> Request<Full<Bytes>> {
    let mut builder = Request::get(http::Uri::from_static("/api/docs?page=2"))
        .header(http::header::HOST, HeaderValue::from_static("example.com"));
    if let Some(id) = id {
        builder = builder.header("x-request-id", HeaderValue::from_static(id));
    }
    builder.body(Full::new(Bytes::new())).unwrap()
}

/// One request through a clone of `service`, polled once (the handler is ready at once).
fn one<S>(service: &S, id: Option<&'static str>)
where
    S: Service<Request<Full<Bytes>>> + Clone,
    S::Error: std::fmt::Debug,
{
    let mut future = pin!(service.clone().oneshot(request(id)));
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(response) => drop(response.unwrap()),
        Poll::Pending => panic!("the handler is always ready"),
    }
}

/// The allocations per request above the bare handler, in steady state.
fn above_bare(id: Option<&'static str>) -> usize {
    let bare = handler();
    let ours = ObservabilityLayer::new().layer(handler());
    let per_request = |f: &dyn Fn()| {
        (0..50).for_each(|_| f());
        allocations(|| (0..100).for_each(|_| f())) / 100
    };
    let subscriber = Registry::default().with(LevelFilter::INFO);
    tracing::subscriber::with_default(subscriber, || {
        per_request(&|| one(&ours, id)) - per_request(&|| one(&bare, id))
    })
}

#[test]
fn a_generated_id_costs_eight_allocations_above_the_bare_handler() {
    // The ID's bytes and count (1), the request's extensions map, table and entry (3), the
    // span extension `request_id::current()` reads (1), the response's extensions (3).
    assert_eq!(above_bare(None), 8);
}

#[test]
fn an_incoming_id_is_shared_not_copied() {
    // As above without the ID's own allocation: the request's header bytes are shared.
    assert_eq!(above_bare(Some("0192f1c4-7d3e-7a51-9c2e-4b6f0e8d1a23")), 7);
}
