//! The masking pass: one scan over a string's bytes, stopping only at the few bytes a secret's
//! shape starts from, with local checks there; what is found is replaced as the pieces are
//! handed on.

use std::borrow::Cow;

use super::{MASK, REDACTED, Redactor, names, url};

/// The class of a byte that may end a name (`:`, `=`, `,`).
const SEPARATOR: u8 = 1;
/// The class of a byte that is the anchor of a token format.
const ANCHOR: u8 = 2;

/// Per byte, the classes the scan stops at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Classes(Box<[u8; 256]>);

impl Classes {
    /// The separators only.
    pub(super) fn separators() -> Self {
        let mut table = Box::new([0; 256]);
        for b in [b':', b'=', b','] {
            table[usize::from(b)] = SEPARATOR;
        }
        Self(table)
    }

    /// Marks `b` as a token anchor.
    pub(super) fn anchor(&mut self, b: u8) {
        self.0[usize::from(b)] |= ANCHOR;
    }
}

/// A range of the scanned bytes to replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Hit {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) with: &'static str,
}

impl Hit {
    /// `start..end` replaced by `[REDACTED]`.
    pub(super) fn redacted(start: usize, end: usize) -> Self {
        Self {
            start,
            end,
            with: REDACTED,
        }
    }

    /// A URL password, replaced by `***`.
    pub(super) fn url_password(start: usize, end: usize) -> Self {
        Self {
            start,
            end,
            with: MASK,
        }
    }
}

impl Redactor {
    /// Masks the secrets `s` holds, by the [rules](crate::redact#what-is-masked-inside-values)
    /// of the module; borrows when there is none.
    ///
    /// # Example
    ///
    /// ```
    /// use http_observability::redact::Redactor;
    ///
    /// let r = Redactor::default();
    /// assert_eq!(
    ///     r.mask("connecting with password=hunter2 to db"),
    ///     "connecting with password=[REDACTED] to db"
    /// );
    /// assert_eq!(
    ///     r.mask(r#"Config { db_password: "hunter2", port: 5432 }"#),
    ///     r#"Config { db_password: "[REDACTED]", port: 5432 }"#
    /// );
    /// assert!(matches!(r.mask("GET /api/docs 200"), std::borrow::Cow::Borrowed(_)));
    /// ```
    pub fn mask<'a>(&self, s: &'a str) -> Cow<'a, str> {
        let bytes = s.as_bytes();
        let Some(first) = self.next_hit(bytes, 0, 0) else {
            return Cow::Borrowed(s);
        };
        let mut out = String::with_capacity(s.len() + REDACTED.len());
        self.for_each_piece_from(bytes, Some(first), |piece| {
            // Pieces are cut at ASCII bytes of `s`, so each is valid UTF-8.
            out.push_str(&String::from_utf8_lossy(piece));
        });
        Cow::Owned(out)
    }

    /// Whether masking would change `bytes`.
    // The JSON formatter's streamed values ask this; nothing else does.
    #[cfg_attr(not(feature = "json"), allow(dead_code))]
    pub(crate) fn has_secret(&self, bytes: &[u8]) -> bool {
        self.next_hit(bytes, 0, 0).is_some()
    }

    /// Calls `emit` with consecutive pieces whose concatenation is `bytes` masked. Every piece
    /// is cut at an ASCII byte (or an end) of `bytes`; a string with nothing to mask is one
    /// piece. Allocation-free: the JSON formatter escapes each piece into its line.
    #[cfg_attr(not(feature = "json"), allow(dead_code))]
    pub(crate) fn for_each_piece(&self, bytes: &[u8], emit: impl FnMut(&[u8])) {
        let first = self.next_hit(bytes, 0, 0);
        self.for_each_piece_from(bytes, first, emit);
    }

    fn for_each_piece_from(&self, bytes: &[u8], first: Option<Hit>, mut emit: impl FnMut(&[u8])) {
        let mut from = 0;
        let mut hit = first;
        while let Some(h) = hit {
            emit(&bytes[from..h.start]);
            emit(h.with.as_bytes());
            from = h.end;
            hit = self.next_hit(bytes, h.end, from);
        }
        emit(&bytes[from..]);
    }

    /// The first secret found by a scan from `at` that starts at or after `from`.
    // The hot path: for a string with none of the class bytes, one table lookup per byte.
    fn next_hit(&self, bytes: &[u8], mut at: usize, from: usize) -> Option<Hit> {
        let classes = &self.tokens.classes.0;
        loop {
            at = first_stop(classes, bytes, at)?;
            let class = classes[usize::from(bytes[at])];
            if class & SEPARATOR != 0 {
                let found = match bytes[at] {
                    // A scheme's `://`: its user's `:` is checked next.
                    b':' if bytes.get(at + 1..at + 3) == Some(b"//") => None,
                    b':' => {
                        url::password_at(bytes, at).or_else(|| names::value_after(self, bytes, at))
                    }
                    _ => names::value_after(self, bytes, at),
                };
                if found.is_some() {
                    return found;
                }
            }
            if class & ANCHOR != 0
                && let Some(found) = self.tokens.token_at(bytes, at, from)
            {
                return Some(found);
            }
            at += 1;
        }
    }
}

