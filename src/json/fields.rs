//! Field encoding: the `tracing` visitor that writes `,"key":value` entries, and the entry
//! list that keeps every key once (used both for a line and for a span's stored fields).

use std::error::Error;
use std::fmt::{self, Write as _};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing::field::{Field, Visit};

use super::{escape, number, text};
use crate::redact::{REDACTED, Redactor};

/// The keys every line starts with; a user field with one of these names is renamed.
pub(crate) const CORE_KEYS: [&str; 4] = ["timestamp", "level", "target", "message"];

/// The prefix of a user field renamed because its name is reserved.
pub(crate) const RENAMED_PREFIX: &str = "fields.";

/// How much of a `Display`/`Debug` value is kept beyond the cap before cutting: enough for a
/// URL cut at the cap to still be recognised and masked.
const MASK_LOOKAHEAD: usize = 1024;

/// The layer's encoding settings.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) redactor: Redactor,
    pub(crate) max_value_len: usize,
    /// The static keys present on every line, reserved like the core keys.
    pub(crate) static_keys: Vec<Box<str>>,
    /// Identifies these settings in the per-thread [`KeyCache`]; renewed on every change.
    pub(crate) id: u64,
}

/// A fresh [`Config::id`].
pub(crate) fn next_config_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Config {
    /// Whether a user field called `name` must be renamed `fields.<name>`. The `message` of an
    /// event is not a user field and never reaches this check.
    fn is_reserved(&self, name: &str) -> bool {
        CORE_KEYS.contains(&name) || self.static_keys.iter().any(|k| **k == *name)
    }
}

/// Where one entry's key sits.
#[derive(Debug, Clone, Copy)]
struct KeyPos {
    /// The [`fingerprint`] of the escaped key bytes.
    hash: u64,
    /// Start of the entry (its leading comma) in the buffer.
    entry: u32,
    /// Start of the escaped key (after the opening quote).
    key: u32,
    /// Length of the escaped key.
    key_len: u32,
}

/// A buffer of `,"key":value` entries with an index of their keys, so that a key is written at
/// most once. Reused (cleared, not freed) for lines; owned per span for span fields.
#[derive(Debug, Default, Clone)]
pub(crate) struct Fields {
    /// The bytes. For a line, the header precedes the entries.
    pub(crate) buf: Vec<u8>,
    keys: Vec<KeyPos>,
    /// One bit per key, chosen by its fingerprint: a key whose bit is clear is absent.
    mask: u64,
}

