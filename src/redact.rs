//! Redaction: one deny-list and masking rules, shared by the JSON output and Sentry scrubbing.
//!
//! Three tools, all framework-free and available without any feature:
//!
//! - [`Redactor`]: a deny-list of field (or header) names whose values must never be written.
//!   [`Redactor::is_sensitive`] answers for one name.
//! - [`mask_url_credentials`]: replaces the password of every `scheme://user:password@host`
//!   in a string by `***`.
//! - [`Sensitive`]: a wrapper that marks a value at the call site; its `Display` and `Debug`
//!   print `[REDACTED]`.
//!
//! # Example
//!
//! ```
//! use http_observability::redact::{Redactor, Sensitive, mask_url_credentials};
//!
//! let redactor = Redactor::default();
//! assert!(redactor.is_sensitive("password"));
//! assert!(redactor.is_sensitive("db_password")); // as a suffix
//! assert!(redactor.is_sensitive("X-Api-Key")); // case and dashes do not matter
//! assert!(!redactor.is_sensitive("user_id"));
//!
//! assert_eq!(
//!     mask_url_credentials("postgres://app:hunter2@db:5432/app"),
//!     "postgres://app:***@db:5432/app"
//! );
//!
//! let card = Sensitive("4111 1111 1111 1111");
//! assert_eq!(card.to_string(), "[REDACTED]");
//! tracing::info!(card = %card, "payment accepted"); // logs "card":"[REDACTED]"
//! ```
//!
//! # Matching rules
//!
//! A name matches an entry of the deny-list when, ignoring ASCII case and treating `-` and `.`
//! as `_`, the name **ends with** the entry, optionally followed by a plural `s`. So the entry
//! `password` matches `password`, `Password`, `db_password`, `user.password` and `passwords`;
//! the entry `api_key` matches `x-api-key` and `X-Api-Key`; `cookie` matches `Set-Cookie`. A
//! name that only *starts* with an entry (`password_policy`) does not match.
//!
//! The default list is [`DEFAULT_DENY_LIST`].
//!
//! # URL credentials
//!
//! Every `://` in a string starts an authority that runs to the next `/`, `?`, `#`, whitespace,
//! quote or angle bracket. If that authority holds `user:password@`, the password (up to the
//! last `@`) is replaced by `***`. A URL without a password (`https://user@host`) is left
//! alone. The scan is allocation-free when nothing matches.

use std::borrow::Cow;
use std::fmt;

/// The value written in place of a redacted one.
pub const REDACTED: &str = "[REDACTED]";

/// What replaces the password of a URL with credentials.
pub const MASK: &str = "***";

/// The default deny-list of [`Redactor::default`]: names whose values are never written.
pub const DEFAULT_DENY_LIST: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "authorization",
    "cookie",
    "set_cookie",
    "dsn",
    "database_url",
    "private_key",
    "credential",
];

/// A deny-list of field or header names whose values must be replaced by [`REDACTED`].
///
/// Matching ignores ASCII case, treats `-` and `.` as `_`, and accepts the entry as a suffix of
/// the name (see the [module docs](self#matching-rules)).
///
/// # Example
///
/// ```
/// use http_observability::redact::Redactor;
///
/// let redactor = Redactor::default().deny("ssn");
/// assert!(redactor.is_sensitive("customer_ssn"));
/// assert!(redactor.is_sensitive("Authorization"));
///
/// let only_pin = Redactor::empty().deny("pin");
/// assert!(only_pin.is_sensitive("card.pin"));
/// assert!(!only_pin.is_sensitive("password"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Redactor {
    /// Normalized entries: ASCII lower case, `-` and `.` replaced by `_`.
    entries: Vec<Box<[u8]>>,
    /// Per last byte, the entries (bit i = entry i, for the first 64) ending with it: most
    /// names are rejected after one table lookup.
    by_last_byte: Box<[u64; 256]>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|e| String::from_utf8_lossy(e)))
            .finish()
    }
}

impl Default for Redactor {
    /// The [`DEFAULT_DENY_LIST`].
    fn default() -> Self {
        Self::empty().deny_all(DEFAULT_DENY_LIST.iter().copied())
    }
}

impl Redactor {
    /// A redactor with the [`DEFAULT_DENY_LIST`]; the same as `Redactor::default()`.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(http_observability::redact::Redactor::new().is_sensitive("secret"));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// A redactor that matches nothing, to build a list from scratch with [`deny`](Self::deny).
    ///
    /// # Example
    ///
    /// ```
    /// let redactor = http_observability::redact::Redactor::empty();
    /// assert!(!redactor.is_sensitive("password"));
    /// ```
    pub fn empty() -> Self {
        Self {
            entries: Vec::new(),
            by_last_byte: Box::new([0; 256]),
        }
    }

