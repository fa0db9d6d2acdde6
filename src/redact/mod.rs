//! Redaction: one deny-list and one masking pass, shared by the JSON logs, the pretty output
//! and Sentry.
//!
//! Four tools, all framework-free and available without any feature:
//!
//! - [`Redactor`]: a deny-list of field (or header) names whose values must never be written.
//!   [`Redactor::is_sensitive`] answers for one name.
//! - [`Redactor::mask`]: masks the secrets a string holds, whatever the field is called: the
//!   value after a deny-listed name (`password=…`, `db_password: "…"`, `"api_key": "…"`),
//!   URL passwords and well-known token formats. Every string the JSON layer, the pretty
//!   output and the Sentry scrubbing write goes through this pass.
//! - [`mask_url_credentials`]: replaces the password of every `scheme://user:password@host`
//!   in a string by `***` (the URL rule of [`Redactor::mask`] alone).
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
//!     redactor.mask(r#"Config { db_password: "hunter2", port: 5432 }"#),
//!     r#"Config { db_password: "[REDACTED]", port: 5432 }"#
//! );
//! assert_eq!(
//!     redactor.mask("upstream sent Authorization: Bearer abc.def"),
//!     "upstream sent Authorization: Bearer [REDACTED]"
//! );
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
//! the entry `api_key` matches `x-api-key` and `X-Api-Key`; `cookie` matches `Set-Cookie`;
//! `token` matches `accessToken`. A name that only *starts* with an entry (`password_policy`)
//! does not match. A name that ends with an entry marked safe with [`Redactor::allow`] never
//! matches.
//!
//! The default list is [`DEFAULT_DENY_LIST`]: `password`, `passwd`, `secret`, `token`,
//! `api_key`, `apikey`, `authorization`, `cookie`, `set_cookie`, `dsn`, `database_url`,
//! `private_key` and `credential`. Names such as `session`, `ssn` or `email` are not on it:
//! add them with [`Redactor::deny`] and hand that redactor to `Init::redactor`, which gives it
//! to the JSON layer, the pretty output and Sentry alike.
//!
//! # What is masked inside values
//!
//! [`Redactor::mask`] replaces each of these by `[REDACTED]` (a URL password by `***`):
//!
//! | shape | before | after |
//! |---|---|---|
//! | a deny-listed name, `:` or `=`, a value | `password=hunter2`, `got token: abc` | `password=[REDACTED]`, `got token: [REDACTED]` |
//! | the same in a `Debug` struct, plain or `{:#?}` | `Config { db_password: "pw", port: 1 }` | `Config { db_password: "[REDACTED]", port: 1 }` |
//! | a wrapped or nested value | `api_key: Some("k")`, `secret: Inner { a: 1 }`, `tokens: ["a"]` | `api_key: [REDACTED]`, `secret: [REDACTED]`, `tokens: [REDACTED]` |
//! | JSON text, a map's `Debug` | `{"password":"pw"}`, `{"client_secret": "s"}` | `{"password":"[REDACTED]"}`, `{"client_secret": "[REDACTED]"}` |
//! | pairs | `("authorization", "Bearer t")`, `"token" => "t"` | `("authorization", "[REDACTED]")`, `"token" => "[REDACTED]"` |
//! | a query string | `/cb?code=1&access_token=t&x=2` | `/cb?code=1&access_token=[REDACTED]&x=2` |
//! | a header line (`Authorization`, `Proxy-Authorization`): the scheme kept, the rest of the line masked | `Authorization: Bearer t` | `Authorization: Bearer [REDACTED]` |
//! | URL credentials anywhere, whatever precedes the URL | `redis://h1,redis://:pw@h2` | `redis://h1,redis://:***@h2` |
//! | a JWT (`eyJ….….…`) | `eyJhbGciOi.eyJzdWIi.sig` | `[REDACTED]` |
//! | an AWS access key id (`AKIA` and 16 of `[A-Z0-9]`) | `AKIAIOSFODNN7EXAMPLE` | `[REDACTED]` |
//! | a PEM private key block: the BEGIN and END lines kept | `-----BEGIN PRIVATE KEY-----MII…-----END PRIVATE KEY-----` | `-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----` |
//! | GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_` and 20 more), Slack (`xoxa-`, `xoxb-`, `xoxp-`, `xoxo-`, `xoxr-`, `xoxs-` and 10 more) and Stripe (`sk_live_`, `rk_live_` and 10 more) tokens | `ghp_16C7e42F292c6912E7710c838347Ae178B4a` | `[REDACTED]` |
//!
//! A value after a name runs to its closing quote when it is quoted (`"…"`, `'…'`, or `\"…\"`
//! inside a `Debug` string), over its brackets when it opens one (with the word before them:
//! `Some(…)`, `Secret { … }`), else to the next space,
//! `,`, `;`, `&`, quote or closing bracket. A name is the run of letters, digits, `_`, `-`
//! and `.` right before the separator (spaces and a closing quote skipped) and is judged by the
//! [matching rules](#matching-rules), so the text rules and the field names agree. A `,` is a
//! separator only after a quoted name (a pair); `::` and `==` are not separators.
//!
//! # Extending the rules
//!
//! - [`Redactor::deny`] adds a name: its values are masked as a field and inside text.
//! - [`Redactor::allow`] marks a name safe, as a field and inside text.
//! - [`Redactor::token_prefix`] adds a token format: a word starting with the prefix and
//!   followed by at least 8 of `[A-Za-z0-9_-]` is masked whole.
//!
//! Value patterns are literal prefixes, not regular expressions: that keeps the pass one scan
//! over the bytes, whatever the number of rules.
//!
//! # False positives
//!
//! The rules choose safety: whatever follows a deny-listed name and a separator is masked,
//! even when it is no secret.
//!
//! ```
//! use http_observability::redact::Redactor;
//!
//! let r = Redactor::default();
//! assert_eq!(r.mask("password=changed"), "password=[REDACTED]");
//! assert_eq!(r.mask("invalid token: expired"), "invalid token: [REDACTED]");
//! assert_eq!(r.mask("Config { tokens: 3 }"), "Config { tokens: [REDACTED] }");
//! // The rest of an Authorization line goes, not only the credentials.
//! assert_eq!(
//!     r.mask("Authorization: Bearer t (retrying)"),
//!     "Authorization: Bearer [REDACTED]"
//! );
//! // Prose without a separator, and other names, are left alone.
//! assert_eq!(r.mask("the password was rotated"), "the password was rotated");
//! assert_eq!(r.mask("token_count=3 path=/a:b"), "token_count=3 path=/a:b");
//! ```
//!
//! # Costs
//!
//! A string is scanned once, one table lookup per byte, stopping only at `:`, `=`, `,` and the
//! anchor byte of each token format (`_`, `-`, `J`, `A` for the built-in ones); the checks there
//! read a few bytes around. A string with nothing to mask is not copied and costs no
//! allocation; the JSON layer writes the masked pieces into its line as it escapes them.
//!
//! # URL credentials
//!
//! Every `://` in a string starts an authority that runs to the next `/`, `?`, `#`, whitespace,
//! quote or angle bracket. If that authority holds `user:password@`, the password (up to the
//! last `@`) is replaced by `***`. A URL without a password (`https://user@host`, or
//! `user:@host`) is left alone; a string with nothing to mask comes back borrowed.

mod deny_list;
mod names;
mod scan;
mod sensitive;
mod tokens;
mod url;

pub use deny_list::{DEFAULT_DENY_LIST, Redactor};
pub use sensitive::Sensitive;
pub use url::mask_url_credentials;

/// The value written in place of a redacted one.
pub const REDACTED: &str = "[REDACTED]";

/// What replaces the password of a URL with credentials.
pub(crate) const MASK: &str = "***";
