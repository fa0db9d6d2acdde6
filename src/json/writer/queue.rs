//! The queue between the logging threads and the writer thread: one byte buffer behind a
//! mutex, swapped whole by the writer thread for its spare (double buffering).

use std::cell::Cell;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// How long the writer thread, having just written, waits for more lines before it takes
/// the queue again: meanwhile no logging thread wakes it, so a busy service makes one write
/// call per this much time, not one per line.
const LINGER: Duration = Duration::from_millis(1);

thread_local! {
    /// When set, this thread waits for room until then at most, then drops its line.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Runs `f` with this thread's waits for room bounded by `deadline` (the panic hook: its
/// line must not wait for ever on a stalled output).
pub(super) fn with_deadline<R>(deadline: Instant, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Instant>);
    impl Drop for Reset {
        fn drop(&mut self) {
            DEADLINE.with(|cell| cell.set(self.0));
        }
    }
    let _reset = Reset(DEADLINE.with(|cell| cell.replace(Some(deadline))));
    f()
}

/// What the logging threads and the writer thread share.
pub(super) struct Shared {
    state: Mutex<State>,
    /// The writer thread waits here for lines, or for the close.
    work: Condvar,
    /// Logging threads wait here for room, and flushing threads for their lines to be done.
    progress: Condvar,
    /// The most bytes the queue holds (one line longer than that still goes, alone).
    pub(super) capacity: usize,
    lossy: bool,
    /// Lines refused because the queue was full (lossy mode, or after an abandoned shutdown);
    /// read without the lock by the JSON layer's dropped-line report.
    dropped: AtomicUsize,
    /// The output, handed back by the writer thread when it ends: a line logged after the
    /// shutdown is written at once, on the logging thread.
    late: Mutex<Option<Box<dyn Write + Send>>>,
}

#[derive(Debug)]
struct State {
    /// The queued lines, whole, in order.
    buf: Vec<u8>,
    /// How many writes `buf` holds.
    buf_lines: u64,
    /// Lines accepted into the queue, ever.
    accepted: u64,
    /// Lines the writer thread is done with (written, or failed), ever.
    done: u64,
    /// Lines whose write failed, ever.
    failed: u64,
    /// The error of the first failed write.
    first_error: Option<std::io::ErrorKind>,
    /// Shutdown has begun: the writer thread ends once the queue is empty.
    closed: bool,
    /// Shutdown has given up waiting: nobody waits for room any more.
    abandoned: bool,
    /// The writer thread has ended.
    finished: bool,
    /// The writer thread waits on `work` until woken.
    writer_waiting: bool,
    /// The writer thread waits on `work` for [`LINGER`] at most: woken only by a half-full
    /// queue or the close.
    writer_lingering: bool,
    /// Threads waiting on `progress`.
    waiters: usize,
    /// Logging threads waiting for room.
    blocked: u64,
    /// The writer thread, so that it never waits for itself.
    writer_thread: Option<ThreadId>,
}

/// One batch taken off the queue by the writer thread.
pub(super) struct Batch {
    pub(super) lines: u64,
}

/// The counts at the end of a shutdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Counts {
    pub(super) not_written: u64,
    pub(super) failed: u64,
    pub(super) first_error: Option<std::io::ErrorKind>,
    pub(super) dropped: u64,
}