/// The bit of [`Fields::mask`] for a key fingerprint.
fn mask_bit(hash: u64) -> u64 {
    1 << (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
}

/// A cheap fingerprint of an escaped key (its length, first and last eight bytes): equal keys
/// have equal fingerprints; a match is confirmed by comparing the bytes.
fn fingerprint(key: &[u8]) -> u64 {
    let n = key.len();
    let (first, last) = match (key.first_chunk::<8>(), key.last_chunk::<8>()) {
        (Some(first), Some(last)) => (u64::from_le_bytes(*first), u64::from_le_bytes(*last)),
        // Shorter than eight bytes: fold them (no variable-length copy).
        _ => (key.iter().fold(0, |h, &b| h << 8 | u64::from(b)), 0),
    };
    (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ first ^ last.rotate_left(29)
}

impl Fields {
    /// An empty buffer with room for a line of `bytes` bytes.
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        Self {
            buf: Vec::with_capacity(bytes),
            keys: Vec::with_capacity(32),
            mask: 0,
        }
    }

    /// Makes room for the entries of `first` and `then`, so that copying them in grows the
    /// buffers at most once.
    pub(crate) fn reserve(&mut self, first: &Fields, then: &Fields) {
        self.buf.reserve(first.buf.len() + then.buf.len());
        self.keys.reserve(first.keys.len() + then.keys.len());
    }

    /// Empties the buffer and the key index, keeping their capacity.
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.keys.clear();
        self.mask = 0;
    }

    /// Whether there is no entry.
    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The capacity held, to decide when a reused buffer has grown too large.
    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity() + self.keys.capacity() * size_of::<KeyPos>()
    }

    /// Whether the escaped key in `bytes` is already present, given its hash.
    fn contains(&self, hash: u64, key: &[u8]) -> bool {
        self.mask & mask_bit(hash) != 0
            && self.keys.iter().any(|k| {
                k.hash == hash && &self.buf[k.key as usize..(k.key + k.key_len) as usize] == key
            })
    }

    /// Writes `,"<prefix><name>":` and records the key; if the key is already present, writes
    /// nothing and returns `false`. Fills `key.hash` when unknown.
    fn begin_entry(&mut self, key: &mut KeyDecision, name: &str) -> bool {
        let entry = self.write_key(key, name);
        self.commit_key(entry)
    }

    /// Writes `,"<prefix><name>":` (the entry start), without recording the key; fills
    /// `key.hash` when unknown. Returns where it starts and the key's fingerprint.
    fn write_key(&mut self, key: &mut KeyDecision, name: &str) -> (usize, u64) {
        let entry = self.buf.len();
        self.buf.extend_from_slice(b",\"");
        let start = self.buf.len();
        if key.renamed {
            self.buf.extend_from_slice(RENAMED_PREFIX.as_bytes());
        }
        if key.plain {
            self.buf.extend_from_slice(name.as_bytes());
        } else {
            escape::escape_into(&mut self.buf, name);
        }
        let hash = *key
            .hash
            .get_or_insert_with(|| fingerprint(&self.buf[start..]));
        self.buf.extend_from_slice(b"\":");
        (entry, hash)
    }

    /// Records the key of the entry start just written at `entry` (with fingerprint `hash`);
    /// if the key is already present, removes the entry start and returns `false`.
    fn commit_key(&mut self, (entry, hash): (usize, u64)) -> bool {
        let (start, end) = (entry + 2, self.buf.len() - 2);
        if self.contains(hash, &self.buf[start..end]) {
            self.buf.truncate(entry);
            return false;
        }
        self.mask |= mask_bit(hash);
        self.keys.push(KeyPos {
            hash,
            entry: entry as u32,
            key: start as u32,
            key_len: (end - start) as u32,
        });
        true
    }

    /// Appends the entry `,"key":raw` (a test helper: `key` needs no escaping, `raw` is
    /// JSON).
    #[cfg(test)]
    pub(crate) fn push_entry(&mut self, key: &str, raw: &str) {
        let mut decision = KeyDecision {
            plain: true,
            ..KeyDecision::default()
        };
        if self.begin_entry(&mut decision, key) {
            self.buf.extend_from_slice(raw.as_bytes());
        }
    }

    /// Writes the entry start `rendered[..len]` (`,"<key>":`, made by [`Fields::begin_entry`]
    /// for a key of fingerprint `hash`) and records the key, in one fixed-size copy; if the
    /// key is already present, writes nothing and returns `false`.
    fn begin_rendered(&mut self, rendered: &[u8; RENDERED_MAX], len: usize, hash: u64) -> bool {
        let Some(key) = rendered.get(2..len.saturating_sub(2)) else {
            return false;
        };
        if self.contains(hash, key) {
            return false;
        }
        let entry = self.buf.len();
        // A fixed-size copy and a cut cost less than copying `len` bytes.
        self.buf.extend_from_slice(rendered);
        self.buf.truncate(entry + len);
        self.mask |= mask_bit(hash);
        self.keys.push(KeyPos {
            hash,
            entry: entry as u32,
            key: (entry + 2) as u32,
            key_len: key.len() as u32,
        });
        true
    }

    /// Copies the entries of `other` whose key is not yet present, in order. Allocation-free
    /// once the buffers have grown.
    pub(crate) fn extend_from(&mut self, other: &Fields) {
        // Usually no key is present yet (no common mask bit): then all go in one copy.
        if self.mask & other.mask == 0 {
            self.copy_entries(other, 0..other.keys.len());
            return;
        }
        // One pass; each run of entries whose keys are absent is copied at once.
        let mut run = None;
        for (i, pos) in other.keys.iter().enumerate() {
            let key = &other.buf[pos.key as usize..(pos.key + pos.key_len) as usize];
            if self.contains(pos.hash, key) {
                if let Some(start) = run.take() {
                    self.copy_entries(other, start..i);
                }
            } else if run.is_none() {
                run = Some(i);
            }
        }
        if let Some(start) = run {
            self.copy_entries(other, start..other.keys.len());
        }
    }

    /// Appends the entries `range` of `other` (consecutive, so one copy) and indexes their
    /// keys. The keys of `other` being distinct, they are not checked against each other.
    fn copy_entries(&mut self, other: &Fields, range: Range<usize>) {
        let Some(first) = other.keys.get(range.start) else {
            return;
        };
        let from = first.entry as usize;
        let to = other
            .keys
            .get(range.end)
            .map_or(other.buf.len(), |k| k.entry as usize);
        let base = self.buf.len();
        self.buf.extend_from_slice(&other.buf[from..to]);
        // Positions move from `from` in `other` to `base` here.
        let moved = |at: u32| (at as usize - from + base) as u32;
        for pos in &other.keys[range] {
            self.mask |= mask_bit(pos.hash);
            self.keys.push(KeyPos {
                entry: moved(pos.entry),
                key: moved(pos.key),
                ..*pos
            });
        }
    }
}

