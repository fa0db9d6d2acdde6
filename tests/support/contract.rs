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
