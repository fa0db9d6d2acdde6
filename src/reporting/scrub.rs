//! What is removed from every Sentry event before it leaves the process.
//!
//! [`scrub_event`] is installed as the client's `before_send`. It removes:
//!
//! - request headers that carry credentials or identity ([`SENSITIVE_HEADERS`]) and any
//!   header whose name is on the deny-list;
//! - the request's cookies and body, and its environment entries whose name is on the
//!   deny-list;
//! - every query value: the URL is sent without its query and fragment, and `query_string`
//!   keeps the keys only (`token=[Filtered]&page=[Filtered]`);
//! - credentials in URLs: the request URL's user and password (`https://user:secret@host`
//!   becomes `https://[Filtered]@host`), and the password of every URL in a message, exception
//!   value, tag, header value and string field (`https://user:***@host`, the mask of
//!   [`crate::redact`]);
//! - the values of tags, extra data, `Other` context fields and breadcrumb data whose key is
//!   on the deny-list.
//!
//! The deny-list and the URL masking are the ones of [`crate::redact`], which the JSON
//! formatter uses too: one list decides what is secret in the logs and in Sentry.

use std::borrow::Cow;

use sentry::protocol::{Breadcrumb, Context, Event, Map, Request, Value};

use crate::redact::{Redactor, mask_url_credentials};

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

/// The `before_send` of the client: scrubs `event` as the [module docs](self) say.
pub(crate) fn scrub_event(mut event: Event<'static>, r: &Redactor) -> Option<Event<'static>> {
    if let Some(request) = event.request.as_mut() {
        scrub_request(request, r);
    }
    scrub_string_opt(&mut event.message);
    if let Some(logentry) = event.logentry.as_mut() {
        scrub_string(&mut logentry.message);
    }
    for exception in event.exception.values.iter_mut() {
        scrub_string_opt(&mut exception.value);
    }
    for (key, value) in event.tags.iter_mut() {
        if r.is_sensitive(key) {
            *value = FILTERED.to_owned();
        } else {
            scrub_string(value);
        }
    }
    scrub_map(&mut event.extra, r);
    for context in event.contexts.values_mut() {
        if let Context::Other(map) = context {
            scrub_map(map, r);
        }
    }
    for breadcrumb in event.breadcrumbs.values.iter_mut() {
        scrub_breadcrumb(breadcrumb, r);
    }
    Some(event)
}

fn scrub_breadcrumb(breadcrumb: &mut Breadcrumb, r: &Redactor) {
    scrub_string_opt(&mut breadcrumb.message);
    scrub_map(&mut breadcrumb.data, r);
}

fn scrub_request(request: &mut Request, r: &Redactor) {
    request.cookies = None;
    request.data = None;
    if let Some(url) = request.url.as_mut() {
        if let Some(query) = url.query()
            && request.query_string.is_none()
        {
            request.query_string = Some(query.to_owned());
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
        !SENSITIVE_HEADERS.contains(&lower.as_str()) && !r.is_sensitive(&lower)
    });
    for value in request.headers.values_mut() {
        scrub_string(value);
    }
    request.env.retain(|name, _| !r.is_sensitive(name));
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

fn scrub_map(map: &mut Map<String, Value>, r: &Redactor) {
    for (key, value) in map.iter_mut() {
        if r.is_sensitive(key) {
            *value = Value::String(FILTERED.to_owned());
        } else {
            scrub_value(value, r);
        }
    }
}

fn scrub_value(value: &mut Value, r: &Redactor) {
    match value {
        Value::String(s) => scrub_string(s),
        Value::Array(items) => items.iter_mut().for_each(|v| scrub_value(v, r)),
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if r.is_sensitive(key) {
                    *value = Value::String(FILTERED.to_owned());
                } else {
                    scrub_value(value, r);
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
    fn headers_are_judged_by_the_shared_deny_list() {
        let r = Redactor::default();
        for name in [
            "Authorization",
            "x-api-key",
            "API_KEY",
            "db_password",
            "x-session-token",
        ] {
            assert!(r.is_sensitive(name), "{name}");
        }
        for name in ["user_agent", "path", "request_id", "author"] {
            assert!(!r.is_sensitive(name), "{name}");
        }
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
        event = scrub_event(event, &Redactor::default()).unwrap();
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
        let event = scrub_event(event, &Redactor::default()).unwrap();
        let text = serde_json::to_string(&event).unwrap();
        assert!(!text.contains("CANARY"), "{text}");
        assert!(text.contains("ann"));
    }
}