/// What the layer decided about one field name.
#[derive(Debug, Clone, Copy, Default)]
struct KeyDecision {
    /// Written as `fields.<name>`.
    renamed: bool,
    /// The value is written `"[REDACTED]"`.
    sensitive: bool,
    /// The name needs no escaping.
    plain: bool,
    /// The fingerprint of the written key, once known.
    hash: Option<u64>,
}

/// The longest entry start `,"<key>":` a [`KeySlot`] keeps; a longer one is written piece by
/// piece.
const RENDERED_MAX: usize = 32;

/// One slot of the [`KeyCache`].
#[derive(Debug, Clone, Copy, Default)]
struct KeySlot {
    /// Address and length of the `&'static str` name; 0 for an empty slot.
    ptr: usize,
    len: usize,
    config: u64,
    decision: KeyDecision,
    /// The entry start `,"<key>":` as written, padded, when it fits (`rendered_len > 0`):
    /// then it is copied in one fixed-size move.
    rendered: [u8; RENDERED_MAX],
    rendered_len: u8,
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
    fn lookup(&self, name: &'static str, config: &Config) -> Result<&KeySlot, usize> {
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
    fn decide(name: &str, config: &Config) -> KeyDecision {
        KeyDecision {
            renamed: config.is_reserved(name),
            sensitive: config.redactor.is_sensitive(name),
            plain: escape::needs_no_escape(name),
            hash: None,
        }
    }

    /// Remembers `decision` (with its fingerprint) for `name`, and `rendered`, the entry start
    /// written for it.
    fn store(
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

/// What a [`FieldVisitor`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// All of an event whose first field is `message`, in one pass: the message value right
    /// after its key (already written), then the other fields as entries.
    Event,
    /// Only the value of the event's `message` field (the key is already written).
    Message,
    /// The event's fields except `message`, as entries.
    EventFields,
    /// A span's fields, as entries (a span's `message` field is an ordinary, reserved name).
    SpanFields,
}

/// The `tracing` visitor writing values as JSON into [`Fields`].
pub(crate) struct FieldVisitor<'a> {
    pub(crate) out: &'a mut Fields,
    /// Scratch space for `Display`/`Debug`/error values, reused.
    pub(crate) text: &'a mut String,
    pub(crate) keys: &'a mut KeyCache,
    pub(crate) config: &'a Config,
    pub(crate) mode: Mode,
    /// Whether the event's message value is still to be written (`Event`, `Message` modes).
    pub(crate) message_pending: bool,
}

/// What to do with one field.
enum Plan {
    Skip,
    /// Write the message value (a string, whatever its type).
    Message,
    Write,
    Redact,
}

impl FieldVisitor<'_> {
    /// Writes the key of `field` if it is to be written and returns what to do with its value.
    fn begin(&mut self, field: &Field) -> Plan {
        self.begin_named(field.name())
    }

