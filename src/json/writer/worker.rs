//! The writer thread: takes the queued lines in one swap and writes them in batches, one
//! `write_all` per batch, each batch ending on a line boundary.

use std::io::{self, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use super::queue::Shared;

/// The most bytes one write call carries: the default capacity of a Linux pipe, so that a
/// drained pipe takes a batch at once, and the time to write one batch stays short.
pub(super) const MAX_BATCH: usize = 64 * 1024;

/// The writer thread's loop, until the queue is closed and empty.
pub(super) fn run<W: Write + Send + 'static>(shared: &Shared, mut writer: W) {
    // Marks the writer ended however the loop ends, a panicking writer included.
    struct Ended<'a>(&'a Shared);
    impl Drop for Ended<'_> {
        fn drop(&mut self) {
            self.0.writer_ended();
        }
    }
    let _ended = Ended(shared);
    let mut batch = Vec::with_capacity(shared.capacity);
    let mut busy = false;
    loop {
        let Some(taken) = shared.take(&mut batch, busy) else {
            // Closed and empty; a line pushed since then is written before the end.
            match shared.end(writer) {
                Ok(()) => return,
                Err(back) => {
                    writer = back;
                    continue;
                }
            }
        };
        busy = true;
        let result = catch_unwind(AssertUnwindSafe(|| write_batches(&mut writer, &batch)));
        let (failed, error) = match result {
            Ok(Ok(())) => (0, None),
            Ok(Err((rest, error))) => (lines_in(&batch[rest..], taken.lines), Some(error)),
            Err(_) => (taken.lines, Some(io::ErrorKind::Other)),
        };
        shared.finish(taken, failed, error);
        batch.clear();
    }
}

/// Writes `bytes` in batches of at most [`MAX_BATCH`] bytes cut after a `\n` (a longer line
/// is one batch of its own); on an error, the offset of the first byte not written and the
/// error (the rest of `bytes` is given up: the next batch will try again).
fn write_batches<W: Write>(writer: &mut W, bytes: &[u8]) -> Result<(), (usize, io::ErrorKind)> {
    let mut start = 0;
    while start < bytes.len() {
        let end = batch_end(bytes, start);
        if let Err(error) = writer.write_all(&bytes[start..end]) {
            return Err((start, error.kind()));
        }
        start = end;
    }
    writer.flush().map_err(|error| (bytes.len(), error.kind()))
}

/// Where the batch starting at `start` ends: after the last `\n` within [`MAX_BATCH`] bytes,
/// else after the first `\n` (or at the end).
fn batch_end(bytes: &[u8], start: usize) -> usize {
    let rest = &bytes[start..];
    if rest.len() <= MAX_BATCH {
        return bytes.len();
    }
    let cut = match rest[..MAX_BATCH].iter().rposition(|&b| b == b'\n') {
        Some(newline) => newline + 1,
        None => rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |newline| newline + 1),
    };
    start + cut
}

/// The lines in `unwritten`, at most `taken` (a multi-line event is one line).
fn lines_in(unwritten: &[u8], taken: u64) -> u64 {
    let newlines = unwritten.iter().filter(|&&b| b == b'\n').count() as u64;
    newlines.clamp(u64::from(!unwritten.is_empty()), taken)
}

/// Starts the writer thread on `writer`.
pub(super) fn spawn<W: Write + Send + 'static>(
    shared: Arc<Shared>,
    writer: W,
    name: String,
) -> io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name)
        .spawn(move || run(&shared, writer))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps each write call apart.
    #[derive(Default)]
    struct Calls(Vec<Vec<u8>>);

    impl Write for Calls {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn batches_end_on_a_line_and_stay_bounded() {
        let line = [b"x".repeat(99), b"\n".to_vec()].concat();
        let bytes = line.repeat(2000); // 200 000 bytes
        let mut calls = Calls::default();
        write_batches(&mut calls, &bytes).expect("written");
        assert!(calls.0.len() > 1);
        for call in &calls.0 {
            assert!(call.len() <= MAX_BATCH, "{}", call.len());
            assert!(call.ends_with(b"\n"));
        }
        assert_eq!(calls.0.concat(), bytes);
    }

    #[test]
    fn a_small_queue_is_one_write() {
        let mut calls = Calls::default();
        write_batches(&mut calls, b"a\nb\nc\n").expect("written");
        assert_eq!(calls.0, vec![b"a\nb\nc\n".to_vec()]);
    }

    #[test]
    fn a_line_longer_than_a_batch_is_one_write() {
        let long = [b"y".repeat(MAX_BATCH + 10), b"\n".to_vec()].concat();
        let bytes = [long.clone(), b"z\n".to_vec()].concat();
        let mut calls = Calls::default();
        write_batches(&mut calls, &bytes).expect("written");
        assert_eq!(calls.0, vec![long, b"z\n".to_vec()]);
    }

    #[test]
    fn a_failed_write_counts_its_lines() {
        assert_eq!(lines_in(b"a\nb\n", 2), 2);
        assert_eq!(lines_in(b"multi\nline\nevent\n", 1), 1);
        assert_eq!(lines_in(b"", 3), 0);
    }
}
