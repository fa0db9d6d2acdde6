//! The scenarios and the child, on Unix (signals, pipes).

#[path = "../sentry_support/envelope.rs"]
#[allow(dead_code)]
mod envelope;
#[path = "../sentry_support/receiver.rs"]
#[allow(dead_code)]
mod receiver;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Set in the child's environment: which child to be.
const CHILD: &str = "WRITER_PROCESS_CHILD";
/// Logging threads in the child.
const THREADS: u64 = 8;
/// The most lines one thread logs (then it waits for SIGTERM), to keep the test short.
const MAX_PER_THREAD: u64 = 25_000;
/// The lines one thread logs before the abort.
const ABORT_PER_THREAD: u64 = 1_000;
/// The lines the aborting thread logs last, while the reader does not read: more than the
/// pipe holds, less than the queue.
const ABORT_TAIL: u64 = 3_000;
/// The message of the child's panic.
const PANIC_MESSAGE: &str = "the child panics on purpose";

pub fn main() {
    match std::env::var(CHILD) {
        Ok(mode) => child(&mode),
        Err(_) => parent(),
    }
}

// ---- The child ----

fn child(mode: &str) {
    match mode {
        "load" => load_until_sigterm(),
        "abort" => log_then_abort(),
        other => panic!("unknown child mode {other}"),
    }
}

/// Threads log `seq` lines until SIGTERM; then the guard drains, and stderr says how many
/// lines were sent.
fn load_until_sigterm() {
    let guard = http_observability::init!().expect("logging starts");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the signal");
    let mut sigterm = runtime
        .block_on(async {
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        })
        .expect("a SIGTERM handler");
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<JoinHandle<u64>> = (0..THREADS)
        .map(|thread| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut seq = 0;
                while !stop.load(Ordering::SeqCst) {
                    if seq < MAX_PER_THREAD {
                        tracing::info!(thread, seq, "line");
                        seq += 1;
                    } else {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                }
                seq
            })
        })
        .collect();
    runtime.block_on(sigterm.recv());
    stop.store(true, Ordering::SeqCst);
    // As a service does after its graceful shutdown: the guard drains, within its bound.
    guard.shutdown();
    let sent: u64 = threads
        .into_iter()
        .map(|thread| thread.join().expect("a logging thread"))
        .sum();
    eprintln!("sent {sent}");
}

