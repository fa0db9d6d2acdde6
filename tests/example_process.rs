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

/// Reads the child's stdout up to its "listening" line, which says where (PORT=0 lets the
/// system choose): the lines so far, raw, and the address.
fn until_listening(child: &mut Child, stdout: &mut impl BufRead) -> (Vec<String>, String) {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).expect("stdout is readable") == 0 {
            let _ = child.kill();
            panic!("the example exited before listening: {lines:?}");
        }
        let value: Value = serde_json::from_str(&line).expect("every stdout line is JSON");
        lines.push(line);
        if value["message"] == "listening" {
            let address = value["address"].as_str().expect("an address").to_owned();
            return (lines, address);
        }
    }
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

    let (raw, address) = until_listening(&mut child, &mut stdout);
    let mut lines: Vec<Value> = raw
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();

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

#[path = "support/unique_keys.rs"]
mod unique_keys;

/// The example `name`'s lines for a traced `GET /health` (sampled) and an untraced
/// `GET /error`, with `env`, then its exit status after SIGTERM.
fn lines_of_example(name: &str, env: &[(&str, &str)]) -> (Vec<Value>, std::process::ExitStatus) {
    let binary = example_binary().with_file_name(name);
    let mut command = Command::new(&binary);
    command
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .env("SERVICE_NAME", "demo-under-test")
        .env("GIT_SHA", "0123456789abcdef")
        .env("APP_ENV", "production")
        .env("RUST_LOG", "info")
        .env_remove("SENTRY_DSN")
        .env_remove("LOG_FORMAT")
        .env_remove("LOG_PROFILE")
        .env_remove("GOOGLE_CLOUD_PROJECT");
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{} starts: {e}", binary.display()));
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let (mut raw, address) = until_listening(&mut child, &mut stdout);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let traced = client
            .get(format!("http://{address}/health"))
            .header("traceparent", format!("00-{TRACE_ID}-00f067aa0ba902b7-01"))
            .send()
            .await
            .expect("the example answers");
        assert_eq!(traced.status(), 200);
        let failed = client
            .get(format!("http://{address}/error"))
            .send()
            .await
            .expect("the example answers");
        assert_eq!(failed.status(), 500);
    });
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    assert!(killed.expect("kill runs").success());
    let Some(status) = wait_for_exit(&mut child, Duration::from_secs(20)) else {
        let _ = child.kill();
        panic!("{name} did not stop on SIGTERM");
    };
    raw.extend(stdout.lines().map(|line| line.expect("stdout is readable")));
    let lines = raw.iter().map(|l| unique_keys::parse_unique(l)).collect();
    (lines, status)
}

