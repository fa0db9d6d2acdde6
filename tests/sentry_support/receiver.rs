//! A Sentry-compatible envelope endpoint on 127.0.0.1: a tiny HTTP/1.1 server on std threads
//! that keeps every request body it gets, answers as told, and parses envelopes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::envelope::{self, Envelope};

/// How the receiver answers.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// With this status (200 for a working Sentry).
    Status(u16),
    /// Never: the request is read, then the connection is held open without a response.
    Never,
}

/// A running receiver. It stops with the process.
#[derive(Clone)]
pub struct Receiver {
    port: u16,
    bodies: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Receiver {
    /// Starts a receiver that answers `answer` to every request.
    pub fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&bodies);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let kept = Arc::clone(&kept);
                std::thread::spawn(move || serve(stream, answer, &kept));
            }
        });
        Self { port, bodies }
    }

    /// The DSN that points at this receiver.
    pub fn dsn(&self) -> String {
        format!(
            "http://0123456789abcdef0123456789abcdef@127.0.0.1:{}/1",
            self.port
        )
    }

    /// Every body received so far, concatenated: for "appears nowhere" checks.
    pub fn all_bytes(&self) -> Vec<u8> {
        self.bodies.lock().unwrap().concat()
    }

    /// Every envelope received so far.
    pub fn envelopes(&self) -> Vec<Envelope> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .map(|body| envelope::parse(body).expect("a well-formed envelope"))
            .collect()
    }

    /// Every event payload received so far.
    pub fn events(&self) -> Vec<Value> {
        self.items("event")
    }

    /// Every payload of items of type `kind` received so far.
    pub fn items(&self, kind: &str) -> Vec<Value> {
        self.envelopes()
            .iter()
            .flat_map(|e| e.items.iter())
            .filter(|item| item.kind() == kind)
            .map(|item| item.json())
            .collect()
    }

    /// The events tagged `request_id` = `id`, waiting up to `wait` for at least one to arrive.
    /// After a flush of the client that succeeded, everything sent is already here (the
    /// receiver keeps a body before it answers): no wait is needed.
    pub fn events_for(&self, id: &str, wait: Duration) -> Vec<Value> {
        self.items_for("event", id, wait)
    }

    /// The items of type `kind` (`event`, `transaction`) tagged `request_id` = `id`, waiting
    /// up to `wait` for at least one to arrive.
    pub fn items_for(&self, kind: &str, id: &str, wait: Duration) -> Vec<Value> {
        let deadline = Instant::now() + wait;
        loop {
            let found: Vec<Value> = self
                .items(kind)
                .into_iter()
                .filter(|item| tag(item, "request_id") == Some(id))
                .collect();
            if !found.is_empty() || Instant::now() >= deadline {
                return found;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The value of tag `name` of an event (tags are sent as an object).
pub fn tag<'a>(event: &'a Value, name: &str) -> Option<&'a str> {
    match &event["tags"] {
        Value::Object(tags) => tags.get(name).and_then(Value::as_str),
        Value::Array(pairs) => pairs
            .iter()
            .find(|pair| pair[0] == name)
            .and_then(|pair| pair[1].as_str()),
        _ => None,
    }
}

fn serve(stream: TcpStream, answer: Answer, kept: &Mutex<Vec<Vec<u8>>>) {
    let mut writer = match stream.try_clone() {
        Ok(writer) => writer,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        // Request line and headers.
        let mut length = 0usize;
        let mut chunked = false;
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let name = name.trim().to_ascii_lowercase();
                if name == "content-length" {
                    length = value.trim().parse().unwrap_or(0);
                } else if name == "transfer-encoding"
                    && value.to_ascii_lowercase().contains("chunked")
                {
                    chunked = true;
                }
            }
        }
        let body = if chunked {
            read_chunked(&mut reader)
        } else {
            let mut body = vec![0; length];
            reader.read_exact(&mut body).ok().map(|_| body)
        };
        let Some(body) = body else { return };
        // Kept before answering: once the client has its answer (so once its flush returns),
        // the body is here.
        kept.lock().unwrap().push(body);
        match answer {
            Answer::Never => {
                // Hold the connection open, never answering.
                std::thread::sleep(Duration::from_secs(3600));
                return;
            }
            Answer::Status(status) => {
                let retry = if status == 429 {
                    "Retry-After: 60\r\n"
                } else {
                    ""
                };
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{retry}content-length: 2\r\n\r\n{{}}"
                );
                if writer.write_all(response.as_bytes()).is_err() {
                    return;
                }
            }
        }
    }
}

fn read_chunked(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).ok()?;
        let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk).ok()?;
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(&chunk[..size]);
    }
}
