//! Token formats recognised whatever the field is called: JWTs, AWS access key ids, PEM private
//! key blocks, the prefixed tokens of GitHub, Slack and Stripe, and the user's own prefixes.

use super::scan::{Classes, Hit};

/// How the bytes after a token's prefix are recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    /// At least `min` bytes of `[A-Za-z0-9_-]`.
    Chars { min: usize },
    /// Exactly 16 bytes of `[A-Z0-9]` (an AWS access key id after `AKIA`).
    AwsKeyId,
    /// The rest of a JWT after `eyJ`: header, `.`, payload, `.`, signature (base64url).
    Jwt,
    /// The rest of a PEM block after `-----BEGIN `: only private keys; the body is masked,
    /// the BEGIN and END lines kept.
    Pem,
}

/// One token format: a literal prefix and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    prefix: Box<[u8]>,
    body: Body,
    /// The index in `prefix` of its rarest byte, the one the scan stops at.
    anchor: usize,
}

/// The built-in token formats.
const BUILT_IN: &[(&str, Body)] = &[
    ("eyJ", Body::Jwt),
    ("AKIA", Body::AwsKeyId),
    ("-----BEGIN ", Body::Pem),
    ("ghp_", Body::Chars { min: 20 }),
    ("gho_", Body::Chars { min: 20 }),
    ("ghu_", Body::Chars { min: 20 }),
    ("ghs_", Body::Chars { min: 20 }),
    ("ghr_", Body::Chars { min: 20 }),
    ("github_pat_", Body::Chars { min: 20 }),
    ("xoxa-", Body::Chars { min: 10 }),
    ("xoxb-", Body::Chars { min: 10 }),
    ("xoxp-", Body::Chars { min: 10 }),
    ("xoxo-", Body::Chars { min: 10 }),
    ("xoxr-", Body::Chars { min: 10 }),
    ("xoxs-", Body::Chars { min: 10 }),
    ("sk_live_", Body::Chars { min: 10 }),
    ("rk_live_", Body::Chars { min: 10 }),
];

/// How many bytes must follow a user's prefix.
pub(super) const USER_PREFIX_MIN_BODY: usize = 8;

/// The token formats of a [`Redactor`](super::Redactor), with the byte classes the scan stops
/// at (the separators and each format's anchor byte).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Tokens {
    rules: Vec<Rule>,
    pub(super) classes: Classes,
}

impl Default for Tokens {
    fn default() -> Self {
        let mut tokens = Self {
            rules: Vec::new(),
            classes: Classes::separators(),
        };
        for &(prefix, body) in BUILT_IN {
            tokens.push(prefix.as_bytes(), body);
        }
        tokens
    }
}

/// A rank of how often `b` appears in text (lower is rarer), to pick a prefix's anchor.
fn commonness(b: u8) -> u8 {
    match b {
        b' ' => 5,
        b'a'..=b'z' => 4,
        b'A'..=b'Z' => 3,
        b'0'..=b'9' => 2,
        0x80.. => 1,
        _ => 0,
    }
}

impl Tokens {
    fn push(&mut self, prefix: &[u8], body: Body) {
        let Some(anchor) = (0..prefix.len()).min_by_key(|&i| commonness(prefix[i])) else {
            return;
        };
        if self.rules.iter().any(|r| *r.prefix == *prefix) {
            return;
        }
        self.classes.anchor(prefix[anchor]);
        self.rules.push(Rule {
            prefix: prefix.into(),
            body,
            anchor,
        });
    }

    /// Adds a user's prefix: a token starting with it is masked.
    pub(super) fn add_prefix(&mut self, prefix: &str) {
        self.push(
            prefix.as_bytes(),
            Body::Chars {
                min: USER_PREFIX_MIN_BODY,
            },
        );
    }

    /// The token whose anchor byte is at `at`, starting at or after `from`, if any.
    pub(super) fn token_at(&self, bytes: &[u8], at: usize, from: usize) -> Option<Hit> {
        let b = bytes[at];
        self.rules.iter().find_map(|rule| {
            if rule.prefix[rule.anchor] != b || at < from + rule.anchor {
                return None;
            }
            let start = at - rule.anchor;
            let after = start + rule.prefix.len();
            if bytes.get(start..after)? != &*rule.prefix {
                return None;
            }
            // A token starts a word: `xghp_...` is not a GitHub token.
            if start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
                return None;
            }
            let (start, end) = match rule.body {
                Body::Chars { min } => {
                    let end = run(bytes, after, is_token_byte);
                    (end - after >= min).then_some((start, end))?
                }
                Body::AwsKeyId => {
                    let end = run(bytes, after, |c| {
                        c.is_ascii_uppercase() || c.is_ascii_digit()
                    });
                    (end - after == 16 && bytes.get(end).is_none_or(|c| !c.is_ascii_alphanumeric()))
                        .then_some((start, end))?
                }
                Body::Jwt => (start, jwt_end(bytes, after)?),
                Body::Pem => pem_body(bytes, after)?,
            };
            Some(Hit::redacted(start, end))
        })
    }
}

/// Base64url and the separators tokens use: `[A-Za-z0-9_-]`.
fn is_token_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// The end of the run of bytes matching `f` from `from`.
fn run(bytes: &[u8], from: usize, f: impl Fn(u8) -> bool) -> usize {
    from + bytes[from.min(bytes.len())..]
        .iter()
        .position(|&c| !f(c))
        .unwrap_or(bytes.len().saturating_sub(from))
}

/// The end of a JWT whose header's base64url continues at `from`: `header.payload.signature`
/// with a non-empty payload (an unsigned token has an empty signature).
fn jwt_end(bytes: &[u8], from: usize) -> Option<usize> {
    let header = run(bytes, from, is_token_byte);
    if bytes.get(header) != Some(&b'.') {
        return None;
    }
    let payload = run(bytes, header + 1, is_token_byte);
    if payload == header + 1 || bytes.get(payload) != Some(&b'.') {
        return None;
    }
    Some(run(bytes, payload + 1, is_token_byte))
}

/// The body of a PEM block whose label starts at `from` (after `-----BEGIN `), if the label
/// names a private key: from the end of the BEGIN line to the `-----END` marker (or the end of
/// the text when it was cut).
fn pem_body(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    // A label is short: `ENCRYPTED PRIVATE KEY`, `OPENSSH PRIVATE KEY`.
    let window = &bytes[from..bytes.len().min(from + 64)];
    let label_len = find(window, b"-----")?;
    find(&window[..label_len], b"PRIVATE KEY")?;
    let body = from + label_len + 5;
    let end = find(&bytes[body..], b"-----END").map_or(bytes.len(), |i| body + i);
    (end > body).then_some((body, end))
}

/// The index of the first `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