    /// [`FieldVisitor::begin`] for the field called `name`.
    fn begin_named(&mut self, name: &'static str) -> Plan {
        let is_message = name == "message";
        match self.mode {
            Mode::Event | Mode::Message if is_message => {
                if !std::mem::take(&mut self.message_pending) {
                    return Plan::Skip;
                }
                return Plan::Message;
            }
            Mode::Message => return Plan::Skip,
            Mode::EventFields if is_message => return Plan::Skip,
            Mode::Event => {
                // The message slot comes first: an event without a message value gets "".
                if std::mem::take(&mut self.message_pending) {
                    self.out.buf.extend_from_slice(b"\"\"");
                }
            }
            Mode::EventFields | Mode::SpanFields => {}
        }
        let (written, sensitive) = match self.keys.lookup(name, self.config) {
            Ok(slot) => {
                let written = match (slot.decision.hash, usize::from(slot.rendered_len)) {
                    (Some(hash), len @ 1..) => self.out.begin_rendered(&slot.rendered, len, hash),
                    _ => self.out.begin_entry(&mut slot.decision.clone(), name),
                };
                (written, slot.decision.sensitive)
            }
            Err(index) => {
                let mut decision = KeyCache::decide(name, self.config);
                let start = self.out.write_key(&mut decision, name);
                let rendered = &self.out.buf[start.0..];
                self.keys
                    .store(index, name, self.config, decision, rendered);
                (self.out.commit_key(start), decision.sensitive)
            }
        };
        match (written, sensitive) {
            (false, _) => Plan::Skip,
            (true, true) => Plan::Redact,
            (true, false) => Plan::Write,
        }
    }

    /// Ends an event pass: writes `""` if the message is still pending.
    pub(crate) fn finish_message(&mut self) {
        if std::mem::take(&mut self.message_pending) {
            self.out.buf.extend_from_slice(b"\"\"");
        }
    }

    fn redacted(&mut self) {
        self.out.buf.push(b'"');
        self.out.buf.extend_from_slice(REDACTED.as_bytes());
        self.out.buf.push(b'"');
    }

