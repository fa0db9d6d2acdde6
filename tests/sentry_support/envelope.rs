//! A parser for Sentry's envelope format: a header line, then items, each an item-header line
//! (JSON, with an optional `length`) and a payload (`length` bytes, or up to the next newline).

use serde_json::Value;

/// One item of an envelope.
#[derive(Debug, Clone)]
pub struct Item {
    pub headers: Value,
    pub payload: Vec<u8>,
}

impl Item {
    /// The item's `type` header (`event`, `transaction`, `client_report`, …).
    pub fn kind(&self) -> &str {
        self.headers["type"].as_str().unwrap_or("")
    }

    /// The payload parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.payload).expect("item payload is JSON")
    }
}

/// A parsed envelope.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub headers: Value,
    pub items: Vec<Item>,
}

/// Parses an envelope, or says what is wrong with it.
pub fn parse(bytes: &[u8]) -> Result<Envelope, String> {
    let (header, mut rest) = split_line(bytes);
    let headers = serde_json::from_slice(header).map_err(|e| format!("envelope header: {e}"))?;
    let mut items = Vec::new();
    while !rest.is_empty() {
        let (item_header, after) = split_line(rest);
        if item_header.is_empty() {
            rest = after;
            continue;
        }
        let item_headers: Value =
            serde_json::from_slice(item_header).map_err(|e| format!("item header: {e}"))?;
        let (payload, after) = match item_headers.get("length").and_then(Value::as_u64) {
            Some(length) => {
                let length = length as usize;
                if after.len() < length {
                    return Err(format!("item payload shorter than its length {length}"));
                }
                let (payload, after) = after.split_at(length);
                // A newline may follow the payload.
                (payload, after.strip_prefix(b"\n").unwrap_or(after))
            }
            None => split_line(after),
        };
        items.push(Item {
            headers: item_headers,
            payload: payload.to_vec(),
        });
        rest = after;
    }
    Ok(Envelope { headers, items })
}

fn split_line(bytes: &[u8]) -> (&[u8], &[u8]) {
    match bytes.iter().position(|&b| b == b'\n') {
        Some(i) => (&bytes[..i], &bytes[i + 1..]),
        None => (bytes, &[]),
    }
}

#[test]
fn parses_items_with_and_without_length() {
    let raw = b"{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n\
{\"type\":\"attachment\",\"length\":10}\n\
\xef\xbb\xbfHello\r\n\n\
{\"type\":\"event\"}\n\
{\"message\":\"hello\"}\n";
    let envelope = parse(raw).unwrap();
    assert_eq!(envelope.items.len(), 2);
    assert_eq!(envelope.items[0].payload.len(), 10);
    assert_eq!(envelope.items[1].kind(), "event");
    assert_eq!(envelope.items[1].json()["message"], "hello");
}
