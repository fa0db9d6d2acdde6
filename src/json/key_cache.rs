//! The per-thread key cache: what was decided about a field name (renamed, redacted, escaped),
//! and its key ready-made.

use super::config::Config;
use super::escape;

/// What the layer decided about one field name.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct KeyDecision {
    /// Written as `fields.<name>`.
    pub(super) renamed: bool,
    /// The value is written `"[REDACTED]"`.
    pub(super) sensitive: bool,
    /// The name needs no escaping.
    pub(super) plain: bool,
    /// The fingerprint of the written key, once known.
    pub(super) hash: Option<u64>,
}

/// The longest entry start `,"<key>":` a [`KeySlot`] keeps; a longer one is written piece by
/// piece.
pub(super) const RENDERED_MAX: usize = 32;

/// One slot of the [`KeyCache`].
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct KeySlot {
    /// Address and length of the `&'static str` name; 0 for an empty slot.
    ptr: usize,
    len: usize,
    config: u64,
    pub(super) decision: KeyDecision,
    /// The entry start `,"<key>":` as written, padded, when it fits (`rendered_len > 0`):
    /// then it is copied in one fixed-size move.
    pub(super) rendered: [u8; RENDERED_MAX],
    pub(super) rendered_len: u8,
}

const KEY_SLOTS: usize = 128;

/// A per-thread cache of [`KeyDecision`]s keyed by the address of the field name (names are
/// `&'static str` from callsites) and the layer's settings: an event field costs a lookup
/// instead of the reserved-key and deny-list checks, and its key is copied ready-made.
///
/// Two-way set-associative: a name may sit in either slot of its set, so that two names of one
/// event landing in the same set do not evict each other on every event.
#[derive(Debug)]
pub(crate) struct KeyCache(Box<[KeySlot; KEY_SLOTS]>);

impl Default for KeyCache {
    fn default() -> Self {
        Self(Box::new([KeySlot::default(); KEY_SLOTS]))
    }
}

impl KeyCache {
    /// The slot holding `name`'s decision for `config`, else the index of the slot to fill
    /// (the set's first, its entry moving to the second).
    pub(super) fn lookup(&self, name: &'static str, config: &Config) -> Result<&KeySlot, usize> {
        let ptr = name.as_ptr() as usize;
        // Multiplicative hashing: names close in memory still spread over the sets.
        let set = ((ptr ^ name.len()) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58;
        let first = (set as usize * 2) % KEY_SLOTS;
        for index in [first, first + 1] {
            if let Some(slot) = self.0.get(index)
                && slot.ptr == ptr
                && slot.len == name.len()
                && slot.config == config.id
            {
                return Ok(slot);
            }
        }
        Err(first)
    }

    /// The decision for `name` under `config`, computed.
    pub(super) fn decide(name: &str, config: &Config) -> KeyDecision {
        KeyDecision {
            renamed: config.is_reserved(name),
            sensitive: config.redactor.is_sensitive(name),
            plain: escape::needs_no_escape(name),
            hash: None,
        }
    }

    /// Remembers `decision` (with its fingerprint) for `name`, and `rendered`, the entry start
    /// written for it.
    pub(super) fn store(
        &mut self,
        index: usize,
        name: &'static str,
        config: &Config,
        decision: KeyDecision,
        rendered: &[u8],
    ) {
        let mut slot = KeySlot {
            ptr: name.as_ptr() as usize,
            len: name.len(),
            config: config.id,
            decision,
            rendered: [0; RENDERED_MAX],
            rendered_len: 0,
        };
        if let Some(to) = slot.rendered.get_mut(..rendered.len()) {
            to.copy_from_slice(rendered);
            slot.rendered_len = rendered.len() as u8;
        }
        // The set's first slot is the newest; its entry moves to the second.
        if let Some(&newest) = self.0.get(index)
            && let Some(second) = self.0.get_mut(index + 1)
        {
            *second = newest;
        }
        if let Some(first) = self.0.get_mut(index) {
            *first = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::config::{next_config_id, test_config};

    #[test]
    fn key_cache_depends_on_the_settings() {
        let mut cache = KeyCache::default();
        let mut c = test_config();
        let Err(slot) = cache.lookup("service", &c) else {
            panic!("an empty cache holds nothing");
        };
        let mut d = KeyCache::decide("service", &c);
        assert!(d.renamed);
        d.hash = Some(1);
        cache.store(slot, "service", &c, d, br#","fields.service":"#);
        let hit = cache.lookup("service", &c).expect("stored");
        assert_eq!(hit.decision.hash, Some(1));
        assert_eq!(usize::from(hit.rendered_len), r#","fields.service":"#.len());
        c.static_keys.clear();
        c.id = next_config_id();
        assert!(cache.lookup("service", &c).is_err());
        assert!(!KeyCache::decide("service", &c).renamed);
    }
}
