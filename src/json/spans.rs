//! Span storage: each span's rendered fields, and the concatenation of its fields with those of
//! its ancestors (the "chain"), so that an event copies one slice from its innermost span.
//!
//! A span's chain is built when the span is created, from its parent's chain. `Span::record`
//! on a span bumps its version; a chain remembers the sum of the versions of its span and
//! ancestors (versions only grow, so any record changes the sum), and is rebuilt when that
//! sum has moved: a record on an outer span is seen by events in already existing inner spans.
//!
//! Nodes and field buffers are reused through small per-thread pools, so that in steady state
//! a span costs no allocation here (the registry's extension box is the only one left). A node
//! is reused only once its last handle is given back (the span closed, no child and no event
//! cache holds it): nothing can see it change. It goes to the pool of the thread that gave it
//! back, which need not be the one that created it; a pool keeps at most [`POOL_CAP`] entries
//! and no buffer above [`POOLED_MAX_CAPACITY`] bytes.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tracing::span;

use super::entries::Fields;

/// How many recycled nodes, and how many recycled field buffers, a thread keeps: with
/// [`POOLED_MAX_CAPACITY`], at most 128 KiB per thread.
const POOL_CAP: usize = 32;

/// A field buffer holding more than this many bytes is freed rather than kept for reuse.
const POOLED_MAX_CAPACITY: usize = 2 * 1024;

/// Locks `mutex`, ignoring poisoning (the guarded buffers stay consistent: a panic cannot
/// happen halfway through an update of them).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A span's rendered fields, kept (behind an `Arc`) in the span's registry extensions.
///
/// Nodes and their field buffers are reused: when the last handle to a node is given back
/// with [`recycle_node`] (the span closed and no event cache holds it), the node is emptied
/// and kept in a small per-thread pool, from which [`SpanNode::create`] takes it.
#[derive(Debug)]
pub(crate) struct SpanNode {
    /// The node of the parent span, if any.
    parent: Option<Arc<SpanNode>>,
    /// The span's own entries, `,"key":value` (shared with the chain of a root span).
    own: Mutex<Arc<Fields>>,
    /// Bumped after each `Span::record` on this span.
    version: AtomicU64,
    /// The chain and the stamp (sum of versions) it was built at; `None`: the chain is `own`.
    chain: Mutex<(u64, Option<Arc<Fields>>)>,
    /// Set when the registry drops the closed span's data: its ID may then be reused by
    /// another span.
    closed: AtomicBool,
}

/// The per-thread pools of emptied nodes and field buffers, each held only by the pool.
struct Pool {
    nodes: Vec<Arc<SpanNode>>,
    fields: Vec<Arc<Fields>>,
}

thread_local! {
    static POOL: RefCell<Pool> = const {
        RefCell::new(Pool {
            nodes: Vec::new(),
            fields: Vec::new(),
        })
    };
}