/// The trace id of the `traceparent` the traced request sends.
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// Checks one line against the key map of `profile` (docs/log-profiles.md).
fn follows_the_map(profile: &str, line: &Value) {
    let s = |key: &str| line[key].as_str().map(str::to_owned);
    let access = [&line["target"], &line["log.logger"]]
        .iter()
        .any(|t| *t == "http_observability::access");
    let trace = s("trace_id");
    let span = s("span_id");
    let low64 = |hex: &str| u64::from_str_radix(&hex[hex.len() - 16..], 16).map(|n| n.to_string());
    // A line of a request carries its trace.
    if line.get("request_id").is_some() {
        assert!(trace.is_some() && span.is_some(), "{profile}: {line}");
    }
    let (level_key, time_key) = match profile {
        "gcp" => ("severity", "time"),
        "datadog" => ("status", "timestamp"),
        "ecs" => ("log.level", "@timestamp"),
        _ => ("level", "timestamp"),
    };
    let level = s(level_key).unwrap_or_else(|| panic!("{profile}: no {level_key}: {line}"));
    assert!(
        s(time_key).is_some_and(|t| t.ends_with('Z')),
        "{profile}: {line}"
    );
    for key in ["level", "timestamp"] {
        if key != level_key && key != time_key {
            assert!(line.get(key).is_none(), "{profile}: {key} in {line}");
        }
    }
    match profile {
        "gcp" => {
            assert!(["DEBUG", "INFO", "WARNING", "ERROR"].contains(&level.as_str()));
            if let (Some(trace), Some(span)) = (&trace, &span) {
                let link = format!("projects/my-project/traces/{trace}");
                assert_eq!(line["logging.googleapis.com/trace"], link.as_str());
                assert_eq!(line["logging.googleapis.com/spanId"], span.as_str());
                let sampled = line["trace_flags"] == "01";
                assert_eq!(line["logging.googleapis.com/trace_sampled"], sampled);
            }
            if access {
                let request = &line["httpRequest"];
                assert_eq!(request["requestMethod"], line["http.request.method"]);
                assert_eq!(request["requestUrl"], line["url.path"]);
                assert_eq!(request["status"], line["http.response.status_code"]);
                let latency = request["latency"].as_str().expect("a latency");
                let seconds: f64 = latency
                    .strip_suffix('s')
                    .expect("…s")
                    .parse()
                    .expect("secs");
                let ms = line["latency_ms"].as_f64().expect("latency_ms");
                assert!((seconds * 1000.0 - ms).abs() < 0.001, "{line}");
            } else {
                assert!(line.get("httpRequest").is_none(), "{line}");
            }
            let context = &line["serviceContext"];
            if level == "ERROR" {
                assert_eq!(context["service"], "demo-under-test", "{line}");
                assert_eq!(context["version"], "0123456789abcdef", "{line}");
            } else {
                assert!(context.is_null(), "{line}");
            }
        }
        "datadog" => {
            assert_eq!(level, level.to_lowercase());
            if let (Some(trace), Some(span)) = (&trace, &span) {
                assert_eq!(s("dd.trace_id"), low64(trace).ok(), "{line}");
                assert_eq!(s("dd.span_id"), low64(span).ok(), "{line}");
            }
            assert_eq!(line["dd.service"], "demo-under-test");
            assert_eq!(line["dd.env"], "production");
            assert_eq!(line["dd.version"], "0123456789abcdef");
        }
        "ecs" => {
            assert_eq!(level, level.to_lowercase());
            assert!(line.get("target").is_none() && line.get("service").is_none());
            assert!(
                s("log.logger").is_some() && s("message").is_some(),
                "{line}"
            );
            assert_eq!(line["service.name"], "demo-under-test");
            assert_eq!(line["service.version"], "0123456789abcdef");
            assert_eq!(line["service.environment"], "production");
            assert_eq!(line["ecs.version"], "8.11.0");
            assert_eq!(s("trace.id"), trace, "{line}");
            assert_eq!(s("span.id"), span, "{line}");
            if access {
                let ms = line["latency_ms"].as_f64().expect("latency_ms");
                let ns = line["event.duration"].as_u64().expect("event.duration");
                assert_eq!(ns, (ms * 1000.0).round() as u64 * 1000, "{line}");
            }
        }
        "aws" => {
            let xray = trace.map(|t| format!("1-{}-{}", &t[..8], &t[8..]));
            assert_eq!(s("xray_trace_id"), xray, "{line}");
        }
        "azure" => {
            assert_eq!(s("operation_Id"), trace, "{line}");
            assert_eq!(s("operation_ParentId"), span, "{line}");
        }
        _ => {
            assert!(["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&level.as_str()));
            assert_eq!(line["service"], "demo-under-test");
        }
    }
}

/// `LOG_PROFILE=<profile> cargo run --example axum` (and actix): every line follows the
/// profile's map, for a request that came with a trace and one that did not.
#[test]
fn both_demos_write_every_line_in_the_shape_of_each_profile() {
    let examples: &[&str] = if cfg!(feature = "actix") {
        &["axum", "actix"]
    } else {
        &["axum"]
    };
    for example in examples {
        for profile in ["default", "gcp", "datadog", "ecs", "aws", "azure"] {
            let env = [
                ("LOG_PROFILE", profile),
                ("GOOGLE_CLOUD_PROJECT", "my-project"),
            ];
            let (lines, status) = lines_of_example(example, &env);
            assert!(status.success(), "{example} {profile}: {status}");
            for line in &lines {
                follows_the_map(profile, line);
            }
            let traced: Vec<&Value> = lines.iter().filter(|l| l["trace_id"] == TRACE_ID).collect();
            assert!(!traced.is_empty(), "{example} {profile}: {lines:?}");
            let errors = lines
                .iter()
                .filter(|l| l["http.route"] == "/error" && l.get("request_id").is_some())
                .count();
            assert_eq!(
                errors, 2,
                "{example} {profile}: the handler's and the access line"
            );
        }
    }
}

/// An unknown profile stops the example at start-up, naming the variable.
#[test]
fn an_unknown_profile_is_an_error_naming_the_variable() {
    let output = Command::new(example_binary())
        .env("LOG_PROFILE", "stackdriver")
        .env("PORT", "0")
        .output()
        .expect("the example runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown LOG_PROFILE `stackdriver`: expected one of `default`, `gcp`"),
        "{stderr}"
    );
}

/// A request still streaming ten seconds after SIGTERM is cut short: the demo exits 1, having
/// written every line, the cut request's access record among them.
#[test]
fn a_request_cut_short_at_shutdown_still_has_its_record() {
    let mut child = Command::new(example_binary())
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .env_remove("SENTRY_DSN")
        .env_remove("RUST_LOG")
        .env_remove("LOG_FORMAT")
        .env_remove("LOG_PROFILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let (mut raw, address) = until_listening(&mut child, &mut stdout);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    // 60 chunks a second apart: still streaming when the ten seconds of grace are over.
    let response = runtime
        .block_on(reqwest::get(format!(
            "http://{address}/stream?chunks=60&delay_ms=1000"
        )))
        .expect("the head arrives");
    let id = response.headers()["x-request-id"]
        .to_str()
        .expect("a header value")
        .to_owned();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    assert!(killed.expect("kill runs").success());
    let Some(status) = wait_for_exit(&mut child, Duration::from_secs(30)) else {
        let _ = child.kill();
        panic!("the demo did not stop after its grace period");
    };
    drop(response);
    assert_eq!(status.code(), Some(1), "cut short: {status}");
    raw.extend(stdout.lines().map(|line| line.expect("stdout is readable")));
    let lines: Vec<Value> = raw
        .iter()
        .map(|l| serde_json::from_str(l).expect("every stdout line is JSON"))
        .collect();
    assert!(
        lines.iter().any(|l| l["level"] == "WARN"
            && l["message"]
                .as_str()
                .is_some_and(|m| m.contains("did not finish within 10 s"))),
        "{lines:?}"
    );
    let records: Vec<&Value> = lines
        .iter()
        .filter(|l| l["target"] == "http_observability::access" && l["request_id"] == id.as_str())
        .collect();
    assert_eq!(records.len(), 1, "{lines:?}");
    assert_eq!(records[0]["http.route"], "/stream");
}
