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
//! - the request URL's user and password (`https://user:secret@host` becomes
//!   `https://[Filtered]@host`);
//! - the values of tags, extra data, `Other` context fields and breadcrumb data whose key is
//!   on the deny-list;
//! - the secrets inside every other string sent: the message and its parameters, exception
//!   values (an error chain's messages), tags, breadcrumb messages and data, extra data,
//!   context fields, header values and the URL's path, masked by
//!   [`Redactor::mask`](crate::redact::Redactor::mask): `password=[REDACTED]`,
//!   `https://user:***@host`, token formats.
//!
//! The deny-list and the masking pass are the ones of [`crate::redact`], which the JSON
//! formatter and the pretty output use too: one list decides what is secret in the logs and
//! in Sentry.

use std::borrow::Cow;

use sentry::protocol::{Breadcrumb, Context, Event, Map, Request, Value};

use crate::redact::Redactor;

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
    scrub_string_opt(&mut event.message, r);
    if let Some(logentry) = event.logentry.as_mut() {
        scrub_string(&mut logentry.message, r);
        logentry.params.iter_mut().for_each(|v| scrub_value(v, r));
    }
    for exception in event.exception.values.iter_mut() {
        scrub_string_opt(&mut exception.value, r);
    }
    for (key, value) in event.tags.iter_mut() {
        if r.is_sensitive(key) {
            *value = FILTERED.to_owned();
        } else {
            scrub_string(value, r);
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
    scrub_string_opt(&mut breadcrumb.message, r);
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
        if let Cow::Owned(path) = r.mask(url.path()) {
            url.set_path(&path);
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
        scrub_string(value, r);
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
        Value::String(s) => scrub_string(s, r),
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

fn scrub_string(s: &mut String, r: &Redactor) {
    if let Cow::Owned(masked) = r.mask(s) {
        *s = masked;
    }
}

fn scrub_string_opt(s: &mut Option<String>, r: &Redactor) {
    if let Some(s) = s.as_mut() {
        scrub_string(s, r);
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

    #[test]
    fn secrets_inside_strings_are_masked_everywhere() {
        let secret = "hunter2-CANARY";
        let says = format!("connecting with password={secret} failed");
        let mut event = Event {
            message: Some(says.clone()),
            logentry: Some(sentry::protocol::LogEntry {
                message: says.clone(),
                params: vec![Value::from(format!("token: {secret}"))],
            }),
            request: Some(Request {
                url: format!("http://host/reset/ghp_{secret}0123456789abcdefghij")
                    .parse()
                    .ok(),
                headers: [("x-note".to_owned(), says.clone())].into_iter().collect(),
                ..Default::default()
            }),
            ..Default::default()
        };
        event.exception.values.push(sentry::protocol::Exception {
            value: Some(format!("db error: Config {{ db_password: \"{secret}\" }}")),
            ..Default::default()
        });
        event.breadcrumbs.values.push(Breadcrumb {
            message: Some(format!("upstream sent Authorization: Bearer {secret}")),
            data: [(
                "body".to_owned(),
                Value::from(format!(r#"{{"api_key":"{secret}"}}"#)),
            )]
            .into_iter()
            .collect(),
            ..Default::default()
        });
        event
            .extra
            .insert("config".into(), Value::from(format!("secret: {secret}")));
        event.tags.insert("note".into(), says);
        let event = scrub_event(event, &Redactor::default()).unwrap();
        let text = serde_json::to_string(&event).unwrap();
        assert!(!text.contains("CANARY"), "{text}");
        assert_eq!(
            event.message.as_deref(),
            Some("connecting with password=[REDACTED] failed")
        );
        assert_eq!(
            event.request.unwrap().url.unwrap().path(),
            "/reset/[REDACTED]"
        );
    }
}