    /// Adds one name to the deny-list. An empty name is ignored.
    ///
    /// # Example
    ///
    /// ```
    /// let redactor = http_observability::redact::Redactor::default().deny("X-Session");
    /// assert!(redactor.is_sensitive("x_session"));
    /// ```
    pub fn deny(mut self, name: impl AsRef<str>) -> Self {
        let entry: Box<[u8]> = name.as_ref().bytes().map(normalize).collect();
        if let Some(&last) = entry.last()
            && !self.entries.contains(&entry)
        {
            if self.entries.len() < 64 {
                self.by_last_byte[usize::from(last)] |= 1 << self.entries.len();
            }
            self.entries.push(entry);
        }
        self
    }

    /// Adds several names to the deny-list.
    ///
    /// # Example
    ///
    /// ```
    /// let redactor = http_observability::redact::Redactor::empty().deny_all(["pin", "cvv"]);
    /// assert!(redactor.is_sensitive("card_cvv"));
    /// ```
    pub fn deny_all<I>(self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        names.into_iter().fold(self, Self::deny)
    }

    /// Whether values under `name` must be redacted. Allocation-free.
    ///
    /// # Example
    ///
    /// ```
    /// let redactor = http_observability::redact::Redactor::default();
    /// assert!(redactor.is_sensitive("Proxy-Authorization"));
    /// assert!(redactor.is_sensitive("refresh_tokens"));
    /// assert!(!redactor.is_sensitive("token_count"));
    /// ```
    pub fn is_sensitive(&self, name: &str) -> bool {
        let name = name.as_bytes();
        let Some(&last) = name.last() else {
            return false;
        };
        if self.matches(name) {
            return true;
        }
        // A plural: `secrets`, `credentials`.
        let singular = &name[..name.len() - 1];
        normalize(last) == b's' && !singular.is_empty() && self.matches(singular)
    }

    /// Whether non-empty `name` ends with an entry.
    fn matches(&self, name: &[u8]) -> bool {
        let last = name.last().map_or(0, |&b| normalize(b));
        let mut candidates = self.by_last_byte[usize::from(last)];
        while candidates != 0 {
            let i = candidates.trailing_zeros() as usize;
            if ends_with_normalized(name, &self.entries[i]) {
                return true;
            }
            candidates &= candidates - 1;
        }
        self.entries
            .iter()
            .skip(64)
            .any(|entry| ends_with_normalized(name, entry))
    }
}

/// ASCII lower case, with `-` and `.` as `_`.
fn normalize(b: u8) -> u8 {
    match b {
        b'-' | b'.' => b'_',
        b => b.to_ascii_lowercase(),
    }
}

/// Whether `name`, normalized, ends with the (already normalized) `entry`.
fn ends_with_normalized(name: &[u8], entry: &[u8]) -> bool {
    name.len() >= entry.len()
        && name[name.len() - entry.len()..]
            .iter()
            .zip(entry)
            .all(|(&n, &e)| normalize(n) == e)
}

/// Replaces the password of every URL with credentials in `s` by `***`; borrows when there is
/// none.
///
/// # Example
///
/// ```
/// use http_observability::redact::mask_url_credentials;
///
/// assert_eq!(
///     mask_url_credentials("redis://:s3cret@cache:6379 and https://u:p@x.example/a"),
///     "redis://:***@cache:6379 and https://u:***@x.example/a"
/// );
/// assert!(matches!(
///     mask_url_credentials("https://example.com/a"),
///     std::borrow::Cow::Borrowed(_)
/// ));
/// ```
pub fn mask_url_credentials(s: &str) -> Cow<'_, str> {
    if find_url_password(s, 0).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for_each_masked_piece(s, |piece| out.push_str(piece));
    Cow::Owned(out)
}

/// Calls `emit` with consecutive pieces of `s` whose concatenation is `s` with every URL
/// password replaced by `***`. Allocation-free: this is the form the JSON formatter uses on
/// its hot path.
///
/// # Example
///
/// ```
/// use http_observability::redact::for_each_masked_piece;
///
/// let mut out = String::new();
/// for_each_masked_piece("amqp://guest:guest@mq/", |piece| out.push_str(piece));
/// assert_eq!(out, "amqp://guest:***@mq/");
/// ```
pub fn for_each_masked_piece(s: &str, mut emit: impl FnMut(&str)) {
    let mut from = 0;
    while let Some((start, end)) = find_url_password(s, from) {
        emit(&s[from..start]);
        emit(MASK);
        from = end;
    }
    emit(&s[from..]);
}

/// Whether `s` holds a URL with a password, i.e. whether masking would change it.
///
/// # Example
///
/// ```
/// use http_observability::redact::has_url_credentials;
///
/// assert!(has_url_credentials("postgres://u:p@h/db"));
/// assert!(!has_url_credentials("postgres://u@h/db"));
/// ```
pub fn has_url_credentials(s: &str) -> bool {
    find_url_password(s, 0).is_some()
}

