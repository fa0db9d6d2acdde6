//! The glue to the registry: the span fields kept in a span's extensions, and how an event
//! finds the fields of its spans.

use std::sync::Arc;

use tracing::{Event, Subscriber, span};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::{LookupSpan, SpanRef};

use super::entries::Fields;
use super::layer::JsonLayer;
use super::scratch::{Scratch, with_scratch};
use super::spans::{self, SpanCache, SpanNode};
use super::visitor::{FieldVisitor, Mode};

/// A span's fields, rendered once as `,"key":value` entries, with those of its ancestors,
/// kept in the span's extensions. Always `Some` until dropped, when the node is given back
/// for reuse.
///
/// The registry drops it when it clears the closed span's slot, before the span's ID can be
/// given to another span: that is when the node is marked closed (no `on_close` needed).
#[derive(Debug)]
pub(super) struct SpanFields(pub(super) Option<Arc<SpanNode>>);

impl SpanFields {
    /// The span's node.
    pub(super) fn node(&self) -> Option<&Arc<SpanNode>> {
        self.0.as_ref()
    }
}

impl Drop for SpanFields {
    fn drop(&mut self) {
        if let Some(node) = self.0.take() {
            node.close();
            spans::recycle_node(node);
        }
    }
}

impl<W> JsonLayer<W>
where
    W: for<'w> MakeWriter<'w> + 'static,
{
    /// Puts the chain of the event's innermost span in `scratch.spans`; `false` when the
    /// event is in no span. The registry is asked which span is current only after a span
    /// was entered or exited on this thread, and for the span's fields only when it differs
    /// from the last event's.
    pub(super) fn span_chain<S>(
        &self,
        scratch: &mut Scratch,
        event: &Event<'_>,
        ctx: &Context<'_, S>,
    ) -> bool
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        if event.is_root() {
            return false;
        }
        let (span, epoch) = if event.is_contextual() {
            let epoch = spans::epoch();
            if let Some(epoch) = epoch {
                if scratch.outside == Some((self.id, epoch)) {
                    return false;
                }
                if SpanCache::hit_current(&mut scratch.spans, self.id, epoch) {
                    return true;
                }
            }
            // The innermost span this layer sees (per-layer filters may hide the current
            // one), found in one registry lookup.
            let Some(span) = ctx.lookup_current() else {
                scratch.outside = epoch.map(|epoch| (self.id, epoch));
                return false;
            };
            if SpanCache::hit(&mut scratch.spans, self.id, &span.id(), epoch) {
                return true;
            }
            (span, epoch)
        } else {
            let Some(id) = event.parent() else {
                return false;
            };
            if SpanCache::hit(&mut scratch.spans, self.id, id, None) {
                return true;
            }
            let Some(span) = ctx.event_span(event) else {
                return false;
            };
            if span.id() != *id {
                // A span hidden by a per-layer filter: not remembered under its ID.
                return self.fill_cache(scratch, &span, None, None);
            }
            (span, None)
        };
        let id = span.id();
        self.fill_cache(scratch, &span, Some(&id), epoch)
    }

    /// Remembers the chain of `span` as that of events in span `id` (if given), current at
    /// `epoch` (if given); `false` when the span has no fields node.
    fn fill_cache<S>(
        &self,
        scratch: &mut Scratch,
        span: &SpanRef<'_, S>,
        id: Option<&span::Id>,
        epoch: Option<u64>,
    ) -> bool
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let Some(node) = span
            .extensions()
            .get::<SpanFields>()
            .and_then(|f| f.node().cloned())
        else {
            scratch.spans = None;
            return false;
        };
        SpanCache::fill(&mut scratch.spans, self.id, id, epoch, &node);
        true
    }

    /// Renders span entries with `record` into `out`.
    pub(super) fn render_span_fields(
        &self,
        out: &mut Fields,
        record: impl FnOnce(&mut FieldVisitor<'_>),
    ) {
        with_scratch(|scratch| {
            let mut visitor = FieldVisitor {
                out,
                text: &mut scratch.text,
                keys: &mut scratch.keys,
                config: &self.config,
                mode: Mode::SpanFields,
                message_pending: false,
                access: None,
            };
            record(&mut visitor);
        });
    }
}