/// The index of the first byte at or after `at` that has a class.
#[inline(always)]
fn first_stop(classes: &[u8; 256], bytes: &[u8], mut at: usize) -> Option<usize> {
    // Eight bytes at a time, one branch for all eight: most text has no class byte.
    while let Some(chunk) = bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        if chunk
            .iter()
            .fold(0, |any, &b| any | classes[usize::from(b)])
            != 0
        {
            break;
        }
        at += 8;
    }
    let offset = bytes
        .get(at..)?
        .iter()
        .position(|&b| classes[usize::from(b)] != 0)?;
    Some(at + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shape of the module docs, in and out.
    #[test]
    fn every_shape_is_masked() {
        let r = Redactor::default();
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.SflKxwRJSMeKKF2QT4fwpM";
        let pem =
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
        let cases: &[(&str, &str)] = &[
            (
                "http://x;postgres://u:SECRET@h",
                "http://x;postgres://u:***@h",
            ),
            (
                "redis://h1,redis://:SECRET@h2",
                "redis://h1,redis://:***@h2",
            ),
            (
                r#"Config { db_password: "SECRET", api_key: "SECRET", port: 5432 }"#,
                r#"Config { db_password: "[REDACTED]", api_key: "[REDACTED]", port: 5432 }"#,
            ),
            (
                "Config {\n    db_password: \"SECRET\",\n    port: 5432,\n}",
                "Config {\n    db_password: \"[REDACTED]\",\n    port: 5432,\n}",
            ),
            (
                r#"{"client_secret": "SECRET"}"#,
                r#"{"client_secret": "[REDACTED]"}"#,
            ),
            (
                r#"[("authorization", "Bearer SECRET")]"#,
                r#"[("authorization", "[REDACTED]")]"#,
            ),
            (
                "[\n    (\n        \"authorization\",\n        \"Bearer SECRET\",\n    ),\n]",
                "[\n    (\n        \"authorization\",\n        \"[REDACTED]\",\n    ),\n]",
            ),
            (r#""token" => "SECRET""#, r#""token" => "[REDACTED]""#),
            (
                "connecting with password=SECRET now",
                "connecting with password=[REDACTED] now",
            ),
            ("got token: SECRET", "got token: [REDACTED]"),
            (
                "upstream sent Authorization: Bearer SECRET",
                "upstream sent Authorization: Bearer [REDACTED]",
            ),
            (
                "Proxy-Authorization: Basic U0VDUkVU\r\nHost: x",
                "Proxy-Authorization: Basic [REDACTED]\r\nHost: x",
            ),
            (
                r#"{"user":"bob","password":"SECRET"}"#,
                r#"{"user":"bob","password":"[REDACTED]"}"#,
            ),
            (
                r#"body: "{\"user\":\"bob\",\"password\":\"SECRET\"}""#,
                r#"body: "{\"user\":\"bob\",\"password\":\"[REDACTED]\"}""#,
            ),
            (
                "GET /callback?code=1&access_token=SECRET&x=2",
                "GET /callback?code=1&access_token=[REDACTED]&x=2",
            ),
            ("api_key: Some(\"SECRET\")", "api_key: [REDACTED]"),
            ("password=hunter2(x) ok", "password=[REDACTED] ok"),
            ("password=\\hunter2 ok", "password=[REDACTED] ok"),
            (
                r#"\\\"password\\\":\\\"SECRET\\\"x\\\" y"#,
                r#"\\\"password\\\":\\\"[REDACTED]\\\"x\\\" y"#,
            ),
            (
                "credentials: Creds { user: \"u\", key: \"SECRET\" }, next: 1",
                "credentials: [REDACTED], next: 1",
            ),
            ("tokens: [\"SECRET\", \"x\"] ok", "tokens: [REDACTED] ok"),
            ("X-Api-Key: SECRET", "X-Api-Key: [REDACTED]"),
            ("accessToken=SECRET", "accessToken=[REDACTED]"),
            ("{'password': 'SECRET'}", "{'password': '[REDACTED]'}"),
            ("token: AKIAIOSFODNN7EXAMPLE", "token: [REDACTED]"),
            ("key AKIAIOSFODNN7EXAMPLE.", "key [REDACTED]."),
            (&format!("bearer {jwt} ok"), "bearer [REDACTED] ok"),
            (
                &format!("key={pem}"),
                "key=-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----",
            ),
            (
                "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBg",
                "-----BEGIN PRIVATE KEY-----[REDACTED]",
            ),
            (
                "gh ghp_16C7e42F292c6912E7710c838347Ae178B4a x",
                "gh [REDACTED] x",
            ),
            ("gho_16C7e42F292c6912E7710c83", "[REDACTED]"),
            ("github_pat_11ABCDEFG0123456789_abcdefghijkl", "[REDACTED]"),
            ("slack xoxb-123456789012-abcdefABCDEF", "slack [REDACTED]"),
            (
                "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                "stripe [REDACTED]",
            ),
            ("(rk_live_4eC39HqLyjWDarjtT1zdp7dc)", "([REDACTED])"),
        ];
        for (input, expected) in cases {
            assert_eq!(r.mask(input), *expected, "{input}");
            assert!(r.has_secret(input.as_bytes()), "{input}");
        }
    }

    #[test]
    fn ordinary_text_is_untouched() {
        let r = Redactor::default();
        for text in [
            "",
            "request finished",
            "0192f1c4-7d3e-7a2b-9c1d-5e6f7a8b9c0d",
            "/api/docs/7?page=2&sort=asc",
            "C:\\Users\\ann\\file.txt",
            "12:30:45.123 took 12.5 ms, 3 retries; x=1",
            "std::io::Error: connection refused (os error 111)",
            "User { id: 7, name: \"Ann\", email_verified: true }",
            "the password was rotated, the token expired",
            "password_policy=strict token_count=3 secretary: Bob",
            "https://example.com/a:b@c and https://user@host",
            "a == b, x => y",
            "ghp_short xoxb-1 sk_live_x AKIA123 eyJhbGciOi",
            "-----BEGIN CERTIFICATE-----MIIB-----END CERTIFICATE-----",
            "ünïcode – ✓ 𝄞 日本語: テキスト",
            "ASIA, Africa; KIA motors, eyes, xoxo",
        ] {
            assert!(
                matches!(r.mask(text), Cow::Borrowed(_)),
                "{text}: {}",
                r.mask(text)
            );
            let mut pieces = 0;
            r.for_each_piece(text.as_bytes(), |_| pieces += 1);
            assert_eq!(pieces, 1, "{text}");
        }
    }

    #[test]
    fn extension_points() {
        let r = Redactor::default()
            .deny("ssn")
            .allow("page_token")
            .token_prefix("acme_");
        assert_eq!(
            r.mask("customer_ssn=078-05-1120"),
            "customer_ssn=[REDACTED]"
        );
        assert_eq!(
            r.mask("next_page_token: abc, token: xyz"),
            "next_page_token: abc, token: [REDACTED]"
        );
        assert_eq!(r.mask("k acme_0123456789 x"), "k [REDACTED] x");
        assert_eq!(r.mask("acme_0123"), "acme_0123");
        let only_pin = Redactor::empty().deny("pin");
        assert_eq!(
            only_pin.mask("pin=1234 password=x"),
            "pin=[REDACTED] password=x"
        );
        // Token formats do not depend on the deny-list.
        assert_eq!(only_pin.mask("AKIAIOSFODNN7EXAMPLE"), "[REDACTED]");
    }
}
