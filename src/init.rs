//! One-call setup from the environment.