impl Shared {
    pub(super) fn new(capacity: usize, lossy: bool) -> Self {
        Self {
            state: Mutex::new(State {
                buf: Vec::with_capacity(capacity),
                buf_lines: 0,
                accepted: 0,
                done: 0,
                failed: 0,
                first_error: None,
                closed: false,
                abandoned: false,
                finished: false,
                writer_waiting: false,
                writer_lingering: false,
                waiters: 0,
                blocked: 0,
                writer_thread: None,
            }),
            work: Condvar::new(),
            progress: Condvar::new(),
            capacity,
            lossy,
            dropped: AtomicUsize::new(0),
            late: Mutex::new(None),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock but an allocation failure, which aborts.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lines refused so far because the queue was full.
    pub(super) fn dropped(&self) -> usize {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Queues one line (one write: the formatters write each line whole); when the queue is
    /// full, waits for room, or drops the line when lossy.
    pub(super) fn push(&self, line: &[u8]) {
        if line.is_empty() {
            return;
        }
        let mut state = self.lock();
        // An empty queue takes any line, so that a line longer than the capacity still goes.
        let mut waited = false;
        while !state.finished
            && !state.buf.is_empty()
            && state.buf.len() + line.len() > self.capacity
        {
            if self.lossy || state.abandoned {
                // Counted in the shutdown report if it waited until the shutdown gave up.
                let counted = waited;
                drop(state);
                if !counted {
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                }
                return;
            }
            let deadline = DEADLINE.with(Cell::get);
            let now = Instant::now();
            if deadline.is_some_and(|deadline| now >= deadline) {
                drop(state);
                self.dropped.fetch_add(1, Ordering::Relaxed);
                return;
            }
            waited = true;
            state.waiters += 1;
            state.blocked += 1;
            state = match deadline {
                None => self
                    .progress
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    self.progress
                        .wait_timeout(state, deadline - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
            state.waiters -= 1;
            state.blocked -= 1;
        }
        if state.finished {
            drop(state);
            self.write_late(line);
            return;
        }
        // No allocation: the buffer keeps its capacity from one swap to the next.
        state.buf.extend_from_slice(line);
        state.buf_lines += 1;
        state.accepted += 1;
        if state.writer_waiting || (state.writer_lingering && state.buf.len() >= self.capacity / 2)
        {
            // Woken once per batch at most, not once per line.
            state.writer_waiting = false;
            state.writer_lingering = false;
            self.work.notify_one();
        }
    }

    /// The writer thread's side: waits for lines (first [`LINGER`]ing, unwoken, when `busy`:
    /// it has just written), then swaps the queue with `spare` (empty) and returns how many
    /// lines it took; `None` once closed and empty.
    pub(super) fn take(&self, spare: &mut Vec<u8>, mut busy: bool) -> Option<Batch> {
        let mut state = self.lock();
        if state.writer_thread.is_none() {
            state.writer_thread = Some(std::thread::current().id());
        }
        while state.buf.is_empty() {
            if state.closed {
                return None;
            }
            if std::mem::take(&mut busy) {
                state.writer_lingering = true;
                state = self
                    .work
                    .wait_timeout(state, LINGER)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
                state.writer_lingering = false;
            } else {
                state.writer_waiting = true;
                state = self
                    .work
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
        std::mem::swap(&mut state.buf, spare);
        let lines = std::mem::take(&mut state.buf_lines);
        if state.waiters > 0 {
            self.progress.notify_all();
        }
        Some(Batch { lines })
    }

    /// The writer thread's side: `batch` is done, `failed` of its lines could not be written.
    pub(super) fn finish(&self, batch: Batch, failed: u64, error: Option<std::io::ErrorKind>) {
        let mut state = self.lock();
        state.done += batch.lines;
        state.failed += failed;
        if state.first_error.is_none() {
            state.first_error = error;
        }
        if state.waiters > 0 {
            self.progress.notify_all();
        }
    }

    /// A line logged after the writer thread ended: written on this thread.
    fn write_late(&self, line: &[u8]) {
        let mut late = self.late.lock().unwrap_or_else(PoisonError::into_inner);
        let written = late.as_mut().is_some_and(|w| w.write_all(line).is_ok());
        if !written {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The writer thread's side, once [`take`](Self::take) said the queue is closed and
    /// empty: hands `writer` back for the lines logged from now on and marks the thread
    /// ended, unless a line came in meanwhile (then `writer` is returned, to go on).
    ///
    /// The output is locked before the state, so that a line that sees the writer ended
    /// waits for the output to be handed back rather than finding none.
    pub(super) fn end<W: Write + Send + 'static>(&self, mut writer: W) -> Result<(), W> {
        let mut late = self.late.lock().unwrap_or_else(PoisonError::into_inner);
        let mut state = self.lock();
        if !state.buf.is_empty() {
            return Err(writer);
        }
        state.finished = true;
        self.progress.notify_all();
        drop(state);
        let _ = catch_unwind(AssertUnwindSafe(|| writer.flush()));
        *late = Some(Box::new(writer));
        Ok(())
    }

    /// The writer thread has ended (normally or not): nobody waits for it any more.
    pub(super) fn writer_ended(&self) {
        let mut state = self.lock();
        state.finished = true;
        self.progress.notify_all();
    }

    /// Waits until every line queued before this call is written (or failed), or until
    /// `deadline`; `true` if they all were. Returns at once on the writer thread itself.
    pub(super) fn flush(&self, deadline: Instant) -> bool {
        let state = self.lock();
        if state.writer_thread == Some(std::thread::current().id()) {
            return state.done >= state.accepted;
        }
        let target = state.accepted;
        self.wait_until(state, deadline, |state| state.done >= target)
            .0
    }

    /// Closes the queue and waits, until `deadline` at most, for the writer thread to write
    /// every queued line and end; then says what was left.
    pub(super) fn close(&self, deadline: Instant) -> (bool, Counts) {
        let mut state = self.lock();
        state.closed = true;
        if state.writer_waiting || state.writer_lingering {
            state.writer_waiting = false;
            state.writer_lingering = false;
            self.work.notify_one();
        }
        let (ended, mut state) = self.wait_until(state, deadline, |state| state.finished);
        let mut blocked = 0;
        if !ended {
            // The writer is stuck in a write: from now on a full queue drops, never waits;
            // the lines waiting for room are dropped, and counted here.
            state.abandoned = true;
            blocked = state.blocked;
            self.progress.notify_all();
        }
        let counts = Counts {
            // Queued, or in the batch being written: not known to be written. (A batch cut
            // short by the deadline may be partly out; its lines are all counted.)
            not_written: state.accepted - state.done + blocked,
            failed: state.failed,
            first_error: state.first_error,
            dropped: self.dropped() as u64,
        };
        (ended, counts)
    }

    /// Waits on `progress` until `done(state)` or `deadline`; says whether `done` holds.
    fn wait_until<'a>(
        &self,
        mut state: MutexGuard<'a, State>,
        deadline: Instant,
        done: impl Fn(&State) -> bool,
    ) -> (bool, MutexGuard<'a, State>) {
        while !done(&state) && !state.finished {
            let now = Instant::now();
            if now >= deadline {
                return (false, state);
            }
            state.waiters += 1;
            state = self
                .progress
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            state.waiters -= 1;
        }
        (done(&state), state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(10)
    }

    #[test]
    fn a_swap_takes_every_queued_line_in_order() {
        let shared = Shared::new(64, false);
        shared.push(b"one\n");
        shared.push(b"two\n");
        let mut spare = Vec::with_capacity(64);
        let batch = shared.take(&mut spare, false).expect("lines");
        assert_eq!(batch.lines, 2);
        assert_eq!(spare, b"one\ntwo\n");
        shared.finish(batch, 0, None);
        assert!(shared.flush(soon()));
    }

    #[test]
    fn a_full_lossy_queue_drops_and_counts() {
        let shared = Shared::new(8, true);
        shared.push(b"1234567\n");
        shared.push(b"x\n");
        shared.push(b"y\n");
        assert_eq!(shared.dropped(), 2);
        let mut spare = Vec::new();
        let batch = shared.take(&mut spare, false).expect("lines");
        assert_eq!((batch.lines, spare.as_slice()), (1, &b"1234567\n"[..]));
    }

    #[test]
    fn a_line_longer_than_the_queue_goes_alone() {
        let shared = Shared::new(4, false);
        shared.push(b"longer than four\n");
        let mut spare = Vec::new();
        assert_eq!(shared.take(&mut spare, false).expect("a line").lines, 1);
    }

    #[test]
    fn a_full_lossless_queue_waits_for_room() {
        let shared = std::sync::Arc::new(Shared::new(8, false));
        shared.push(b"1234567\n");
        let pusher = {
            let shared = shared.clone();
            std::thread::spawn(move || shared.push(b"waits\n"))
        };
        let mut spare = Vec::new();
        let first = shared.take(&mut spare, false).expect("the first line");
        shared.finish(first, 0, None);
        pusher.join().expect("the pusher ends once there is room");
        spare.clear();
        let second = shared.take(&mut spare, false).expect("the second line");
        assert_eq!(spare, b"waits\n");
        assert_eq!(shared.dropped(), 0);
        shared.finish(second, 0, None);
    }

    #[test]
    fn a_wait_for_room_under_a_deadline_ends_and_counts() {
        let shared = Shared::new(8, false);
        shared.push(b"1234567\n");
        with_deadline(Instant::now() + Duration::from_millis(20), || {
            shared.push(b"dropped\n");
        });
        assert_eq!(shared.dropped(), 1);
    }

    /// The race of a line logged between the writer's last look at the queue and its end:
    /// the line is taken and written, not left in a queue nobody reads.
    #[test]
    fn a_line_pushed_after_the_last_take_is_still_taken() {
        let shared = Shared::new(64, false);
        let _ = shared.close(Instant::now());
        let mut spare = Vec::new();
        assert!(shared.take(&mut spare, false).is_none());
        shared.push(b"late\n");
        let writer = shared.end(Vec::<u8>::new()).expect_err("a line came in");
        let batch = shared.take(&mut spare, false).expect("the late line");
        assert_eq!(spare, b"late\n");
        shared.finish(batch, 0, None);
        spare.clear();
        assert!(shared.take(&mut spare, false).is_none());
        assert!(shared.end(writer).is_ok());
        // From now on a line is written on the logging thread, into the handed-back output.
        shared.push(b"after\n");
        assert_eq!(shared.dropped(), 0);
    }

    #[test]
    fn a_close_that_times_out_counts_what_was_left() {
        let shared = Shared::new(64, false);
        shared.push(b"a\n");
        shared.push(b"b\n");
        let (ended, counts) = shared.close(Instant::now());
        assert!(!ended);
        assert_eq!(counts.not_written, 2);
        // Abandoned: a full queue no longer waits.
        let small = Shared::new(2, false);
        small.push(b"a\n");
        let _ = small.close(Instant::now());
        small.push(b"b\n");
        assert_eq!(small.dropped(), 1);
    }
}
