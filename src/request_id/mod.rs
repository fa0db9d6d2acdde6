//! The correlation ID: its type, how a fresh one is made, and when an incoming one is trusted.
//!
//! # Example
//!
//! ```
//! use http_observability::request_id::{RequestId, Rejection};
//!
//! // What proxies and clients commonly send is accepted as it is.
//! let id: RequestId = "0192f1c4-7d3e-7a51-9c2e-4b6f0e8d1a23".parse().unwrap();
//! assert_eq!(id.as_str(), "0192f1c4-7d3e-7a51-9c2e-4b6f0e8d1a23");
//!
//! // Anything that could corrupt a log line or a header is refused, with a reason.
//! let err = RequestId::parse("abc\"; rm -rf").unwrap_err();
//! assert_eq!(err.rejection(), Rejection::ForbiddenCharacter);
//! ```
//!
//! # What is accepted
//!
//! An incoming ID is trusted only if it is 1 to [`MAX_LEN`] bytes drawn from
//! `[A-Za-z0-9._:+/=~@-]`. That admits UUIDs, ULIDs, nginx's `$request_id` hex, AWS
//! `Root=1-…` trace IDs and base64 tokens, and refuses spaces, quotes, control characters,
//! non-ASCII bytes, the empty string, and a header sent more than once. Because every
//! `RequestId` passed these rules, it can be written into a header, a JSON string or a log
//! line without escaping.
//!
//! # Where it comes from
//!
//! [`RequestIdPolicy`] decides, once per request, between the incoming header (`x-request-id`
//! unless configured otherwise) and a fresh ID made by a [`MakeRequestId`] (UUID v7 by
//! default). A valid incoming ID is kept unless the policy is told not to trust incoming IDs;
//! a refused one is replaced by a fresh ID. The tower layer and the actix-web middleware both
//! decide with it, so the rules are the same on both.

mod current;
mod generate;
mod headers;
mod id;
mod missing;
mod policy;

pub use current::current;
pub use generate::{MakeRequestId, UuidV4, UuidV7};
pub use headers::RequestHeaders;
pub use id::{InvalidRequestId, MAX_LEN, Rejection, RequestId};
pub use missing::MissingRequestId;
pub use policy::{DEFAULT_HEADER, RequestIdPolicy, Resolution};
