//! Which build is running: the release, resolved from the environment and the build facts.
//!
//! # Example
//!
//! ```
//! use http_observability::release::{self, Release};
//!
//! // Once at start-up (the one-call setup does this for you):
//! let release = Release::resolve(http_observability::release!());
//! release.log_skipped(); // one WARN per variable that claimed to be a SHA and was not
//! let release = release::set_current(release);
//! println!("running {} (from {})", release.as_str(), release.source());
//!
//! // Anywhere later, for example in a /version handler:
//! let running = release::current().map(|r| r.as_str()).unwrap_or("unknown");
//! # let _ = running;
//! ```
//!
//! # Where the release comes from
//!
//! The first source that gives a value wins:
//!
//! 1. `SENTRY_RELEASE`, taken as it is (any text, such as `shop@1.4.2+abc1234`);
//! 2. `GIT_SHA`, set by you at run time;
//! 3. the commit variables that hosting platforms and CI set: `RENDER_GIT_COMMIT`,
//!    `RAILWAY_GIT_COMMIT_SHA`, `VERCEL_GIT_COMMIT_SHA`, `SOURCE_VERSION` (Heroku),
//!    `GITHUB_SHA`, `CI_COMMIT_SHA` (GitLab), and the tag of `FLY_IMAGE_REF` when that tag
//!    is a SHA;
//! 4. `GIT_SHA` as it was **when your crate was compiled**: [`release!()`](crate::release!)
//!    expands `option_env!("GIT_SHA")` in your crate. Feed it with [`emit_git_sha`] in your
//!    `build.rs`, or with a Docker build argument (`ARG GIT_SHA` then `ENV GIT_SHA=$GIT_SHA`
//!    before `cargo build`);
//! 5. `name@version` of your crate, from `CARGO_PKG_NAME` and `CARGO_PKG_VERSION`.
//!
//! Values are trimmed, and empty ones count as unset. A value that claims to be a SHA (all
//! sources but `SENTRY_RELEASE` and the last) must be 7 to 40 hexadecimal characters;
//! otherwise it is skipped, [`Release::skipped`] names the variable (and
//! [`Release::log_skipped`] logs it at WARN), and the next source is tried. The value of
//! `FLY_IMAGE_REF` only counts when its tag is a SHA (Fly's own `deployment-…` tags are
//! silently ignored).
//!
//! # Embedding the SHA at build time
//!
//! ```no_run
//! // In `fn main` of your service's build.rs, with `http-observability` in
//! // [build-dependencies]:
//! http_observability::release::emit_git_sha();
//! ```
//!
//! In a Dockerfile, where `.git` is usually not copied into the build context:
//!
//! ```text
//! ARG GIT_SHA
//! ENV GIT_SHA=$GIT_SHA
//! RUN cargo build --release
//! # docker build --build-arg GIT_SHA=$(git rev-parse HEAD) .
//! ```

mod build_info;
mod resolve;
mod sha;

use std::sync::OnceLock;

pub use build_info::{BuildInfo, emit_git_sha};
pub use resolve::{Release, ReleaseSource};
pub use sha::InvalidSha;

static CURRENT: OnceLock<Release> = OnceLock::new();

/// Makes `release` the one [`current`] returns, and returns the current one.
///
/// The first call wins: later calls leave it unchanged and return the first one. The one-call
/// setup calls it at start-up.
pub fn set_current(release: Release) -> &'static Release {
    CURRENT.get_or_init(|| release)
}

/// The release of the running build, once [set](set_current) at start-up; `None` before.
pub fn current() -> Option<&'static Release> {
    CURRENT.get()
}
