//! Shared by the tests/sentry_*.rs files: a Sentry envelope receiver on 127.0.0.1, the test
//! application, the process-wide setup (subscriber and Sentry client), and the per-request
//! scenarios every framework's app must pass.
#![allow(dead_code)]

pub mod app;
pub mod envelope;
pub mod receiver;
pub mod scenarios;
