//! Making fresh request IDs: UUID v7 by default, v4 on request, or your own generator.

use super::{RequestHeaders, RequestId};

/// Makes a fresh [`RequestId`] when a request arrives without an acceptable one.
///
/// Implemented by [`UuidV7`] (the default), [`UuidV4`], and every
/// `Fn(&RequestHeaders) -> RequestId + Send + Sync` closure, which can derive the ID from
/// another header of the request (see [`RequestHeaders`]).
///
/// # Example
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use http_observability::ObservabilityLayer;
/// use http_observability::request_id::{MakeRequestId, RequestHeaders, RequestId};
///
/// static NEXT: AtomicU64 = AtomicU64::new(1);
/// let counter = |_: &RequestHeaders<'_>| {
///     let n = NEXT.fetch_add(1, Ordering::Relaxed);
///     RequestId::parse(&format!("req-{n}")).expect("digits are valid")
/// };
/// assert_eq!(counter.make_request_id(&RequestHeaders::empty()).as_str(), "req-1");
/// let layer = ObservabilityLayer::new().make_request_id(counter);
/// # let _ = layer;
/// ```
// A type parameter of the layer and the middleware: a custom generator costs no dynamic
// dispatch.
pub trait MakeRequestId: Send + Sync + 'static {
    /// Returns a new ID for the request with these headers; called once for each request that
    /// needs one.
    fn make_request_id(&self, headers: &RequestHeaders<'_>) -> RequestId;
}

impl<F> MakeRequestId for F
where
    F: Fn(&RequestHeaders<'_>) -> RequestId + Send + Sync + 'static,
{
    fn make_request_id(&self, headers: &RequestHeaders<'_>) -> RequestId {
        self(headers)
    }
}

/// Time-ordered UUID v7 IDs, so that IDs sort in the order requests arrived (the default).
///
/// IDs made on one thread are strictly increasing; IDs made on different threads are ordered
/// by their millisecond.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UuidV7;

// The random part comes from a thread-local generator seeded once, so making an ID never makes
// a system call. The counter that keeps IDs made in the same millisecond in order is per thread
// too: uuid's own `now_v7` shares one behind a global mutex, which every worker thread would
// contend for. Hence the ordering promised above: strict per thread, by millisecond across.
thread_local! {
    static CONTEXT_V7: uuid::ContextV7 = const { uuid::ContextV7::new() };
}

impl MakeRequestId for UuidV7 {
    fn make_request_id(&self, _headers: &RequestHeaders<'_>) -> RequestId {
        let uuid = CONTEXT_V7
            .try_with(|context| uuid::Uuid::new_v7(uuid::Timestamp::now(context)))
            // While the thread is being torn down: the shared context.
            .unwrap_or_else(|_| uuid::Uuid::now_v7());
        RequestId::from_uuid(uuid)
    }
}

/// Random UUID v4 IDs, for those who prefer IDs that reveal nothing of when they were made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UuidV4;

impl MakeRequestId for UuidV4 {
    fn make_request_id(&self, _headers: &RequestHeaders<'_>) -> RequestId {
        RequestId::from_uuid(uuid::Uuid::new_v4())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const NONE: RequestHeaders<'static> = RequestHeaders::empty();

    #[test]
    fn v7_ids_are_valid_unique_and_ordered() {
        let ids: Vec<RequestId> = (0..2000).map(|_| UuidV7.make_request_id(&NONE)).collect();
        for id in &ids {
            let uuid = uuid::Uuid::parse_str(id.as_str()).unwrap();
            assert_eq!(uuid.get_version_num(), 7);
            assert!(RequestId::parse(id.as_str()).is_ok());
        }
        let unique: HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
        assert!(ids.windows(2).all(|w| w[0].as_str() < w[1].as_str()));
    }

    #[test]
    fn v7_ids_from_many_threads_are_unique() {
        let ids: Vec<RequestId> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        (0..1000)
                            .map(|_| UuidV7.make_request_id(&NONE))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        let unique: HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), 8000);
    }

    #[test]
    fn v4_ids_are_valid_and_unique() {
        let ids: HashSet<RequestId> = (0..2000).map(|_| UuidV4.make_request_id(&NONE)).collect();
        assert_eq!(ids.len(), 2000);
        for id in &ids {
            let uuid = uuid::Uuid::parse_str(id.as_str()).unwrap();
            assert_eq!(uuid.get_version_num(), 4);
        }
    }

    #[test]
    fn closures_are_generators() {
        let fixed = |_: &RequestHeaders<'_>| RequestId::parse("fixed").unwrap();
        assert_eq!(fixed.make_request_id(&NONE).as_str(), "fixed");
        let mut map = http::HeaderMap::new();
        map.insert("x-upstream-id", http::HeaderValue::from_static("up-7"));
        let derived = |headers: &RequestHeaders<'_>| {
            RequestId::parse(headers.get_str("x-upstream-id").unwrap_or("none")).unwrap()
        };
        assert_eq!(derived.make_request_id(&(&map).into()).as_str(), "up-7");
    }
}
