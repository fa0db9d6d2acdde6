//! What is removed from every Sentry event before it leaves the process.
//!
//! [`scrub_event`] is installed as the client's `before_send`. It removes:
//!
//! - request headers that carry credentials or identity (`Authorization`,
//!   `Proxy-Authorization`, `Cookie`, `Set-Cookie`, `X-Api-Key`, `X-Forwarded-For`, …) and any
//!   header whose name is on the deny-list;
//! - the request's cookies and body;
//! - every query value: the URL is sent without its query, and `query_string` keeps the keys
//!   only (`token=[Filtered]&page=[Filtered]`);
//! - credentials in URLs (`https://user:secret@host` becomes `https://[Filtered]@host`), in the
//!   request URL and in every message, exception value and string field;
//! - the values of tags, extra data, context fields and breadcrumb data whose key is on the
//!   deny-list.

use std::borrow::Cow;

use sentry::protocol::{Breadcrumb, Context, Event, Map, Request, Value};

/// What a removed value is replaced with.
pub(crate) const FILTERED: &str = "[Filtered]";

/// Headers that are never sent, whatever the deny-list says (the list sentry itself uses, and
/// a few more).
const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "x-auth-token",
    "x-csrf-token",
    "x-xsrf-token",
    "x-forwarded-for",
    "x-real-ip",
    "forwarded",
];

/// Whether a field, header or query key names a secret.
///
/// Interim: the crate's shared deny-list (`crate::redact`) replaces this once it lands, so
/// that the JSON output and Sentry use one list.
pub(crate) fn is_sensitive(name: &str) -> bool {
    const PARTS: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "token",
        "authorization",
        "cookie",
        "api_key",
        "apikey",
        "session",
        "credential",
        "private_key",
        "signature",
    ];
    let name = name.to_ascii_lowercase().replace('-', "_");
    name == "auth" || name == "pwd" || PARTS.iter().any(|part| name.contains(part))
}

/// Masks the user and password of every URL in `text` (`scheme://user:pass@host`).
pub(crate) fn mask_url_credentials(text: &str) -> Cow<'_, str> {
    if !text.contains("://") || !text.contains('@') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let (head, tail) = rest.split_at(start + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace() || c == '"')
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str(FILTERED);
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The `before_send` of the client: scrubs `event` as the [module docs](self) say.
pub(crate) fn scrub_event(mut event: Event<'static>) -> Option<Event<'static>> {
    if let Some(request) = event.request.as_mut() {
        scrub_request(request);
    }
    scrub_string_opt(&mut event.message);
    if let Some(logentry) = event.logentry.as_mut() {
        scrub_string(&mut logentry.message);
    }
    for exception in event.exception.values.iter_mut() {
        scrub_string_opt(&mut exception.value);
    }
    for (key, value) in event.tags.iter_mut() {
        if is_sensitive(key) {
            *value = FILTERED.to_owned();
        } else {
            scrub_string(value);
        }
    }
    scrub_map(&mut event.extra);
    for context in event.contexts.values_mut() {
        if let Context::Other(map) = context {
            scrub_map(map);
        }
    }
    for breadcrumb in event.breadcrumbs.values.iter_mut() {
        scrub_breadcrumb(breadcrumb);
    }
    Some(event)
}

fn scrub_breadcrumb(breadcrumb: &mut Breadcrumb) {
    scrub_string_opt(&mut breadcrumb.message);
    scrub_map(&mut breadcrumb.data);
}

fn scrub_request(request: &mut Request) {
    request.cookies = None;
    request.data = None;
    if let Some(url) = request.url.as_mut() {
        if let Some(query) = url.query() {
            if request.query_string.is_none() {
                request.query_string = Some(query.to_owned());
            }
        }
        url.set_query(None);
        url.set_fragment(None);
        if !url.username().is_empty() || url.password().is_some() {
            let _ = url.set_username(FILTERED);
            let _ = url.set_password(None);
        }
    }
    if let Some(query) = request.query_string.as_mut() {
        *query = keys_only(query);
    }
    request.headers.retain(|name, _| {
        let lower = name.to_ascii_lowercase();
        !SENSITIVE_HEADERS.contains(&lower.as_str()) && !is_sensitive(&lower)
    });
    for value in request.headers.values_mut() {
        scrub_string(value);
    }
    request.env.retain(|name, _| !is_sensitive(name));
}

/// `a=1&b=2` → `a=[Filtered]&b=[Filtered]`.
fn keys_only(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let key = pair.split_once('=').map_or(pair, |(key, _)| key);
            format!("{key}={FILTERED}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn scrub_map(map: &mut Map<String, Value>) {
    for (key, value) in map.iter_mut() {
        if is_sensitive(key) {
            *value = Value::String(FILTERED.to_owned());
        } else {
            scrub_value(value);
        }
    }
}

fn scrub_value(value: &mut Value) {
    match value {
        Value::String(s) => scrub_string(s),
        Value::Array(items) => items.iter_mut().for_each(scrub_value),
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if is_sensitive(key) {
                    *value = Value::String(FILTERED.to_owned());
                } else {
                    scrub_value(value);
                }
            }
        }
        _ => {}
    }
}

