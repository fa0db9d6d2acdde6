//! [`Release`]: the chain of sources, first match wins, and where the value came from.

use std::fmt;

use super::BuildInfo;
use super::sha::{InvalidSha, check_sha, is_sha};

/// The commit variables of hosting platforms and CI services, in the order they are tried.
///
/// `FLY_IMAGE_REF` comes after them; it holds an image reference whose tag may be a SHA.
pub(crate) const PLATFORM_VARIABLES: &[&str] = &[
    "RENDER_GIT_COMMIT",
    "RAILWAY_GIT_COMMIT_SHA",
    "VERCEL_GIT_COMMIT_SHA",
    "SOURCE_VERSION",
    "GITHUB_SHA",
    "CI_COMMIT_SHA",
];

/// Where the release value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReleaseSource {
    /// The environment variable of that name, read at start-up.
    Env(&'static str),
    /// The tag of the image reference in `FLY_IMAGE_REF`.
    FlyImageRef,
    /// `GIT_SHA` as it was when the crate was compiled.
    BuildTime,
    /// `name@version` of the crate.
    PackageVersion,
    /// Set in code ([`Release::configured`], `Init::release`).
    Configured,
}

impl fmt::Display for ReleaseSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(name) => write!(f, "environment variable {name}"),
            Self::FlyImageRef => f.write_str("the image tag in FLY_IMAGE_REF"),
            Self::BuildTime => f.write_str("GIT_SHA at build time"),
            Self::PackageVersion => f.write_str("the package name and version"),
            Self::Configured => f.write_str("the value set in code"),
        }
    }
}

/// The release of the running build: its value, where it came from, and what was skipped.
///
/// # Example
///
/// ```
/// use http_observability::release::{BuildInfo, Release, ReleaseSource};
///
/// let build = BuildInfo::new("shop", "1.4.2", None);
/// let release = Release::resolve_with(build, |name| {
///     (name == "RENDER_GIT_COMMIT").then(|| "0123456789abcdef0123456789abcdef01234567".to_owned())
/// });
/// assert_eq!(release.as_str(), "0123456789abcdef0123456789abcdef01234567");
/// assert_eq!(release.source(), ReleaseSource::Env("RENDER_GIT_COMMIT"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    value: String,
    source: ReleaseSource,
    skipped: Vec<InvalidSha>,
}

impl Release {
    /// Resolves the release from the process environment, then from `build`.
    ///
    /// See the [module docs](mod@crate::release) for the order.
    pub fn resolve(build: BuildInfo) -> Self {
        Self::resolve_with(build, |name| std::env::var(name).ok())
    }