/// Logs from several threads, then panics where the panic cannot unwind: the process aborts
/// after the hooks, and no destructor (no guard) runs.
fn log_then_abort() {
    let _guard = http_observability::Init::new()
        .log_panics(true)
        .install()
        .expect("logging starts");
    let threads: Vec<JoinHandle<()>> = (0..THREADS)
        .map(|thread| {
            std::thread::spawn(move || {
                for seq in 0..ABORT_PER_THREAD {
                    tracing::info!(thread, seq, "line");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a logging thread");
    }
    tracing::info!("about to panic");
    for seq in 0..ABORT_TAIL {
        tracing::info!(thread = THREADS, seq, "line");
    }
    cannot_unwind();
}

extern "C" fn cannot_unwind() {
    panic!("{PANIC_MESSAGE}");
}

// ---- The parent ----

/// A child started in `mode`, its stdout piped, its stderr read to the end by a thread.
struct Started {
    child: Child,
    stdout: Option<BufReader<ChildStdout>>,
    stderr: Option<JoinHandle<String>>,
}

fn start(mode: &str, env: &[(&str, &str)]) -> Started {
    let mut command = Command::new(std::env::current_exe().expect("this binary"));
    command
        .env(CHILD, mode)
        .env("SERVICE_NAME", "writer-under-test")
        .env_remove("RUST_LOG")
        .env_remove("LOG_FORMAT")
        .env_remove("LOG_SHUTDOWN_TIMEOUT")
        .env_remove("SENTRY_DSN")
        // The default panic hook prints no backtrace: it would give the writer time.
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("the child starts");
    let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut stderr: ChildStderr = child.stderr.take().expect("piped stderr");
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    Started {
        child,
        stdout: Some(stdout),
        stderr: Some(stderr),
    }
}

impl Started {
    fn sigterm(&self) {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(killed.expect("kill runs").success());
    }

    fn stdout(&mut self) -> &mut BufReader<ChildStdout> {
        self.stdout.as_mut().expect("stdout still open")
    }

    /// Reads stdout until `n` lines with a `seq` have come, keeping every line.
    fn read_seq_lines(&mut self, n: usize, lines: &mut Vec<Value>) {
        let mut seen = 0;
        while seen < n {
            let mut line = String::new();
            let read = self.stdout().read_line(&mut line).expect("stdout");
            assert!(read > 0, "the child ended early");
            let value = parse(&line);
            seen += usize::from(value["seq"].is_u64());
            lines.push(value);
        }
    }

    /// Reads stdout to its end; a last line cut short (the child died in its write) is
    /// returned apart.
    fn read_to_end(&mut self, lines: &mut Vec<Value>) -> Option<String> {
        let mut rest = String::new();
        self.stdout()
            .read_to_string(&mut rest)
            .expect("stdout is UTF-8");
        let cut = (!rest.ends_with('\n') && !rest.is_empty())
            .then(|| rest.rsplit('\n').next().unwrap_or_default().to_owned());
        let whole = rest.len() - cut.as_ref().map_or(0, String::len);
        lines.extend(rest[..whole].lines().map(parse));
        cut
    }

    /// Waits for the child's exit (a safety limit, not a timing assertion) and its stderr.
    fn finish(&mut self) -> (ExitStatus, String) {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("the child can be waited for") {
                break status;
            }
            if start.elapsed() > Duration::from_secs(60) {
                let _ = self.child.kill();
                panic!("the child did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stderr = self
            .stderr
            .take()
            .expect("stderr once")
            .join()
            .expect("stderr");
        (status, stderr)
    }
}

fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}"))
}

/// The `seq` lines of each thread, checked to be in order and without repeats.
fn seq_per_thread(lines: &[Value]) -> BTreeMap<u64, u64> {
    let mut next: BTreeMap<u64, u64> = BTreeMap::new();
    for line in lines.iter().filter(|l| l["seq"].is_u64()) {
        assert_eq!(line["service"], "writer-under-test");
        let thread = line["thread"].as_u64().expect("a thread");
        let seq = line["seq"].as_u64().expect("a seq");
        let expected = next.entry(thread).or_default();
        assert_eq!(
            seq, *expected,
            "thread {thread}: line {seq} after {expected}"
        );
        *expected += 1;
    }
    next
}

/// The `sent N` line of the child's stderr.
fn sent(stderr: &str) -> u64 {
    stderr
        .lines()
        .find_map(|line| line.strip_prefix("sent "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `sent` line on stderr: {stderr}"))
}

/// The count of the writer's loss line on stderr, 0 when there is none.
fn reported_lost(stderr: &str) -> u64 {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix("http-observability: "))
        .filter_map(|line| line.split_once(" log lines were not written:"))
        .map(|(n, _)| n.parse::<u64>().expect("a count"))
        .sum()
}

/// SIGTERM while eight threads log as fast as they can: every line is on stdout.
fn sigterm_under_load_loses_nothing() {
    sigterm_after(20_000, Duration::ZERO);
}

/// The reader stops before SIGTERM and comes back after two seconds, within the 5 s bound:
/// the logging threads wait for room, the guard waits for the reader, nothing is lost.
fn a_reader_back_within_the_bound_loses_nothing() {
    sigterm_after(5_000, Duration::from_secs(2));
}

/// Reads `lines` lines, sends SIGTERM, stops reading for `pause`, then reads the rest: every
/// line sent is on stdout, and nothing is reported lost.
fn sigterm_after(lines_before: usize, pause: Duration) {
    let mut child = start("load", &[]);
    let mut lines = Vec::new();
    child.read_seq_lines(lines_before, &mut lines);
    child.sigterm();
    std::thread::sleep(pause);
    assert_eq!(child.read_to_end(&mut lines), None);
    let (status, stderr) = child.finish();
    assert!(status.success(), "{status}: {stderr}");
    let written: u64 = seq_per_thread(&lines).values().sum();
    assert_eq!(written, sent(&stderr), "{stderr}");
    assert_eq!(reported_lost(&stderr), 0, "{stderr}");
}

/// The reader stops before SIGTERM and comes back only after the child has exited, past a
/// 1 s bound: every line is either on stdout or counted in the loss line on stderr.
fn a_reader_back_after_the_bound_has_every_loss_counted() {
    let mut child = start("load", &[("LOG_SHUTDOWN_TIMEOUT", "1")]);
    let mut lines = Vec::new();
    child.read_seq_lines(5_000, &mut lines);
    child.sigterm();
    // Not reading until the child is gone (the pipe keeps what was written).
    let (status, stderr) = child.finish();
    let _cut = child.read_to_end(&mut lines);
    assert!(status.success(), "{status}: {stderr}");
    let written: u64 = seq_per_thread(&lines).values().sum();
    let lost = reported_lost(&stderr);
    assert!(lost > 0, "{stderr}");
    assert!(
        written + lost >= sent(&stderr),
        "{written} + {lost}: {stderr}"
    );
    assert!(stderr.contains("shutdown timeout passed"), "{stderr}");
}

/// Stdout closed by the reader: the child keeps logging, stops on SIGTERM and exits 0, and
/// stderr counts the lines that failed.
fn a_closed_stdout_does_not_stop_the_service() {
    let mut child = start("load", &[]);
    let mut lines = Vec::new();
    child.read_seq_lines(1_000, &mut lines);
    drop(child.stdout.take()); // the read end closes
    std::thread::sleep(Duration::from_millis(500));
    child.sigterm();
    let (status, stderr) = child.finish();
    assert!(status.success(), "{status}: {stderr}");
    let sent = sent(&stderr);
    assert!(sent > 1_000, "{stderr}");
    assert!(stderr.contains("failed to write (broken pipe)"), "{stderr}");
    assert!(reported_lost(&stderr) > 0, "{stderr}");
}

/// A panic that aborts, Sentry off: its line is written after every earlier line before the
/// process dies.
fn an_aborting_panic_writes_its_line() {
    let lines = aborting_child(&[]);
    assert_eq!(
        seq_per_thread(&lines).values().sum::<u64>(),
        THREADS * ABORT_PER_THREAD + ABORT_TAIL
    );
}

/// A panic that aborts, Sentry on: its event reaches the server before the process dies.
fn an_aborting_panic_sends_its_event() {
    let sentry = receiver::Receiver::start(receiver::Answer::Status(200));
    let dsn = sentry.dsn();
    let _lines = aborting_child(&[("SENTRY_DSN", dsn.as_str())]);
    let events = sentry.events();
    assert!(
        events
            .iter()
            .any(|event| event.to_string().contains(PANIC_MESSAGE)),
        "{events:?}"
    );
}

/// Runs the aborting child; its lines, the panic's line checked.
fn aborting_child(env: &[(&str, &str)]) -> Vec<Value> {
    let mut child = start("abort", env);
    let mut lines = Vec::new();
    // The reader stops for a second when the child is about to panic, so that the panic's
    // line is queued behind more lines than the pipe takes: only a hook that waits for the
    // writer gets it out.
    loop {
        let mut line = String::new();
        assert!(child.stdout().read_line(&mut line).expect("stdout") > 0);
        let value = parse(&line);
        let last = value["message"] == "about to panic";
        lines.push(value);
        if last {
            break;
        }
    }
    std::thread::sleep(Duration::from_secs(1));
    let _cut = child.read_to_end(&mut lines);
    let (status, stderr) = child.finish();
    assert!(!status.success(), "the child aborts: {status}");
    let panic = lines
        .iter()
        .find(|l| l["panic.message"] == PANIC_MESSAGE)
        .unwrap_or_else(|| panic!("no panic line: {stderr}"));
    assert_eq!(panic["level"], "ERROR");
    lines
}

fn parent() {
    let scenarios: [(&str, fn()); 6] = [
        (
            "sigterm_under_load_loses_nothing",
            sigterm_under_load_loses_nothing,
        ),
        (
            "a_reader_back_within_the_bound_loses_nothing",
            a_reader_back_within_the_bound_loses_nothing,
        ),
        (
            "a_reader_back_after_the_bound_has_every_loss_counted",
            a_reader_back_after_the_bound_has_every_loss_counted,
        ),
        (
            "a_closed_stdout_does_not_stop_the_service",
            a_closed_stdout_does_not_stop_the_service,
        ),
        (
            "an_aborting_panic_writes_its_line",
            an_aborting_panic_writes_its_line,
        ),
        (
            "an_aborting_panic_sends_its_event",
            an_aborting_panic_sends_its_event,
        ),
    ];
    // `cargo test NAME` passes NAME on: run the scenarios whose name contains it.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    for (name, scenario) in scenarios {
        if filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())) {
            println!("test {name} ...");
            scenario();
            println!("test {name} ... ok");
        }
    }
}
