//! Redaction: one deny-list and one masking rule, shared by the JSON logs and Sentry.
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
//! The default list is [`DEFAULT_DENY_LIST`]: `password`, `passwd`, `secret`, `token`,
//! `api_key`, `apikey`, `authorization`, `cookie`, `set_cookie`, `dsn`, `database_url`,
//! `private_key` and `credential`. Names such as `session`, `ssn` or `email` are not on it:
//! add them with [`Redactor::deny`] and hand that redactor to `Init::redactor`, which gives it
//! to the JSON layer and to Sentry alike.
//!
//! # URL credentials
//!
//! Every `://` in a string starts an authority that runs to the next `/`, `?`, `#`, whitespace,
//! quote or angle bracket. If that authority holds `user:password@`, the password (up to the
//! last `@`) is replaced by `***`. A URL without a password (`https://user@host`, or
//! `user:@host`) is left alone; a string with nothing to mask comes back borrowed.

mod deny_list;
mod sensitive;
mod url;

pub use deny_list::{DEFAULT_DENY_LIST, Redactor};
pub use sensitive::Sensitive;
pub use url::mask_url_credentials;
#[cfg_attr(not(feature = "json"), allow(unused_imports))]
pub(crate) use url::{for_each_masked_piece, has_url_credentials};

/// The value written in place of a redacted one.
pub const REDACTED: &str = "[REDACTED]";

/// What replaces the password of a URL with credentials.
pub(crate) const MASK: &str = "***";
