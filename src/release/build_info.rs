//! What is known of the build in the user's crate: [`BuildInfo`], the [`release!()`](crate::release!)
//! macro that makes it there, and [`emit_git_sha`] for a build script.

/// What was known about the build when the user's crate was compiled.
///
/// Made by [`release!()`](crate::release!), which expands in the calling crate so that its
/// `CARGO_PKG_NAME`, `CARGO_PKG_VERSION` and build-time `GIT_SHA` are the ones used.
///
/// # Example
///
/// ```
/// use http_observability::release::BuildInfo;
///
/// let build = BuildInfo::new("shop", "1.4.2", Some("0123abc"));
/// assert_eq!(build.name(), "shop");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildInfo {
    name: &'static str,
    version: &'static str,
    git_sha: Option<&'static str>,
}

impl BuildInfo {
    /// Build facts: the crate's name and version, and the SHA set at compile time, if any.
    ///
    /// # Example
    ///
    /// ```
    /// let build = http_observability::release::BuildInfo::new("shop", "1.4.2", None);
    /// assert_eq!(build.version(), "1.4.2");
    /// ```
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
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(http_observability::release!().name(), "http-observability");
    /// ```
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The crate version (`CARGO_PKG_VERSION`).
    ///
    /// # Example
    ///
    /// ```
    /// assert!(!http_observability::release!().version().is_empty());
    /// ```
    pub const fn version(&self) -> &'static str {
        self.version
    }

    /// `GIT_SHA` as it was at compile time, unvalidated.
    ///
    /// # Example
    ///
    /// ```
    /// let build = http_observability::release::BuildInfo::new("a", "1.0.0", Some("abc1234"));
    /// assert_eq!(build.git_sha(), Some("abc1234"));
    /// ```
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
/// `git` executable, it prints nothing and the release falls back to the next source. It also
/// tells cargo to rebuild when `HEAD` moves or `GIT_SHA` changes.
///
/// # Example
///
/// ```no_run
/// // In `fn main` of build.rs:
/// http_observability::release::emit_git_sha();
/// ```
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
