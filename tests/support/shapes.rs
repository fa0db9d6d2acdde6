//! Every shape a secret arrives in, as ERROR events to log, with the value each must have in a
//! JSON line: shared by the JSON, pretty and Sentry masking tests.

use std::collections::BTreeMap;
use std::error::Error;
use std::fmt;
use std::io;

/// The secret of the shapes that carry a free-form one.
pub const CANARY: &str = "CANARY7f3a9c";
/// A JWT.
pub const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJDQU5BUlkifQ.Q0FOQVJZc2lnbmF0dXJl";
/// An AWS access key id.
pub const AWS_KEY_ID: &str = "AKIACANARY7F3A9C0000";
/// The body of a PEM private key.
pub const PEM_BODY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCCANARY";
/// A GitHub token.
pub const GITHUB: &str = "ghp_CANARY7f3a9c0123456789abcdefABCDEF";
/// A Slack token.
pub const SLACK: &str = "xoxb-123456789012-CANARY7f3a9c";
/// A Stripe key.
pub const STRIPE: &str = "sk_live_CANARY7f3a9c0123456789";

/// Every secret the shapes log: none may appear in what is written or sent.
pub const SECRETS: [&str; 7] = [CANARY, JWT, AWS_KEY_ID, PEM_BODY, GITHUB, SLACK, STRIPE];

/// One shape: what it logs (one ERROR event), and the value of `key` in its JSON line.
pub struct Shape {
    pub name: &'static str,
    pub log: Box<dyn Fn()>,
    pub key: &'static str,
    pub expected: String,
}

// Read by its `Debug`.
#[allow(dead_code)]
#[derive(Debug)]
struct Config {
    db_password: &'static str,
    api_key: &'static str,
    port: u16,
}

const CONFIG: Config = Config {
    db_password: CANARY,
    api_key: CANARY,
    port: 5432,
};

/// An error whose source says the secret.
#[derive(Debug)]
struct ConnectFailed(io::Error);

impl fmt::Display for ConnectFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connect failed")
    }
}

impl Error for ConnectFailed {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.0)
    }
}

fn shape(name: &'static str, key: &'static str, expected: &str, log: impl Fn() + 'static) -> Shape {
    Shape {
        name,
        log: Box::new(log),
        key,
        expected: expected.to_owned(),
    }
}

/// The shapes, in the order of the masking rules' table.
pub fn shapes() -> Vec<Shape> {
    vec![
        shape(
            "url after url",
            "url",
            "http://x;postgres://u:***@h",
            || {
                tracing::error!(url = format!("http://x;postgres://u:{CANARY}@h"), "shape");
            },
        ),
        shape(
            "url after url, comma",
            "url",
            "redis://h1,redis://:***@h2",
            || {
                tracing::error!(url = format!("redis://h1,redis://:{CANARY}@h2"), "shape");
            },
        ),
        shape(
            "Debug struct",
            "config",
            r#"Config { db_password: "[REDACTED]", api_key: "[REDACTED]", port: 5432 }"#,
            || tracing::error!(config = ?CONFIG, "shape"),
        ),
        shape(
            "pretty Debug struct",
            "message",
            "Config {\n    db_password: \"[REDACTED]\",\n    api_key: \"[REDACTED]\",\n    port: 5432,\n}",
            || tracing::error!("{CONFIG:#?}"),
        ),
        shape("map", "map", r#"{"client_secret": "[REDACTED]"}"#, || {
            tracing::error!(map = ?BTreeMap::from([("client_secret", CANARY)]), "shape");
        }),
        shape(
            "list of pairs",
            "headers",
            r#"[("authorization", "[REDACTED]")]"#,
            || {
                let bearer = format!("Bearer {CANARY}");
                tracing::error!(headers = ?[("authorization", bearer.as_str())], "shape");
            },
        ),
        shape(
            "key=value in a message",
            "message",
            "connecting with password=[REDACTED]",
            || tracing::error!("connecting with password={CANARY}"),
        ),
        shape(
            "key: value in a message",
            "message",
            "got token: [REDACTED]",
            || {
                tracing::error!("got token: {CANARY}");
            },
        ),
        shape("an error's message", "error", "password=[REDACTED]", || {
            let err = io::Error::other(format!("password={CANARY}"));
            tracing::error!(error = &err as &dyn Error, "shape");
        }),
        shape(
            "an error chain",
            "error",
            "connect failed: password=[REDACTED]",
            || {
                let err = ConnectFailed(io::Error::other(format!("password={CANARY}")));
                tracing::error!(error = &err as &dyn Error, "shape");
            },
        ),
        shape(
            "a header line",
            "message",
            "upstream sent Authorization: Bearer [REDACTED]",
            || tracing::error!("upstream sent Authorization: Bearer {CANARY}"),
        ),
        shape(
            "JSON text",
            "body",
            r#"{"user":"bob","password":"[REDACTED]"}"#,
            || {
                let body = format!(r#"{{"user":"bob","password":"{CANARY}"}}"#);
                tracing::error!(body = body.as_str(), "shape");
            },
        ),
        shape(
            "a query string",
            "message",
            "GET /callback?code=1&access_token=[REDACTED]",
            || tracing::error!("GET /callback?code=1&access_token={CANARY}"),
        ),
        shape("a JWT", "note", "session [REDACTED]", || {
            tracing::error!(note = %format_args!("session {JWT}"), "shape");
        }),
        shape("an AWS access key id", "note", "[REDACTED]", || {
            tracing::error!(note = AWS_KEY_ID, "shape");
        }),
        shape(
            "a PEM private key",
            "note",
            "-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----",
            || {
                let pem =
                    format!("-----BEGIN PRIVATE KEY-----\n{PEM_BODY}\n-----END PRIVATE KEY-----");
                tracing::error!(note = pem.as_str(), "shape");
            },
        ),
        shape(
            "GitHub, Slack and Stripe tokens",
            "note",
            "[REDACTED] [REDACTED] [REDACTED]",
            || tracing::error!(note = ?format_args!("{GITHUB} {SLACK} {STRIPE}"), "shape"),
        ),
        shape("a span field", "hint", "redis://:***@h", || {
            let span = tracing::error_span!("job", hint = %format_args!("redis://:{CANARY}@h"));
            let _entered = span.enter();
            tracing::error!("shape");
        }),
        shape(
            "a span field recorded later",
            "detail",
            r#"Config { db_password: "[REDACTED]", api_key: "[REDACTED]", port: 5432 }"#,
            || {
                let span = tracing::error_span!("job", detail = tracing::field::Empty);
                span.record("detail", tracing::field::debug(&CONFIG));
                let _entered = span.enter();
                tracing::error!("shape");
            },
        ),
    ]
}
