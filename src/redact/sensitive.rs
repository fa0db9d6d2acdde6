//! [`Sensitive`]: a value marked secret where it is logged.

use std::fmt;

use super::REDACTED;

/// Marks a value as sensitive at the call site: its `Display` and `Debug` print
/// `[REDACTED]`, whatever the field name.
///
/// # Example
///
/// ```
/// use http_observability::redact::Sensitive;
///
/// let ssn = Sensitive("078-05-1120");
/// tracing::info!(customer = %ssn, "verified"); // "customer":"[REDACTED]"
/// assert_eq!(format!("{ssn:?}"), "[REDACTED]");
/// assert_eq!(ssn.into_inner(), "078-05-1120");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Sensitive<T>(pub T);

impl<T> Sensitive<T> {
    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_prints_redacted() {
        let s = Sensitive(String::from("hunter2"));
        assert_eq!(s.to_string(), REDACTED);
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{:>20}", s), REDACTED);
        assert_eq!(Sensitive::from(3).into_inner(), 3);
    }
}
