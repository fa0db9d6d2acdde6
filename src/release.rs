//! Which build is running: git SHA resolution and the `release!()` macro.
