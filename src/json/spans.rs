//! Span storage: each span's rendered fields, and the concatenation of its fields with those of
//! its ancestors (the "chain"), so that an event copies one slice from its innermost span.
//!
//! A span's chain is built when the span is created, from its parent's chain. `Span::record`
//! on a span bumps its version; a chain remembers the sum of the versions of its span and
//! ancestors (versions only grow, so any record changes the sum), and is rebuilt when that
//! sum has moved: a record on an outer span is seen by events in already existing inner spans.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tracing::span;

use super::fields::Fields;

/// A span's rendered fields, kept (behind an `Arc`) in the span's registry extensions.
#[derive(Debug)]
pub(crate) struct SpanNode {
    /// The node of the parent span, if any.
    parent: Option<Arc<SpanNode>>,
    /// The span's own entries, `,"key":value` (shared with the chain of a root span).
    own: Mutex<Arc<Fields>>,
    /// Bumped after each `Span::record` on this span.
    version: AtomicU64,
    /// The chain and the stamp (sum of versions) it was built at.
    chain: Mutex<(u64, Arc<Fields>)>,
    /// Set when the span closes: its ID may then be reused by another span.
    closed: AtomicBool,
}

impl SpanNode {
    /// A node with its fields `own`, below `parent`, its chain built now.
    pub(crate) fn new(parent: Option<Arc<SpanNode>>, own: Fields) -> Self {
        let own = Arc::new(own);
        let (stamp, chain) = match &parent {
            Some(parent) => {
                let (stamp, above) = parent.chain();
                (stamp, concat(&own, &above))
            }
            None => (0, Arc::clone(&own)),
        };
        Self {
            parent,
            own: Mutex::new(own),
            version: AtomicU64::new(0),
            chain: Mutex::new((stamp, chain)),
            closed: AtomicBool::new(false),
        }
    }

    /// The sum of the versions of this span and its ancestors.
    fn stamp(&self) -> u64 {
        let mut sum = 0u64;
        let mut node = Some(self);
        while let Some(n) = node {
            sum = sum.wrapping_add(n.version.load(Ordering::Acquire));
            node = n.parent.as_deref();
        }
        sum
    }

    /// The current chain and its stamp, rebuilt if a span of the chain was recorded since.
    pub(crate) fn chain(&self) -> (u64, Arc<Fields>) {
        // The stamp is read before the fields: a record racing with the rebuild leaves a
        // stamp that is too old, and the next event rebuilds again.
        let stamp = self.stamp();
        let mut slot = self.chain.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.0 != stamp {
            let own = self.own.lock().unwrap_or_else(PoisonError::into_inner);
            let chain = match &self.parent {
                Some(parent) => concat(&own, &parent.chain().1),
                None => Arc::clone(&own),
            };
            *slot = (stamp, chain);
        }
        (slot.0, slot.1.clone())
    }

    /// Replaces the recorded keys with the `recorded` entries (which come first), keeping the
    /// other entries.
    pub(crate) fn record(&self, mut recorded: Fields) {
        {
            let mut own = self.own.lock().unwrap_or_else(PoisonError::into_inner);
            recorded.extend_from(&own);
            *own = Arc::new(recorded);
        }
        self.version.fetch_add(1, Ordering::Release);
    }

    /// Marks the span closed.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }
}

/// `own` then the entries of `above` whose keys `own` lacks; `above` itself when `own` is
/// empty.
fn concat(own: &Arc<Fields>, above: &Arc<Fields>) -> Arc<Fields> {
    if own.is_empty() {
        return above.clone();
    }
    if above.is_empty() {
        return own.clone();
    }
    Arc::new(Fields::joined(own, above))
}

thread_local! {
    /// Counts the span enters and exits seen by JSON layers on this thread: while it stays
    /// the same, the current span of the thread is the same.
    static EPOCH: Cell<u64> = const { Cell::new(0) };
}

/// Records that the current span of this thread changed.
pub(crate) fn bump_epoch() {
    let _ = EPOCH.try_with(|epoch| epoch.set(epoch.get().wrapping_add(1)));
}

/// This thread's [`EPOCH`], if still available.
pub(crate) fn epoch() -> Option<u64> {
    EPOCH.try_with(Cell::get).ok()
}

/// The per-thread memory of the last span an event was formatted in, so that the next event
/// in the same span skips the registry: the node, and the chain with its stamp.
#[derive(Debug)]
pub(crate) struct SpanCache {
    /// The layer that filled it (several layers and registries may share a thread).
    layer: u64,
    /// The ID of the span the event was in; 0 (no span has it) when not to be reused.
    span: u64,
    /// The thread's epoch when that span was found to be the current span, if it was.
    epoch: Option<u64>,
    node: Arc<SpanNode>,
    stamp: u64,
    chain: Arc<Fields>,
}

impl SpanCache {
    /// Whether `this` holds span `span` for `layer`, still open; its chain is refreshed if a
    /// span of the chain was recorded since.
    /// `epoch` is the thread's epoch if `span` is the current span.
    pub(crate) fn hit(
        this: &mut Option<Self>,
        layer: u64,
        span: &span::Id,
        epoch: Option<u64>,
    ) -> bool {
        let Some(cache) = this else {
            return false;
        };
        if cache.layer != layer
            || cache.span != span.into_u64()
            || cache.node.closed.load(Ordering::Acquire)
        {
            return false;
        }
        cache.epoch = epoch;
        cache.refresh();
        true
    }

    /// Whether `this` holds the current span for `layer`, no span having been entered or
    /// exited on this thread since (then the registry need not be asked which span is
    /// current).
    pub(crate) fn hit_current(this: &mut Option<Self>, layer: u64, epoch: u64) -> bool {
        let Some(cache) = this else {
            return false;
        };
        if cache.layer != layer
            || cache.epoch != Some(epoch)
            || cache.node.closed.load(Ordering::Acquire)
        {
            return false;
        }
        cache.refresh();
        true
    }

    /// Rebuilds the chain if a span of it was recorded since.
    fn refresh(&mut self) {
        if self.node.stamp() != self.stamp {
            (self.stamp, self.chain) = self.node.chain();
        }
    }

    /// Remembers `node` as the innermost span of events in span `span` (`None`: not to be
    /// reused by the next event), current at `epoch` if that is given.
    pub(crate) fn fill(
        this: &mut Option<Self>,
        layer: u64,
        span: Option<&span::Id>,
        epoch: Option<u64>,
        node: &Arc<SpanNode>,
    ) {
        let (stamp, chain) = node.chain();
        *this = Some(SpanCache {
            layer,
            span: span.map_or(0, span::Id::into_u64),
            epoch: span.and(epoch),
            node: node.clone(),
            stamp,
            chain,
        });
    }

    /// The entries of the span and its ancestors.
    pub(crate) fn chain(&self) -> &Fields {
        &self.chain
    }
}