fn scrub_string(s: &mut String) {
    if let Cow::Owned(masked) = mask_url_credentials(s) {
        *s = masked;
    }
}

fn scrub_string_opt(s: &mut Option<String>) {
    if let Some(s) = s.as_mut() {
        scrub_string(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_list_names() {
        for name in [
            "Authorization",
            "x-api-key",
            "API_KEY",
            "db_password",
            "session_id",
            "auth",
        ] {
            assert!(is_sensitive(name), "{name}");
        }
        for name in ["user_agent", "path", "request_id", "author"] {
            assert!(!is_sensitive(name), "{name}");
        }
    }

    #[test]
    fn url_credentials_are_masked_everywhere_in_text() {
        assert_eq!(
            mask_url_credentials("connect postgres://app:s3cret@db:5432/x failed"),
            "connect postgres://[Filtered]@db:5432/x failed"
        );
        assert_eq!(mask_url_credentials("a@b, no url"), "a@b, no url");
        assert_eq!(
            mask_url_credentials("http://h/p?x=a@b"),
            "http://h/p?x=a@b",
            "an @ after the authority is not a credential"
        );
    }

    #[test]
    fn request_loses_secrets_and_query_values() {
        let mut headers = Map::new();
        for (k, v) in [
            ("Authorization", "Bearer CANARY"),
            ("cookie", "sid=CANARY"),
            ("X-Api-Key", "CANARY"),
            ("x-session-token", "CANARY"),
            ("accept", "text/plain"),
        ] {
            headers.insert(k.to_owned(), v.to_owned());
        }
        let mut event = Event {
            request: Some(Request {
                url: "http://u:CANARY@host/p?token=CANARY&page=2".parse().ok(),
                cookies: Some("sid=CANARY".into()),
                headers,
                ..Default::default()
            }),
            ..Default::default()
        };
        event = scrub_event(event).unwrap();
        let text = serde_json::to_string(&event).unwrap();
        assert!(!text.contains("CANARY"), "{text}");
        let request = event.request.unwrap();
        assert_eq!(
            request.url.unwrap().as_str(),
            "http://%5BFiltered%5D@host/p"
        );
        assert_eq!(
            request.query_string.as_deref(),
            Some("token=[Filtered]&page=[Filtered]")
        );
        assert_eq!(request.headers.len(), 1);
        assert!(request.headers.contains_key("accept"));
    }

    #[test]
    fn fields_on_the_deny_list_are_filtered() {
        let mut fields = Map::new();
        fields.insert("password".into(), Value::from("CANARY"));
        fields.insert("user".into(), Value::from("ann"));
        fields.insert(
            "nested".into(),
            serde_json::json!({"api_key": "CANARY", "dsn": "https://k:CANARY@o.example/1"}),
        );
        let mut event = Event::default();
        event
            .contexts
            .insert("Rust Tracing Fields".into(), Context::Other(fields.clone()));
        event.extra = fields.clone();
        event.tags.insert("token".into(), "CANARY".into());
        event.breadcrumbs.values.push(Breadcrumb {
            data: fields,
            ..Default::default()
        });
        let event = scrub_event(event).unwrap();
        let text = serde_json::to_string(&event).unwrap();
        assert!(!text.contains("CANARY"), "{text}");
        assert!(text.contains("ann"));
    }
}
