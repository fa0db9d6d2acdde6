//! The one decision every adapter makes per request: keep the incoming ID or make a new one.

use http::{HeaderMap, HeaderName};

use super::{InvalidRequestId, MakeRequestId, Rejection, RequestHeaders, RequestId, UuidV7};

/// The header that carries the request ID unless configured otherwise: `x-request-id`.
pub const DEFAULT_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Where request IDs come from: which header to read, whether to trust it, and how to make a
/// fresh one.
///
/// The tower layer and the actix-web middleware both decide with one, so the rules are the
/// same on both.
///
/// # Example
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// use http_observability::request_id::{RequestIdPolicy, Rejection};
///
/// let policy = RequestIdPolicy::default();
/// let mut headers = HeaderMap::new();
/// headers.insert("x-request-id", HeaderValue::from_static("abc-123"));
/// assert_eq!(policy.resolve(&headers).id.as_str(), "abc-123");
///
/// headers.insert("x-request-id", HeaderValue::from_static("not ok"));
/// let resolution = policy.resolve(&headers);
/// assert_ne!(resolution.id.as_str(), "not ok");
/// assert_eq!(resolution.rejected.unwrap().rejection(), Rejection::ForbiddenCharacter);
/// ```
#[derive(Debug, Clone)]
pub struct RequestIdPolicy<M = UuidV7> {
    header: HeaderName,
    trust_incoming: bool,
    make: M,
}

impl Default for RequestIdPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl RequestIdPolicy {
    /// Reads `x-request-id`, trusts valid incoming IDs, and makes UUID v7 IDs otherwise.
    pub fn new() -> Self {
        Self {
            header: DEFAULT_HEADER,
            trust_incoming: true,
            make: UuidV7,
        }
    }
}

/// The outcome of [`RequestIdPolicy::resolve`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Resolution {
    /// The ID the request carries from now on.
    pub id: RequestId,
    /// Why the incoming ID was refused, if one arrived and was refused.
    pub rejected: Option<InvalidRequestId>,
    // Whether `id` is the request's own header value, kept as it arrived (so the header need
    // not be rewritten); `false` for a fresh ID.
    pub(crate) incoming: bool,
}

impl<M: MakeRequestId> RequestIdPolicy<M> {
    /// Uses `header` instead of `x-request-id`, for both the incoming and the outgoing ID.
    pub fn header(mut self, header: HeaderName) -> Self {
        self.header = header;
        self
    }

    /// Whether to keep a valid incoming ID (the default) or always make a new one. Turn it
    /// off for services that face the public internet, where a client could choose its ID.
    pub fn trust_incoming(mut self, trust: bool) -> Self {
        self.trust_incoming = trust;
        self
    }

    /// Uses another generator for fresh IDs.
    pub fn make_request_id<M2: MakeRequestId>(self, make: M2) -> RequestIdPolicy<M2> {
        RequestIdPolicy {
            header: self.header,
            trust_incoming: self.trust_incoming,
            make,
        }
    }

    /// The header the ID is read from and written to.
    pub fn header_name(&self) -> &HeaderName {
        &self.header
    }

    /// Whether incoming IDs are kept when valid.
    pub fn trusts_incoming(&self) -> bool {
        self.trust_incoming
    }

    /// Decides the ID of a request from its headers (`http` 1.x types).
    pub fn resolve(&self, headers: &HeaderMap) -> Resolution {
        // A valid incoming value is kept without copying its bytes.
        self.decide(
            headers.get_all(&self.header).iter(),
            |v| RequestId::from_header_value(v),
            |v| v.len(),
            &RequestHeaders::from(headers),
        )
    }

