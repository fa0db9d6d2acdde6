//! The log writer as a process sees it: sequence-numbered lines from many threads, counted at
//! the other end of a real stdout pipe. SIGTERM during load loses nothing; a reader that stops
//! for a while around shutdown loses nothing if it comes back within the bound, and otherwise
//! every line is either written or counted as lost on stderr; a closed stdout does not stop the
//! service; a panic that aborts the process still writes its line and sends its Sentry event.
//!
//! One binary, its own `main` (`harness = false`): run with an environment variable, it is the
//! child (`init!()`, threads logging, a SIGTERM handler); run by `cargo test`, it starts itself
//! as the child for each scenario. So no extra build is needed: the abort is a panic escaping
//! an `extern "C"` function, which aborts after the panic hooks exactly as `panic = "abort"`
//! does, with no unwinding and no destructor run.

// Signals and pipes as the scenarios use them are Unix's: elsewhere the binary does nothing.
#[cfg(unix)]
#[path = "writer_process/unix.rs"]
mod unix;

fn main() {
    #[cfg(unix)]
    unix::main();
}