/// The byte range of the next URL password in `s` at or after `from`.
fn find_url_password(s: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut at = from;
    loop {
        // Find the next "://" by looking for ':' (cheap, byte-wise).
        let colon = at + bytes.get(at..)?.iter().position(|&b| b == b':')?;
        if bytes.get(colon + 1..colon + 3) != Some(b"//") {
            at = colon + 1;
            continue;
        }
        let authority_start = colon + 3;
        let authority_len = bytes[authority_start..]
            .iter()
            .position(|&b| {
                matches!(b, b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>')
                    || b.is_ascii_whitespace()
            })
            .unwrap_or(bytes.len() - authority_start);
        let authority = &bytes[authority_start..authority_start + authority_len];
        if let Some(at_sign) = authority.iter().rposition(|&b| b == b'@')
            && let Some(pw_colon) = authority[..at_sign].iter().position(|&b| b == b':')
        {
            let start = authority_start + pw_colon + 1;
            let end = authority_start + at_sign;
            // An empty password (`user:@host`) has nothing to hide.
            if start < end {
                return Some((start, end));
            }
        }
        at = authority_start + authority_len;
    }
}

/// Marks a value as sensitive at the call site: its `Display` and `Debug` print
/// `[REDACTED]`, whatever the field name.
///
/// # Example
///
/// ```
/// use http_observability::redact::Sensitive;
///
/// let ssn = Sensitive("078-05-1120");
/// tracing::info!(customer = %ssn, "verified"); // "customer":"[REDACTED]"
/// assert_eq!(format!("{ssn:?}"), "[REDACTED]");
/// assert_eq!(ssn.into_inner(), "078-05-1120");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Sensitive<T>(pub T);

impl<T> Sensitive<T> {
    /// Unwraps the value.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(http_observability::redact::Sensitive(7).into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_list_matches_exact_suffix_case_and_dashes() {
        let r = Redactor::default();
        for name in [
            "password",
            "PASSWORD",
            "db_password",
            "user.password",
            "passwd",
            "client_secret",
            "access_token",
            "X-Auth-Token",
            "api_key",
            "x-api-key",
            "X-Api-Key",
            "apikey",
            "Authorization",
            "proxy-authorization",
            "cookie",
            "Set-Cookie",
            "sentry_dsn",
            "DATABASE_URL",
            "private_key",
            "aws_credentials",
            "secrets",
        ] {
            assert!(r.is_sensitive(name), "{name} should be sensitive");
        }
        for name in [
            "user_id",
            "password_policy",
            "token_count",
            "path",
            "",
            "s",
            "url",
            "keyboard",
        ] {
            assert!(!r.is_sensitive(name), "{name} should not be sensitive");
        }
    }

    #[test]
    fn custom_lists() {
        let r = Redactor::empty().deny("PIN").deny("").deny("pin");
        assert_eq!(r.entries.len(), 1);
        assert_eq!(format!("{r:?}"), r#"["pin"]"#);
        let many = (0..100).fold(Redactor::empty(), |r, i| r.deny(format!("k{i}")));
        assert!(many.is_sensitive("x_k3") && many.is_sensitive("x_k99"));
        assert!(!many.is_sensitive("x_k100"));
        assert!(r.is_sensitive("card.pin"));
        assert!(!r.is_sensitive("password"));
        assert!(
            Redactor::new()
                .deny_all(["ssn"])
                .is_sensitive("customer_ssn")
        );
    }

    #[test]
    fn masks_url_passwords() {
        let cases = [
            ("postgres://u:p@h/db", "postgres://u:***@h/db"),
            ("see postgres://u:p@h:5432", "see postgres://u:***@h:5432"),
            ("redis://:pw@h", "redis://:***@h"),
            ("https://u:p:q@h", "https://u:***@h"),
            ("https://u:p@x@h/", "https://u:***@h/"),
            ("a://u:1@h b://v:2@i", "a://u:***@h b://v:***@i"),
            (
                "https://h/?next=http://u:p@i",
                "https://h/?next=http://u:***@i",
            ),
            ("\"http://u:p@h\"", "\"http://u:***@h\""),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_url_credentials(input), expected, "{input}");
            assert!(has_url_credentials(input));
        }
        for untouched in [
            "",
            "https://example.com/a:b@c",
            "https://user@host",
            "http://u:@h",
            "time 12:30 at x@y",
            "://",
            "a:/",
            "ends with :",
            "ünïcode://ü:ö@ä",
        ] {
            let masked = mask_url_credentials(untouched);
            if untouched.starts_with("ünï") {
                assert_eq!(masked, "ünïcode://ü:***@ä");
            } else {
                assert!(matches!(masked, Cow::Borrowed(_)), "{untouched}");
            }
        }
    }

    #[test]
    fn sensitive_prints_redacted() {
        let s = Sensitive(String::from("hunter2"));
        assert_eq!(s.to_string(), REDACTED);
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{:>20}", s), REDACTED);
        assert_eq!(Sensitive::from(3).into_inner(), 3);
    }
}