    /// A release set in code, taken as it is (no SHA check).
    pub fn configured(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            source: ReleaseSource::Configured,
            skipped: Vec::new(),
        }
    }

    /// Resolves the release reading variables through `lookup` instead of the process
    /// environment (for tests, or a configuration source of your own).
    pub fn resolve_with(build: BuildInfo, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut skipped = Vec::new();
        let found = |source: ReleaseSource, value: String, skipped: Vec<InvalidSha>| Self {
            value,
            source,
            skipped,
        };
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        if let Some(value) = get("SENTRY_RELEASE") {
            return found(ReleaseSource::Env("SENTRY_RELEASE"), value, skipped);
        }
        for &name in std::iter::once(&"GIT_SHA").chain(PLATFORM_VARIABLES) {
            if let Some(value) = get(name) {
                match check_sha(ReleaseSource::Env(name), value) {
                    Ok(sha) => return found(ReleaseSource::Env(name), sha, skipped),
                    Err(invalid) => skipped.push(invalid),
                }
            }
        }
        if let Some(sha) = get("FLY_IMAGE_REF").and_then(|r| image_tag(&r).map(str::to_owned))
            && is_sha(&sha)
        {
            return found(ReleaseSource::FlyImageRef, sha, skipped);
        }
        if let Some(value) = build.git_sha().map(str::trim).filter(|v| !v.is_empty()) {
            match check_sha(ReleaseSource::BuildTime, value.to_owned()) {
                Ok(sha) => return found(ReleaseSource::BuildTime, sha, skipped),
                Err(invalid) => skipped.push(invalid),
            }
        }
        let value = format!("{}@{}", build.name(), build.version());
        found(ReleaseSource::PackageVersion, value, skipped)
    }

    /// The release value, as sent to Sentry and written in every log line.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Which source gave the value.
    pub fn source(&self) -> ReleaseSource {
        self.source
    }

    /// The variables that claimed to hold a SHA but did not, in the order they were tried.
    pub fn skipped(&self) -> &[InvalidSha] {
        &self.skipped
    }

    /// Logs one WARN per [skipped](Self::skipped) variable. Call it once a subscriber is
    /// installed (the one-call setup does).
    pub fn log_skipped(&self) {
        for invalid in &self.skipped {
            tracing::warn!(
                variable = invalid.variable(),
                release = self.as_str(),
                release.source = %self.source,
                "{invalid}"
            );
        }
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

/// The tag of an image reference (`registry/app:tag`), without any `@digest`.
fn image_tag(reference: &str) -> Option<&str> {
    let name = reference.split('@').next().unwrap_or(reference);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split_once(':').map(|(_, tag)| tag)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
    const BUILD: BuildInfo = BuildInfo::new("shop", "1.4.2", None);

    fn resolve(build: BuildInfo, vars: &[(&str, &str)]) -> Release {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Release::resolve_with(build, |name| vars.get(name).cloned())
    }

    #[test]
    fn sentry_release_wins_and_is_free_form() {
        let r = resolve(
            BUILD,
            &[("SENTRY_RELEASE", "shop@1.4.2+x"), ("GIT_SHA", SHA)],
        );
        assert_eq!(r.as_str(), "shop@1.4.2+x");
        assert_eq!(r.source(), ReleaseSource::Env("SENTRY_RELEASE"));
    }

    #[test]
    fn git_sha_before_platforms() {
        let r = resolve(BUILD, &[("GIT_SHA", "abcdef1"), ("GITHUB_SHA", SHA)]);
        assert_eq!(r.as_str(), "abcdef1");
        assert_eq!(r.source(), ReleaseSource::Env("GIT_SHA"));
    }

    #[test]
    fn every_platform_variable_in_order() {
        for (i, &name) in PLATFORM_VARIABLES.iter().enumerate() {
            let mut vars = vec![(name, SHA)];
            // A later variable never beats an earlier one.
            if let Some(&later) = PLATFORM_VARIABLES.get(i + 1) {
                vars.push((later, "fedcba9"));
            }
            vars.push(("FLY_IMAGE_REF", "registry.fly.io/shop:fedcba98"));
            let r = resolve(BUILD, &vars);
            assert_eq!(r.as_str(), SHA, "{name}");
            assert_eq!(r.source(), ReleaseSource::Env(name));
        }
    }

    #[test]
    fn fly_image_tag_when_it_is_a_sha() {
        let r = resolve(BUILD, &[("FLY_IMAGE_REF", "registry.fly.io/shop:abcdef12")]);
        assert_eq!(r.as_str(), "abcdef12");
        assert_eq!(r.source(), ReleaseSource::FlyImageRef);

        let r = resolve(
            BUILD,
            &[("FLY_IMAGE_REF", "registry.fly.io/shop:deployment-01HXYZ")],
        );
        assert_eq!(r.source(), ReleaseSource::PackageVersion);
        assert!(r.skipped().is_empty(), "Fly's own tags are not claims");

        let r = resolve(
            BUILD,
            &[(
                "FLY_IMAGE_REF",
                "registry.fly.io:5000/shop@sha256:abcdef1234",
            )],
        );
        assert_eq!(r.source(), ReleaseSource::PackageVersion);
    }

    #[test]
    fn build_time_sha_after_the_environment() {
        let build = BuildInfo::new("shop", "1.4.2", Some("abcdef1"));
        assert_eq!(resolve(build, &[]).source(), ReleaseSource::BuildTime);
        assert_eq!(resolve(build, &[]).as_str(), "abcdef1");
        let r = resolve(build, &[("CI_COMMIT_SHA", SHA)]);
        assert_eq!(r.source(), ReleaseSource::Env("CI_COMMIT_SHA"));
    }

    #[test]
    fn package_version_last() {
        let r = resolve(BUILD, &[]);
        assert_eq!(r.as_str(), "shop@1.4.2");
        assert_eq!(r.source(), ReleaseSource::PackageVersion);
    }

    #[test]
    fn invalid_claims_are_skipped_and_named() {
        let build = BuildInfo::new("shop", "1.4.2", Some("main"));
        let r = resolve(
            build,
            &[
                ("GIT_SHA", "abc12"),             // too short
                ("RENDER_GIT_COMMIT", "xyz1234"), // not hex
                ("GITHUB_SHA", &"a".repeat(41)),  // too long
                ("CI_COMMIT_SHA", "  "),          // empty: unset, not skipped
            ],
        );
        assert_eq!(r.source(), ReleaseSource::PackageVersion);
        let names: Vec<_> = r.skipped().iter().map(InvalidSha::variable).collect();
        assert_eq!(
            names,
            [
                "GIT_SHA",
                "RENDER_GIT_COMMIT",
                "GITHUB_SHA",
                "GIT_SHA (build time)"
            ]
        );
        let message = r.skipped()[1].to_string();
        assert!(message.contains("RENDER_GIT_COMMIT"), "{message}");
        assert!(!message.contains("xyz1234"), "never the value: {message}");
    }

    #[test]
    fn skipped_then_next_source_wins() {
        let r = resolve(
            BUILD,
            &[("GIT_SHA", "nope"), ("VERCEL_GIT_COMMIT_SHA", SHA)],
        );
        assert_eq!(r.source(), ReleaseSource::Env("VERCEL_GIT_COMMIT_SHA"));
        assert_eq!(r.skipped().len(), 1);
    }

    #[test]
    fn values_are_trimmed_and_empty_is_unset() {
        let r = resolve(BUILD, &[("SENTRY_RELEASE", ""), ("GIT_SHA", " abcdef1\n")]);
        assert_eq!(r.as_str(), "abcdef1");
    }

    #[test]
    fn sha_shape() {
        assert!(is_sha("abcdef1"));
        assert!(is_sha(SHA));
        assert!(is_sha("ABCDEF1"));
        assert!(!is_sha("abcdef"));
        assert!(!is_sha(&"a".repeat(41)));
        assert!(!is_sha("abcdefg"));
    }

    #[test]
    fn macro_expands_in_the_caller() {
        let build = crate::release!();
        assert_eq!(build.name(), env!("CARGO_PKG_NAME"));
        assert_eq!(build.version(), env!("CARGO_PKG_VERSION"));
    }
}