    /// Writes the value `render` writes as a string: straight into the line while it is
    /// plain, else through the scratch text, bounded, then escaped, masked and cut.
    fn text_value(&mut self, render: impl FnOnce(&mut text::StreamedText<'_>) -> fmt::Result) {
        self.text.clear();
        let start = self.out.buf.len();
        self.out.buf.push(b'"');
        let mut streamed = text::StreamedText {
            out: &mut self.out.buf,
            start,
            max: self.config.max_value_len,
            capped: text::CappedText {
                text: self.text,
                keep: self.config.max_value_len.saturating_add(MASK_LOOKAHEAD),
                total: 0,
            },
            streaming: true,
        };
        // A failing `Display` keeps what it wrote so far; it never fails the line.
        let _ = render(&mut streamed);
        if streamed.streaming {
            self.out.buf.push(b'"');
        } else {
            let total = streamed.capped.total;
            text::string_value(
                &mut self.out.buf,
                self.text,
                self.config.max_value_len,
                total,
            );
        }
    }
}

impl Visit for FieldVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match self.begin(field) {
            Plan::Skip => {}
            Plan::Redact => self.redacted(),
            Plan::Write | Plan::Message => self.text_value(|w| write!(w, "{value:?}")),
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match self.begin(field) {
            Plan::Skip => {}
            Plan::Redact => self.redacted(),
            Plan::Write | Plan::Message => text::string_value(
                &mut self.out.buf,
                value,
                self.config.max_value_len,
                value.len(),
            ),
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        match self.begin(field) {
            Plan::Skip => {}
            Plan::Redact => self.redacted(),
            Plan::Write | Plan::Message => self.text_value(|w| {
                write!(w, "{value}")?;
                let mut source = value.source();
                while let Some(error) = source {
                    write!(w, ": {error}")?;
                    source = error.source();
                }
                Ok(())
            }),
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.number(field, |out| number::f64_value(out, value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.number(field, |out| number::i64_value(out, value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.number(field, |out| number::u64_value(out, value));
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.number(field, |out| number::i128_value(out, value));
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.number(field, |out| number::u128_value(out, value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.number(field, |out| number::bool_value(out, value));
    }
}

impl FieldVisitor<'_> {
    /// Writes a non-string value; as a string for the message, since `message` is one.
    fn number(&mut self, field: &Field, write: impl FnOnce(&mut Vec<u8>)) {
        match self.begin(field) {
            Plan::Skip => {}
            Plan::Redact => self.redacted(),
            Plan::Message => {
                let start = self.out.buf.len();
                write(&mut self.out.buf);
                // Numbers and booleans need no escaping; NaN and infinities come quoted.
                if self.out.buf.get(start) != Some(&b'"') {
                    self.out.buf.insert(start, b'"');
                    self.out.buf.push(b'"');
                }
            }
            Plan::Write => write(&mut self.out.buf),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config {
            redactor: Redactor::default(),
            max_value_len: 16 * 1024,
            static_keys: vec!["service".into()],
            id: next_config_id(),
        }
    }

    #[test]
    fn begin_entry_dedupes_and_extend_from_skips_present_keys() {
        let plain = |renamed| KeyDecision {
            renamed,
            plain: true,
            ..KeyDecision::default()
        };
        let mut a = Fields::default();
        assert!(a.begin_entry(&mut plain(false), "x"));
        a.buf.extend_from_slice(b"1");
        assert!(!a.begin_entry(&mut plain(false), "x"));
        assert!(a.begin_entry(&mut plain(true), "x"));
        a.buf.extend_from_slice(b"2");
        // A literal "fields.x" is the same key as the renamed "x".
        assert!(!a.begin_entry(&mut plain(false), "fields.x"));
        assert_eq!(a.buf, br#","x":1,"fields.x":2"#);

        let mut b = Fields::default();
        assert!(b.begin_entry(&mut plain(false), "y"));
        b.buf.extend_from_slice(b"3");
        assert!(b.begin_entry(&mut plain(false), "x"));
        b.buf.extend_from_slice(b"4");
        a.extend_from(&b);
        assert_eq!(a.buf, br#","x":1,"fields.x":2,"y":3"#);
        // Copied keys are indexed too.
        assert!(!a.begin_entry(&mut plain(false), "y"));
    }

    #[test]
    fn extend_from_copies_the_runs_of_absent_keys_in_order() {
        let fields = |entries: &[(&str, &str)]| {
            let mut f = Fields::default();
            for (k, v) in entries {
                f.push_entry(k, v);
            }
            f
        };
        let mut line = fields(&[("x", "1"), ("z", "2")]);
        // A header before the entries, as in a line, is not copied.
        let mut other = Fields::default();
        other.buf.extend_from_slice(b"{header");
        for (k, v) in [
            ("y", "3"),
            ("x", "4"),
            ("w", "5"),
            ("v", "6"),
            ("z", "7"),
            ("u", "8"),
        ] {
            other.push_entry(k, v);
        }
        line.extend_from(&other);
        assert_eq!(
            String::from_utf8_lossy(&line.buf),
            r#","x":1,"z":2,"y":3,"w":5,"v":6,"u":8"#
        );
        // The copied keys are indexed at their new places.
        line.extend_from(&fields(&[("w", "9"), ("t", "10")]));
        assert!(String::from_utf8_lossy(&line.buf).ends_with(r#","u":8,"t":10"#));
        let mut empty = Fields::default();
        empty.extend_from(&other);
        assert_eq!(
            String::from_utf8_lossy(&empty.buf),
            r#","y":3,"x":4,"w":5,"v":6,"z":7,"u":8"#
        );
    }

    #[test]
    fn key_cache_depends_on_the_settings() {
        let mut cache = KeyCache::default();
        let mut c = config();
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

    #[test]
    fn a_cached_key_is_written_and_deduplicated_like_a_new_one() {
        let mut cache = KeyCache::default();
        let c = config();
        let mut text = String::new();
        let mut out = Fields::default();
        for _ in 0..2 {
            let mut visitor = FieldVisitor {
                out: &mut out,
                text: &mut text,
                keys: &mut cache,
                config: &c,
                mode: Mode::SpanFields,
                message_pending: false,
            };
            // Reserved, escaped, plain; then, second time round, all already present.
            for name in [
                "service",
                "a\"b",
                "user_id",
                "a_key_too_long_to_be_kept_ready_made",
            ] {
                if matches!(visitor.begin_named(name), Plan::Write) {
                    visitor.out.buf.push(b'1');
                }
            }
        }
        assert_eq!(
            String::from_utf8_lossy(&out.buf),
            r#","fields.service":1,"a\"b":1,"user_id":1,"a_key_too_long_to_be_kept_ready_made":1"#
        );
    }

    #[test]
    fn reserved_names() {
        let c = config();
        assert!(c.is_reserved("level"));
        assert!(c.is_reserved("service"));
        assert!(!c.is_reserved("release"));
        assert!(!c.is_reserved("user_id"));
    }
}
