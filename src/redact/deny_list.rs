//! [`Redactor`]: the one deny-list of names whose values are never written, in logs or Sentry.

use std::fmt;

use super::tokens::Tokens;

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

/// A deny-list of field or header names whose values must be replaced by [`REDACTED`](super::REDACTED).
///
/// Matching ignores ASCII case, treats `-` and `.` as `_`, and accepts the entry as a suffix of
/// the name (see the [module docs](crate::redact#matching-rules)).
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
    /// Normalized names marked safe with [`Redactor::allow`].
    allowed: Vec<Box<[u8]>>,
    /// The token formats masked inside values, with the user's prefixes.
    pub(super) tokens: Tokens,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|e| String::from_utf8_lossy(e)))
            .finish()?;
        if !self.allowed.is_empty() {
            f.write_str(" allowing ")?;
            f.debug_list()
                .entries(self.allowed.iter().map(|e| String::from_utf8_lossy(e)))
                .finish()?;
        }
        Ok(())
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
    pub fn new() -> Self {
        Self::default()
    }

    /// A redactor that matches nothing, to build a list from scratch with [`deny`](Self::deny).
    pub fn empty() -> Self {
        Self {
            entries: Vec::new(),
            by_last_byte: Box::new([0; 256]),
            allowed: Vec::new(),
            tokens: Tokens::default(),
        }
    }

    /// Adds one name to the deny-list, matched by the [rules](crate::redact#matching-rules) of
    /// the module. An empty name, or one already there, is ignored.
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

    /// Adds several names to the deny-list, as [`deny`](Self::deny) does.
    pub fn deny_all<I>(self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        names.into_iter().fold(self, Self::deny)
    }

    /// Marks a name as safe: a name that ends with it (by the same
    /// [rules](crate::redact#matching-rules)) is never redacted, as a field name or inside a
    /// value, even if it also ends with a deny-listed entry. An empty name is ignored.
    ///
    /// ```
    /// use http_observability::redact::Redactor;
    ///
    /// let r = Redactor::default().allow("page_token");
    /// assert!(!r.is_sensitive("next_page_token"));
    /// assert!(r.is_sensitive("access_token"));
    /// assert_eq!(r.mask("page_token=abc&token=xyz"), "page_token=abc&token=[REDACTED]");
    /// ```
    pub fn allow(mut self, name: impl AsRef<str>) -> Self {
        let entry: Box<[u8]> = name.as_ref().bytes().map(normalize).collect();
        if !entry.is_empty() && !self.allowed.contains(&entry) {
            self.allowed.push(entry);
        }
        self
    }

    /// Adds a token format: a word starting with `prefix` (matched as written, case included)
    /// and followed by at least 8 characters of `[A-Za-z0-9_-]` is masked whole, wherever it
    /// appears and whatever the field is called. An empty prefix is ignored.
    ///
    /// ```
    /// use http_observability::redact::Redactor;
    ///
    /// let r = Redactor::default().token_prefix("acme_live_");
    /// assert_eq!(
    ///     r.mask("charging with acme_live_4eC39HqLyjWDarjtT1"),
    ///     "charging with [REDACTED]"
    /// );
    /// assert_eq!(r.mask("acme_live_short"), "acme_live_short");
    /// ```
    pub fn token_prefix(mut self, prefix: impl AsRef<str>) -> Self {
        self.tokens.add_prefix(prefix.as_ref());
        self
    }

    /// Whether values under `name` must be redacted.
    // Allocation-free: the JSON formatter asks it for every new field name, and the masking
    // pass for every name before a separator.
    pub fn is_sensitive(&self, name: &str) -> bool {
        let name = name.as_bytes();
        let Some(&last) = name.last() else {
            return false;
        };
        let denied = self.matches(name) || {
            // A plural: `secrets`, `credentials`.
            let singular = &name[..name.len() - 1];
            normalize(last) == b's' && !singular.is_empty() && self.matches(singular)
        };
        denied
            && !self
                .allowed
                .iter()
                .any(|entry| ends_with_normalized(name, entry))
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
}