    /// Decides the ID of a request from the raw values of its ID header and a view of all its
    /// headers (for a generator that reads them), for frameworks whose header types are not
    /// `http` 1.x: the same rules as [`resolve`](Self::resolve).
    pub fn resolve_values<'a>(
        &self,
        values: impl IntoIterator<Item = &'a [u8]>,
        headers: &RequestHeaders<'_>,
    ) -> Resolution {
        self.decide(
            values.into_iter(),
            |v| RequestId::from_bytes(v),
            |v| v.len(),
            headers,
        )
    }

    fn decide<V>(
        &self,
        mut values: impl Iterator<Item = V>,
        parse: impl Fn(&V) -> Result<RequestId, InvalidRequestId>,
        len: impl Fn(&V) -> usize,
        headers: &RequestHeaders<'_>,
    ) -> Resolution {
        if !self.trust_incoming {
            return self.fresh(None, headers);
        }
        match (values.next(), values.next()) {
            (None, _) => self.fresh(None, headers),
            (Some(one), None) => match parse(&one) {
                Ok(id) => Resolution {
                    id,
                    rejected: None,
                    incoming: true,
                },
                Err(err) => self.fresh(Some(err), headers),
            },
            (Some(first), Some(second)) => {
                let total = len(&first) + len(&second) + values.map(|v| len(&v)).sum::<usize>();
                let rejected = InvalidRequestId::new(Rejection::MultipleValues, total);
                self.fresh(Some(rejected), headers)
            }
        }
    }

    fn fresh(
        &self,
        rejected: Option<InvalidRequestId>,
        headers: &RequestHeaders<'_>,
    ) -> Resolution {
        Resolution {
            id: self.make.make_request_id(headers),
            rejected,
            incoming: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(values: &[&'static str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-request-id", HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn keeps_a_valid_incoming_id() {
        let r = RequestIdPolicy::new().resolve(&headers(&["abc"]));
        assert_eq!(r.id.as_str(), "abc");
        assert!(r.rejected.is_none());
    }

    #[test]
    fn generates_when_absent() {
        let r = RequestIdPolicy::new().resolve(&HeaderMap::new());
        assert_eq!(r.id.as_str().len(), 36);
        assert!(r.rejected.is_none());
    }

    #[test]
    fn several_values_are_refused() {
        let r = RequestIdPolicy::new().resolve(&headers(&["a", "b"]));
        assert_ne!(r.id.as_str(), "a");
        let rejected = r.rejected.unwrap();
        assert_eq!(rejected.rejection(), Rejection::MultipleValues);
        assert_eq!(rejected.len(), 2);
    }

    #[test]
    fn ignoring_incoming_always_generates() {
        let policy = RequestIdPolicy::new().trust_incoming(false);
        let r = policy.resolve(&headers(&["abc"]));
        assert_ne!(r.id.as_str(), "abc");
        assert!(r.rejected.is_none());
    }

    #[test]
    fn custom_header_and_generator() {
        let policy = RequestIdPolicy::new()
            .header(HeaderName::from_static("x-correlation-id"))
            .make_request_id(|_: &RequestHeaders<'_>| RequestId::parse("made").unwrap());
        assert_eq!(policy.resolve(&headers(&["abc"])).id.as_str(), "made");
        let mut map = HeaderMap::new();
        map.insert("x-correlation-id", HeaderValue::from_static("kept"));
        assert_eq!(policy.resolve(&map).id.as_str(), "kept");
    }

    #[test]
    fn raw_values_follow_the_same_rules() {
        let policy = RequestIdPolicy::new();
        assert_eq!(
            policy
                .resolve_values([&b"abc"[..]], &RequestHeaders::empty())
                .id
                .as_str(),
            "abc"
        );
        let r = policy.resolve_values([&b"a b"[..]], &RequestHeaders::empty());
        assert_eq!(
            r.rejected.unwrap().rejection(),
            Rejection::ForbiddenCharacter
        );
        let r = policy.resolve_values([&b"a"[..], &b"b"[..]], &RequestHeaders::empty());
        assert_eq!(r.rejected.unwrap().rejection(), Rejection::MultipleValues);
        assert!(
            policy
                .resolve_values(std::iter::empty(), &RequestHeaders::empty())
                .rejected
                .is_none()
        );
    }
}
