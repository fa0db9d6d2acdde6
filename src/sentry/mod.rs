//! Sentry setup and per-request reporting.
