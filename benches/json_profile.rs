//! Not a measurement: writes one kind of JSON line `n` times under one log profile, for a
//! profiler that counts instructions (repeatable on a noisy machine, unlike times).
//! BENCHMARKS.md quotes its figures.
//!
//! ```sh
//! cargo bench --bench json_profile --no-run   # prints the binary's path
//! valgrind --tool=callgrind <binary> gcp event 20000   # then `<binary> gcp event 0`
//! ```
//!
//! Instructions per line = (total of the first run − total of the second) / 20000.
//! Arguments: the profile (`default`, `gcp`, `datadog`, `ecs`, `aws`, `azure`), the line
//! (`event`: the json_format bench's event; `access`: the access record), both inside a traced
//! `request` span and a `handler` span, and the number of lines (default 20000).

use std::io;

use http_observability::json::LogProfile;

#[path = "support/json_lines.rs"]
mod json_lines;

use json_lines::{access_event, deployed, event, in_traced_spans};

fn main() {
    // `cargo bench` runs every bench binary with `--bench`: this one has nothing to measure.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.is_empty() {
        return println!("json_profile: a driver for a profiler; see its source for use");
    }
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    let profile: LogProfile = match arg(0).parse() {
        Ok(profile) => profile,
        Err(error) => return eprintln!("{error}"),
    };
    let line: fn() = match arg(1) {
        "event" => event,
        "access" => access_event,
        other => return eprintln!("unknown line {other:?}: event, access"),
    };
    let n: u32 = arg(2).parse().unwrap_or(20_000);
    let dispatch = deployed(io::sink, profile);
    tracing::dispatcher::with_default(&dispatch, || {
        in_traced_spans(|| {
            // Warmed up in both runs, so that the difference is the steady state.
            for _ in 0..100 {
                line();
            }
            for _ in 0..n {
                line();
            }
        });
    });
}
