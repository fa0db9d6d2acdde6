//! One request's lifecycle, whatever the framework: its `request` span, its access record, a
//! caught panic and how the request ended. Both adapters (the tower layer and the actix-web
//! middleware) hand their requests to [`in_flight::InFlight`], and their response bodies carry
//! its [`streaming::Streaming`] to the end.

pub mod access_level;
pub mod access_log;
pub(crate) mod catch_panic;
pub(crate) mod in_flight;
pub(crate) mod panic_response;
pub(crate) mod report;
pub(crate) mod scope;
pub(crate) mod settings;
pub(crate) mod span;
pub(crate) mod streaming;
