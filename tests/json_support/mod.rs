//! The capture `MakeWriter` shared by the JSON integration tests.

// Each test binary uses a part of it.
#![allow(dead_code)]

use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;
use tracing_subscriber::fmt::MakeWriter;

/// A `MakeWriter` keeping every `write` call as one chunk.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<Vec<u8>>>>);

pub struct CaptureWriter(Arc<Mutex<Vec<Vec<u8>>>>);

impl io::Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(buf.to_vec());
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = CaptureWriter;
    fn make_writer(&'a self) -> CaptureWriter {
        CaptureWriter(self.0.clone())
    }
}

impl Capture {
    /// The raw chunks, each checked to be exactly one line.
    pub fn lines(&self) -> Vec<String> {
        let chunks = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        chunks
            .iter()
            .map(|chunk| {
                let line = String::from_utf8(chunk.clone()).expect("UTF-8 line");
                assert!(line.ends_with('\n'), "one write per line: {line:?}");
                assert_eq!(
                    line.matches('\n').count(),
                    1,
                    "one line per write: {line:?}"
                );
                line
            })
            .collect()
    }

    /// The lines, parsed.
    pub fn json(&self) -> Vec<Value> {
        self.lines()
            .iter()
            .map(|line| serde_json::from_str(line).expect("valid JSON"))
            .collect()
    }

    /// The only line, parsed.
    pub fn one(&self) -> Value {
        let mut lines = self.json();
        assert_eq!(lines.len(), 1, "{lines:?}");
        lines.remove(0)
    }
}
