//! The layer's encoding settings, and the keys no user field may take.

use std::sync::atomic::{AtomicU64, Ordering};

use super::profile::Layout;
use crate::redact::Redactor;

/// The keys every line starts with in the default profile; a static field cannot take them.
pub(crate) const CORE_KEYS: [&str; 4] = ["timestamp", "level", "target", "message"];

/// The prefix of a user field renamed because its name is reserved.
pub(crate) const RENAMED_PREFIX: &str = "fields.";

/// The layer's encoding settings.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) redactor: Redactor,
    pub(crate) max_value_len: usize,
    /// The static keys present on every line, reserved like the core keys.
    pub(crate) static_keys: Vec<Box<str>>,
    /// The profile's fixed bytes and reserved keys.
    pub(crate) layout: Layout,
    /// `projects/<id>/traces/` (escaped) for the `gcp` profile's trace link, or empty.
    pub(crate) gcp_trace_prefix: Box<[u8]>,
    /// Identifies these settings in the per-thread
    /// [`KeyCache`](super::key_cache::KeyCache); renewed on every change.
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
    pub(super) fn is_reserved(&self, name: &str) -> bool {
        self.layout.reserves(name) || self.static_keys.iter().any(|k| **k == *name)
    }
}

/// Settings for unit tests: the default deny-list and cap, `service` as a static key.
#[cfg(test)]
pub(super) fn test_config() -> Config {
    Config {
        redactor: Redactor::default(),
        max_value_len: 16 * 1024,
        static_keys: vec!["service".into()],
        layout: Layout::of(super::LogProfile::Default),
        gcp_trace_prefix: Box::default(),
        id: next_config_id(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_names() {
        let c = test_config();
        assert!(c.is_reserved("level"));
        assert!(c.is_reserved("service"));
        assert!(!c.is_reserved("release"));
        assert!(!c.is_reserved("user_id"));
        assert!(!c.is_reserved("severity"));
    }
}
