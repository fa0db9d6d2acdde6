//! The per-thread scratch state: the reused line and text buffers, the clock, the key cache and
//! the memory of the last event's span.

use std::cell::RefCell;

use super::clock::Clock;
use super::derived::AccessCapture;
use super::entries::Fields;
use super::key_cache::KeyCache;
use super::spans::SpanCache;

/// A reused buffer grown beyond this is freed after its line, so that one huge line does not
/// pin memory for the life of the thread.
const KEEP_CAPACITY: usize = 256 * 1024;

/// The per-thread reused state: the line, the scratch text and the date cache.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    pub(super) line: Fields,
    /// Where a span's fields are rendered before being copied out at their exact size.
    pub(super) span: Fields,
    pub(super) text: String,
    pub(super) clock: Clock,
    pub(super) keys: KeyCache,
    pub(super) spans: Option<SpanCache>,
    /// The layer and the thread's epoch at which no span was current.
    pub(super) outside: Option<(u64, u64)>,
    /// The address and length of the last `'static` target found to need no escaping.
    pub(super) plain_target: Option<(usize, usize)>,
    /// The access record's values, under a profile that derives an object from them.
    pub(super) access: AccessCapture,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch {
        line: Fields::with_capacity(1024),
        span: Fields::with_capacity(256),
        text: String::with_capacity(256),
        clock: Clock::default(),
        keys: KeyCache::default(),
        spans: None,
        outside: None,
        plain_target: None,
        access: AccessCapture::default(),
    });
}

/// Runs `f` with this thread's scratch state, or with a fresh one when it is busy (an event
/// emitted while formatting one, such as from a `Display` impl) or already destroyed.
pub(super) fn with_scratch(f: impl FnOnce(&mut Scratch)) {
    let mut f = Some(f);
    let _ = SCRATCH.try_with(|cell| {
        if let Ok(mut scratch) = cell.try_borrow_mut() {
            if let Some(f) = f.take() {
                f(&mut scratch);
            }
            if scratch.line.capacity() > KEEP_CAPACITY {
                scratch.line = Fields::default();
            }
            if scratch.span.capacity() > KEEP_CAPACITY {
                scratch.span = Fields::default();
            }
            if scratch.text.capacity() > KEEP_CAPACITY {
                scratch.text = String::new();
            }
        }
    });
    if let Some(f) = f.take() {
        f(&mut Scratch::default());
    }
}