/// An empty field buffer held only by the caller: a pooled one, or a new one.
fn take_fields() -> Arc<Fields> {
    POOL.try_with(|pool| pool.try_borrow_mut().ok()?.fields.pop())
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Gives back a handle to a field buffer: if it was the last one, the buffer is emptied and
/// pooled (unless it is large or the pool is full).
pub(crate) fn recycle_fields(mut fields: Arc<Fields>) {
    let Some(inner) = Arc::get_mut(&mut fields) else {
        return;
    };
    if inner.capacity() > POOLED_MAX_CAPACITY {
        return;
    }
    inner.clear();
    let _ = POOL.try_with(|pool| {
        if let Ok(mut pool) = pool.try_borrow_mut()
            && pool.fields.len() < POOL_CAP
        {
            pool.fields.push(fields);
        }
    });
}

/// Gives back a handle to a node: if it was the last one, the node is emptied (its parent
/// and chain handles given back in turn) and pooled, keeping its own field buffer.
pub(crate) fn recycle_node(mut node: Arc<SpanNode>) {
    let Some(inner) = Arc::get_mut(&mut node) else {
        return;
    };
    let parent = inner.parent.take();
    let chain = inner
        .chain
        .get_mut()
        .unwrap_or_else(PoisonError::into_inner)
        .1
        .take();
    *inner.version.get_mut() = 0;
    *inner.closed.get_mut() = false;
    if let Some(chain) = chain {
        recycle_fields(chain);
    }
    if let Some(parent) = parent {
        recycle_node(parent);
    }
    let own = inner.own.get_mut().unwrap_or_else(PoisonError::into_inner);
    match Arc::get_mut(own) {
        Some(own) if own.capacity() <= POOLED_MAX_CAPACITY => own.clear(),
        // Still shared (an event cache holds it as a chain) or too large: not reused.
        _ => return,
    }
    let _ = POOL.try_with(|pool| {
        if let Ok(mut pool) = pool.try_borrow_mut()
            && pool.nodes.len() < POOL_CAP
        {
            pool.nodes.push(node);
        }
    });
}

impl SpanNode {
    /// An empty node, with no parent.
    fn empty() -> Self {
        Self {
            parent: None,
            own: Mutex::default(),
            version: AtomicU64::new(0),
            chain: Mutex::new((0, None)),
            closed: AtomicBool::new(false),
        }
    }

    /// A node below `parent`, its own fields written by `render` into an empty buffer, its
    /// chain built now. Reuses a pooled node when this thread has one.
    pub(crate) fn create(
        parent: Option<Arc<SpanNode>>,
        render: impl FnOnce(&mut Fields),
    ) -> Arc<SpanNode> {
        let pooled = POOL
            .try_with(|pool| pool.try_borrow_mut().ok()?.nodes.pop())
            .ok()
            .flatten();
        let mut node = pooled.unwrap_or_else(|| Arc::new(Self::empty()));
        match Arc::get_mut(&mut node) {
            Some(inner) => {
                inner.init(parent, render);
                node
            }
            // Unreachable: a pooled node is held by the pool alone.
            None => {
                let mut inner = Self::empty();
                inner.init(parent, render);
                Arc::new(inner)
            }
        }
    }

    /// Fills an empty node.
    fn init(&mut self, parent: Option<Arc<SpanNode>>, render: impl FnOnce(&mut Fields)) {
        let own = self.own.get_mut().unwrap_or_else(PoisonError::into_inner);
        render(Arc::make_mut(own));
        let (stamp, chain) = match &parent {
            Some(parent) => {
                let (stamp, above) = parent.chain();
                (stamp, concat(own, above))
            }
            None => (0, None),
        };
        *self.chain.get_mut().unwrap_or_else(PoisonError::into_inner) = (stamp, chain);
        self.parent = parent;
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
        let mut slot = lock(&self.chain);
        if slot.0 != stamp {
            let rebuilt = match &self.parent {
                Some(parent) => concat(&lock(&self.own), parent.chain().1),
                None => None,
            };
            let old = std::mem::replace(&mut *slot, (stamp, rebuilt));
            if let Some(old) = old.1 {
                recycle_fields(old);
            }
        }
        let chain = match &slot.1 {
            Some(chain) => chain.clone(),
            None => lock(&self.own).clone(),
        };
        (slot.0, chain)
    }

    /// Replaces the recorded keys with the `recorded` entries (which come first), keeping the
    /// other entries.
    pub(crate) fn record(&self, recorded: &Fields) {
        let mut new = take_fields();
        let old = {
            let mut own = lock(&self.own);
            let fields = Arc::make_mut(&mut new);
            fields.extend_from(recorded);
            fields.extend_from(&own);
            std::mem::replace(&mut *own, new)
        };
        recycle_fields(old);
        self.version.fetch_add(1, Ordering::Release);
    }

    /// Marks the span closed.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }
}

/// The chain of a span with entries `own` below a chain `above`: `None` when it is `own`
/// itself (`above` is empty), else `above` itself when `own` is empty, else `own` then the
/// entries of `above` whose keys `own` lacks.
fn concat(own: &Arc<Fields>, above: Arc<Fields>) -> Option<Arc<Fields>> {
    if above.is_empty() {
        return None;
    }
    if own.is_empty() {
        return Some(above);
    }
    let mut joined = take_fields();
    let fields = Arc::make_mut(&mut joined);
    fields.reserve(own, &above);
    fields.extend_from(own);
    fields.extend_from(&above);
    Some(joined)
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
            let (stamp, chain) = self.node.chain();
            self.stamp = stamp;
            recycle_fields(std::mem::replace(&mut self.chain, chain));
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
        let old = this.replace(SpanCache {
            layer,
            span: span.map_or(0, span::Id::into_u64),
            epoch: span.and(epoch),
            node: node.clone(),
            stamp,
            chain,
        });
        // The cache may hold the last handles to a closed span's node: give them back.
        if let Some(old) = old {
            recycle_fields(old.chain);
            recycle_node(old.node);
        }
    }

    /// The entries of the span and its ancestors.
    pub(crate) fn chain(&self) -> &Fields {
        &self.chain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pooled() -> (usize, usize) {
        POOL.with(|pool| {
            let pool = pool.borrow();
            (pool.nodes.len(), pool.fields.len())
        })
    }

    /// Fills `fields` with one entry whose value takes about `n` bytes.
    fn bytes(n: usize) -> impl FnOnce(&mut Fields) {
        move |fields| fields.push_entry("k", &format!("\"{}\"", "x".repeat(n)))
    }

    #[test]
    fn the_pool_is_bounded_and_keeps_no_large_buffer() {
        let nodes: Vec<_> = (0..2 * POOL_CAP)
            .map(|_| SpanNode::create(None, bytes(10)))
            .collect();
        nodes.into_iter().for_each(recycle_node);
        assert_eq!(pooled().0, POOL_CAP);

        // A reused node comes back empty, and a large one is not kept.
        let node = SpanNode::create(None, |_| {});
        assert!(node.chain().1.buf.is_empty());
        recycle_node(node);
        let large = SpanNode::create(None, bytes(POOLED_MAX_CAPACITY + 1));
        let before = pooled().0;
        recycle_node(large);
        assert_eq!(pooled().0, before);
    }

    #[test]
    fn a_node_still_held_elsewhere_is_not_reused() {
        let parent = SpanNode::create(None, bytes(3));
        let child = SpanNode::create(Some(parent.clone()), |_| {});
        let before = pooled().0;
        // The child holds the parent: giving back the span's handle keeps the node alive.
        recycle_node(parent);
        assert_eq!(pooled().0, before);
        assert_eq!(child.chain().1.buf, br#","k":"xxx""#);
        // The child's last handle gives back both.
        recycle_node(child);
        assert_eq!(pooled().0, before + 2);
    }
}
