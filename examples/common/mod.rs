//! What the axum and actix-web examples share: the environment contract, the domain types, the
//! streamed body of `/stream` and the shutdown signal. Each example keeps only its framework's wiring.

#![allow(dead_code)] // The integration tests include the examples for their `app()` only.

use std::future::Future;
use std::time::Duration;

use http_observability::outgoing::PropagateMiddleware;
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware, reqwest};
use serde::Deserialize;

/// Why `main` failed (the service could not start, or had to cut requests short at shutdown):
/// Rust prints a `main` error with `Debug`, so this `Debug` is the message (`unknown LOG_PROFILE `x`: expected one of …`),
/// not the error's structure.
pub struct MainError(Box<dyn std::error::Error>);

impl<E: Into<Box<dyn std::error::Error>>> From<E> for MainError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

impl std::fmt::Debug for MainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

/// `HOST` (default 127.0.0.1) and `PORT` (default 3000).
pub fn listen_address() -> Result<(String, u16), String> {
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let port = match std::env::var("PORT") {
        Ok(p) => p
            .parse()
            .map_err(|e| format!("PORT={p:?} is not a port number: {e}"))?,
        Err(_) => 3000,
    };
    Ok((host, port))
}

/// The service `GET /fanout` calls: `DOWNSTREAM_URL`, by default this service's own
/// `/health`. Its client carries the request's ID and trace on every call.
#[derive(Clone)]
pub struct Downstream {
    client: ClientWithMiddleware,
    url: String,
}

impl Downstream {
    /// `DOWNSTREAM_URL`, or `http://127.0.0.1:<PORT>/health`.
    pub fn from_env() -> Result<Self, String> {
        let url = match std::env::var("DOWNSTREAM_URL") {
            Ok(url) => url,
            Err(_) => format!("http://127.0.0.1:{}/health", listen_address()?.1),
        };
        Self::new(url)
    }

    /// Calls `url`, which must be an absolute http(s) URL.
    pub fn new(url: String) -> Result<Self, String> {
        reqwest::Url::parse(&url)
            .map_err(|e| format!("DOWNSTREAM_URL={url:?} is not a URL: {e}"))?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let client = ClientBuilder::new(client)
            .with(PropagateMiddleware::new())
            .build();
        Ok(Self { client, url })
    }

    /// The URL called.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `GET` the URL: its status, or why the call failed.
    pub async fn status(&self) -> Result<u16, reqwest_middleware::Error> {
        let response = self.client.get(&self.url).send().await?;
        Ok(response.status().as_u16())
    }
}

/// The body of `POST /docs`.
#[derive(Deserialize)]
pub struct NewDoc {
    /// The document's title, logged with `document stored`.
    pub title: String,
}

/// Loads a document from a store that is down: the failure behind `GET /error`.
pub fn load_document() -> Result<(), AppError> {
    let source = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
    Err(AppError::Storage(StorageError { source }))
}

/// An application error with a source chain: AppError → StorageError → io::Error.
#[derive(Debug)]
pub enum AppError {
    /// The document store failed.
    Storage(StorageError),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Storage(_) => f.write_str("could not load the document"),
        }
    }
}

impl std::error::Error for AppError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Storage(e) => Some(e),
        }
    }
}

/// The store's error, caused by an I/O error.
#[derive(Debug)]
pub struct StorageError {
    source: std::io::Error,
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("document store unavailable")
    }
}

impl std::error::Error for StorageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}

/// The query of `GET /stream?chunks=N&delay_ms=M`: N chunks (default 5, at most 100), M ms
/// apart (default 200, at most 1000).
pub struct StreamQuery {
    chunks: u32,
    delay: std::time::Duration,
}

impl StreamQuery {
    /// Reads the query string; a value that is not a whole number within bounds is refused,
    /// with a message for the 400. Other parameters are ignored.
    pub fn parse(query: Option<&str>) -> Result<Self, String> {
        let (mut chunks, mut delay_ms) = (5, 200);
        for pair in query.unwrap_or_default().split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (slot, max) = match key {
                "chunks" => (&mut chunks, 100),
                "delay_ms" => (&mut delay_ms, 1000),
                _ => continue,
            };
            *slot = value
                .parse()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| format!("{key} must be a whole number from 0 to {max}"))?;
        }
        Ok(Self {
            chunks,
            delay: std::time::Duration::from_millis(delay_ms.into()),
        })
    }

    /// The chunks this query asks for.
    pub fn chunks(self) -> Chunks {
        Chunks {
            next: 0,
            query: self,
            sleep: None,
        }
    }
}

/// The body of `GET /stream`: `chunk 1 of N\n` at once, then one chunk every delay. Each
/// example wraps it in its framework's body type.
pub struct Chunks {
    next: u32,
    query: StreamQuery,
    sleep: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl Chunks {
    /// The next chunk, once its time has come; `None` after the last.
    pub fn poll_chunk(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<bytes::Bytes>> {
        if self.next == self.query.chunks {
            return std::task::Poll::Ready(None);
        }
        if let Some(sleep) = &mut self.sleep {
            std::task::ready!(sleep.as_mut().poll(cx));
        }
        self.next += 1;
        self.sleep = Some(Box::pin(tokio::time::sleep(self.query.delay)));
        let chunk = format!("chunk {} of {}\n", self.next, self.query.chunks);
        std::task::Poll::Ready(Some(chunk.into()))
    }
}
