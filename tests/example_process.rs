//! The axum example as a process, the way the README runs it: every line on stdout is a JSON
//! object, requests get their ID, and SIGTERM stops it cleanly (`cargo test` builds the
//! examples next to the test binaries).

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// `target/<profile>/examples/axum`, next to this test's `target/<profile>/deps/`.
fn example_binary() -> PathBuf {
    let test = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>");
    profile_dir.join("examples").join("axum")
}

/// Waits for the child to exit on its own; `None` if it is still running after `limit`.
fn wait_for_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn the_demo_logs_only_json_and_stops_cleanly_on_sigterm() {
    let binary = example_binary();
    assert!(
        binary.exists(),
        "{} is built by `cargo test`",
        binary.display()
    );
    let mut child = Command::new(&binary)
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .env("SERVICE_NAME", "demo-under-test")
        .env("GIT_SHA", "0123456789abcdef")
        .env_remove("SENTRY_DSN")
        .env_remove("RUST_LOG")
        .env_remove("LOG_FORMAT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the example starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));

    // The "listening" line says where: PORT=0 lets the system choose.
    let mut lines = Vec::new();
    let address = loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).expect("stdout is readable") == 0 {
            let _ = child.kill();
            panic!("the example exited before listening: {lines:?}");
        }
        let value: Value = serde_json::from_str(&line).expect("every stdout line is JSON");
        lines.push(value.clone());
        if value["message"] == "listening" {
            break value["address"].as_str().expect("an address").to_owned();
        }
    };

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let response = runtime
        .block_on(reqwest::get(format!("http://{address}/health")))
        .expect("the demo answers");
    assert_eq!(response.status(), 200);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();

    let pid = child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status();
    assert!(killed.expect("kill runs").success());
    let status = wait_for_exit(&mut child, Duration::from_secs(20));
    let Some(status) = status else {
        let _ = child.kill();
        panic!("the demo did not stop on SIGTERM");
    };
    assert!(status.success(), "clean exit on SIGTERM: {status}");

    for line in stdout.lines() {
        let line = line.expect("stdout is readable");
        lines.push(serde_json::from_str(&line).expect("every stdout line is JSON"));
    }
    for line in &lines {
        assert!(
            line["timestamp"].is_string() && line["level"].is_string(),
            "{line}"
        );
        assert_eq!(line["service"], "demo-under-test");
        assert_eq!(line["release"], "0123456789abcdef");
    }
    let access: Vec<&Value> = lines
        .iter()
        .filter(|l| l["request_id"] == id.as_str())
        .collect();
    assert_eq!(access.len(), 1, "{lines:?}");
    assert_eq!(access[0]["http.route"], "/health");
    assert!(lines.iter().any(|l| l["message"] == "stopped"), "{lines:?}");
}
