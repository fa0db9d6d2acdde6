//! The example services' contract, checked over real HTTP against any of them (the axum and the
//! actix-web example answer the same routes with the same logs).

use std::net::SocketAddr;

use serde_json::{Value, json};

use super::{global_capture, request_id};

/// `POST /docs` echoes a valid incoming ID, and its `document stored` line carries it with
/// `doc_id`, `title` and the route.
pub async fn incoming_id_is_echoed_and_on_every_line(addr: SocketAddr) {
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/docs"))
        .header("x-request-id", "echo-me-1")
        .json(&json!({ "title": "first" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(request_id(&response), "echo-me-1");
    let body: Value = response.json().await.unwrap();
    assert!(body["id"].as_u64().unwrap() >= 1);

    let lines = global_capture().lines_of("echo-me-1");
    let stored = lines
        .iter()
        .find(|l| l["message"] == "document stored")
        .unwrap();
    assert_eq!(stored["level"], "INFO");
    assert_eq!(stored["title"], "first");
    assert_eq!(stored["doc_id"], body["id"]);
    assert_eq!(stored["http.route"], "/docs");
    for line in &lines {
        assert!(line["timestamp"].is_string() && line["level"].is_string());
    }
}

/// `GET /health` and `GET /ready` answer their JSON with a fresh UUID v7 and one access line.
pub async fn health_and_ready_answer_and_generate_an_id(addr: SocketAddr) {
    for (path, body) in [
        ("health", json!({"status":"ok"})),
        ("ready", json!({"status":"ready"})),
    ] {
        let response = reqwest::get(format!("http://{addr}/{path}")).await.unwrap();
        assert_eq!(response.status(), 200);
        let id = request_id(&response);
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 7);
        assert_eq!(response.json::<Value>().await.unwrap(), body);
        assert_eq!(global_capture().lines_of(&id).len(), 1, "one access line");
    }
}

/// The access events of request `id`, once there is one (waiting for it up to ten seconds: a
/// server notices a client's hang-up at its next write).
pub async fn access_events_once_written(id: &str) -> Vec<Value> {
    for _ in 0..500 {
        let access: Vec<Value> = global_capture()
            .access_events()
            .into_iter()
            .filter(|line| line["request_id"] == id)
            .collect();
        if !access.is_empty() {
            return access;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no access event for {id}");
}

/// `GET /stream?chunks=3&delay_ms=100` sends three chunks, and its one access line comes after
/// the last: its latency covers the two delays, its size is every byte sent.
pub async fn a_stream_is_logged_after_its_last_byte(addr: SocketAddr) {
    let response = reqwest::Client::new()
        .get(format!("http://{addr}/stream?chunks=3&delay_ms=100"))
        .header("x-request-id", "stream-full-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert_eq!(body, "chunk 1 of 3\nchunk 2 of 3\nchunk 3 of 3\n");
    let access = access_events_once_written("stream-full-1").await;
    assert_eq!(access.len(), 1, "{access:?}");
    let event = &access[0];
    assert_eq!(event["level"], "INFO");
    assert_eq!(event["message"], "request completed");
    assert_eq!(event["http.route"], "/stream");
    assert_eq!(event["http.response.status_code"], 200);
    assert_eq!(event["http.response.body.size"], body.len());
    assert!(event.get("end_reason").is_none(), "{event}");
    // The two sleeps between the chunks happened before the line was written.
    let latency = event["latency_ms"].as_f64().unwrap();
    let head = event["head_latency_ms"].as_f64().unwrap();
    assert!(latency >= 200.0, "{event}");
    assert!(head <= latency, "{event}");
}

/// A client that hangs up in the middle of `GET /stream` gets one access line, saying so, with
/// the bytes sent until then.
pub async fn a_client_that_hangs_up_mid_stream_is_logged_as_gone(addr: SocketAddr) {
    let mut response = reqwest::Client::new()
        .get(format!("http://{addr}/stream?chunks=100&delay_ms=50"))
        .header("x-request-id", "stream-gone-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let first = response.chunk().await.unwrap().unwrap();
    assert_eq!(&first[..], b"chunk 1 of 100\n");
    drop(response);
    let access = access_events_once_written("stream-gone-1").await;
    assert_eq!(access.len(), 1, "{access:?}");
    let event = &access[0];
    assert_eq!(event["end_reason"], "client_gone", "{event}");
    assert_eq!(event["level"], "INFO");
    assert_eq!(event["http.response.status_code"], 200);
    let size = event["http.response.body.size"].as_u64().unwrap();
    let full: u64 = (1..=100)
        .map(|n| format!("chunk {n} of 100\n").len() as u64)
        .sum();
    assert!(size >= 15 && size < full, "{event}");
}

/// `GET /stream` answers 400 to values that are not whole numbers within bounds.
pub async fn bad_stream_values_answer_400(addr: SocketAddr) {
    let client = reqwest::Client::new();
    for query in [
        "chunks=101",
        "delay_ms=1001",
        "chunks=abc",
        "chunks=-1",
        "delay_ms=",
    ] {
        let response = client
            .get(format!("http://{addr}/stream?{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].is_string(), "{query}: {body}");
    }
}
