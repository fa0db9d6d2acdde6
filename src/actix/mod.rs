//! The actix-web middleware.
