//! The rule for a value that claims to be a git SHA, and the error for one that is not.

use std::fmt;

use super::ReleaseSource;

/// A variable that claimed to hold a git SHA but did not: it was skipped.
///
/// The message names the variable and the rule, never the value.
///
/// # Example
///
/// ```
/// use http_observability::release::{BuildInfo, Release};
///
/// let release = Release::resolve_with(BuildInfo::new("a", "1.0.0", None), |name| {
///     (name == "GIT_SHA").then(|| "not-a-sha".to_owned())
/// });
/// assert_eq!(release.skipped()[0].variable(), "GIT_SHA");
/// assert_eq!(release.as_str(), "a@1.0.0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSha {
    source: ReleaseSource,
    length: usize,
}

impl InvalidSha {
    /// The name of the variable that held the value (`GIT_SHA (build time)` for the
    /// compile-time one).
    pub fn variable(&self) -> &'static str {
        match self.source {
            ReleaseSource::Env(name) => name,
            ReleaseSource::FlyImageRef => "FLY_IMAGE_REF",
            ReleaseSource::BuildTime => "GIT_SHA (build time)",
            ReleaseSource::PackageVersion => "CARGO_PKG_VERSION",
            ReleaseSource::Configured => "Init::release",
        }
    }
}

impl fmt::Display for InvalidSha {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not a git SHA (7 to 40 hexadecimal characters, got {} characters); \
             trying the next release source",
            self.variable(),
            self.length
        )
    }
}

pub(super) fn check_sha(source: ReleaseSource, value: String) -> Result<String, InvalidSha> {
    if is_sha(&value) {
        Ok(value)
    } else {
        Err(InvalidSha {
            source,
            length: value.chars().count(),
        })
    }
}

/// Whether `value` looks like a (possibly abbreviated) git SHA: 7 to 40 hex characters.
pub(crate) fn is_sha(value: &str) -> bool {
    (7..=40).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_hexdigit())
}
