//! Shared by the tests/sentry_*.rs files: a Sentry envelope receiver on 127.0.0.1, the test
//! application, the process-wide setup (subscriber and Sentry client), and the per-request
//! scenarios every framework's app must pass; with the helpers of tests/support.
#![allow(dead_code)]

#[path = "../support/mod.rs"]
pub mod support;

#[cfg(feature = "actix")]
pub mod actix_app;
pub mod app;
pub mod envelope;
pub mod receiver;
pub mod scenarios;
pub mod trace_scenarios;
