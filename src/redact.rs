//! Redaction: one deny-list and masking rules, shared by the JSON output and Sentry scrubbing.
