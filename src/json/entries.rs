//! The entry buffer: `,"key":value` entries and an index of their keys, so that a key is
//! written at most once (used both for a line and for a span's stored fields).

use std::ops::Range;

use super::config::RENAMED_PREFIX;
use super::escape;
use super::key_cache::{KeyDecision, RENDERED_MAX};

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
    pub(super) fn begin_entry(&mut self, key: &mut KeyDecision, name: &str) -> bool {
        let entry = self.write_key(key, name);
        self.commit_key(entry)
    }

    /// Writes `,"<prefix><name>":` (the entry start), without recording the key; fills
    /// `key.hash` when unknown. Returns where it starts and the key's fingerprint.
    pub(super) fn write_key(&mut self, key: &mut KeyDecision, name: &str) -> (usize, u64) {
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
    pub(super) fn commit_key(&mut self, (entry, hash): (usize, u64)) -> bool {
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
    pub(super) fn begin_rendered(
        &mut self,
        rendered: &[u8; RENDERED_MAX],
        len: usize,
        hash: u64,
    ) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
