//! The build facts of the user's crate: [`BuildInfo`], `release!()`, and [`emit_git_sha`].

/// What was known about the build when the user's crate was compiled.
///
/// Made by [`release!()`](crate::release!), which expands in the calling crate so that its
/// `CARGO_PKG_NAME`, `CARGO_PKG_VERSION` and build-time `GIT_SHA` are the ones used; made by
/// hand with [`new`](Self::new) for tests. See the [module docs](mod@crate::release) for how
/// the release is chosen from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildInfo {
    name: &'static str,
    version: &'static str,
    git_sha: Option<&'static str>,
}

impl BuildInfo {
    /// Build facts: the crate's name and version, and the SHA set at compile time, if any.
    pub const fn new(
        name: &'static str,
        version: &'static str,
        git_sha: Option<&'static str>,
    ) -> Self {
        Self {
            name,
            version,
            git_sha,
        }
    }

    /// The crate name (`CARGO_PKG_NAME`).
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The crate version (`CARGO_PKG_VERSION`).
    pub const fn version(&self) -> &'static str {
        self.version
    }

    /// `GIT_SHA` as it was at compile time, unvalidated.
    pub const fn git_sha(&self) -> Option<&'static str> {
        self.git_sha
    }
}

/// The [`BuildInfo`] of the crate where it is written: its name, version and compile-time
/// `GIT_SHA`.
///
/// # Example
///
/// ```
/// use http_observability::release::Release;
///
/// let release = Release::resolve(http_observability::release!());
/// assert!(!release.as_str().is_empty());
/// ```
#[macro_export]
macro_rules! release {
    () => {
        $crate::release::BuildInfo::new(
            ::core::env!("CARGO_PKG_NAME"),
            ::core::env!("CARGO_PKG_VERSION"),
            ::core::option_env!("GIT_SHA"),
        )
    };
}

/// For your `build.rs`: makes the current git commit available to
/// [`release!()`](crate::release!) as the build-time `GIT_SHA`.
///
/// Prints `cargo:rustc-env=GIT_SHA=<sha>`. If `GIT_SHA` is already set in the build's
/// environment (a Docker `ARG`), that value is kept. Outside a git checkout, or without a
/// `git` executable, it sets no `GIT_SHA` and the release falls back to the next source. It
/// also tells cargo to rebuild when `HEAD` moves or `GIT_SHA` changes. See the
/// [module docs](mod@crate::release#embedding-the-sha-at-build-time) for `build.rs` and Docker.
pub fn emit_git_sha() {
    println!("cargo:rerun-if-env-changed=GIT_SHA");
    if let Some(sha) = std::env::var("GIT_SHA")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        println!("cargo:rustc-env=GIT_SHA={}", sha.trim());
        return;
    }
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let Some(sha) = git(&["rev-parse", "HEAD"]) else {
        return;
    };
    if let Some(head) = git(&["rev-parse", "--git-path", "HEAD"]) {
        println!("cargo:rerun-if-changed={head}");
    }
    if let Some(reference) =
        git(&["symbolic-ref", "-q", "HEAD"]).and_then(|r| git(&["rev-parse", "--git-path", &r]))
    {
        println!("cargo:rerun-if-changed={reference}");
    }
    println!("cargo:rustc-env=GIT_SHA={sha}");
}
