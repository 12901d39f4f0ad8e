//! Text made in parallel, chunk by chunk, and written in order as it is made.
//!
//! Each thread takes the next chunk number, formats the chunk into its own buffer, waits for
//! its turn and writes. Writing one chunk thus overlaps with formatting the next, and a thread
//! reuses one buffer throughout, so a table of any size holds one chunk per thread in memory
//! (fresh memory costs a page fault per 4 KiB on first touch).

use crate::error::{Error, Result};
use rayon::prelude::*;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// Formats chunks `0..chunks` with `format` on the threads of the current rayon pool and
/// writes them to `out` in chunk order. `format(k, buf)` appends chunk `k` to the empty `buf`.
/// `write_error` turns a failed write into the crate's error.
///
/// The first error in chunk order is returned (a formatting error of chunk 3 rather than one
/// of chunk 5 formatted earlier); chunks after it are neither written nor, where they have not
/// started, formatted.
///
/// # Panics
/// If `format` or the writer panics; the other threads then stop instead of waiting for a
/// turn that never comes.
pub(crate) fn write_in_order<W, F>(
    out: &mut W,
    chunks: usize,
    format: F,
    write_error: impl Fn(std::io::Error) -> Error + Sync,
) -> Result<()>
where
    W: Write + Send,
    F: Fn(usize, &mut Vec<u8>) -> Result<()> + Sync,
{
    let turn = Mutex::new(Turn {
        next: 0,
        out,
        result: Ok(()),
        broken: false,
    });
    let turn_changed = Condvar::new();
    let next_chunk = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    // One taker per thread, as ordinary rayon jobs (see `input::work_queue` for why not a
    // broadcast).
    (0..rayon::current_num_threads())
        .into_par_iter()
        .with_max_len(1)
        .for_each(|_| {
            let mut buf = Vec::new();
            loop {
                if failed.load(Ordering::Relaxed) {
                    break;
                }
                let k = next_chunk.fetch_add(1, Ordering::Relaxed);
                if k >= chunks {
                    break;
                }
                // Chunk numbers are handed out in order, so every chunk before `k` is held by a
                // thread that will write it: the wait below ends.
                let abandon = Abandon {
                    turn: &turn,
                    turn_changed: &turn_changed,
                };
                buf.clear();
                let formatted = format(k, &mut buf);
                let mut t = lock(&turn);
                while t.next != k && !t.broken {
                    t = turn_changed.wait(t).unwrap_or_else(|p| p.into_inner());
                }
                if t.broken {
                    std::mem::forget(abandon);
                    break;
                }
                if t.result.is_ok() {
                    t.result = formatted.and_then(|()| t.out.write_all(&buf).map_err(&write_error));
                    if t.result.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                }
                t.next += 1;
                drop(t);
                std::mem::forget(abandon);
                turn_changed.notify_all();
            }
        });
    let turn = turn.into_inner().unwrap_or_else(|p| p.into_inner());
    turn.result
}

/// Whose turn it is to write, and what has come of the writing so far.
struct Turn<'w, W> {
    /// The chunk to be written next.
    next: usize,
    out: &'w mut W,
    /// The first error in chunk order.
    result: Result<()>,
    /// A thread panicked: no more turns come.
    broken: bool,
}

fn lock<'a, 'w, W>(m: &'a Mutex<Turn<'w, W>>) -> MutexGuard<'a, Turn<'w, W>> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Dropped only when a thread unwinds while holding a chunk: marks the turns broken and wakes
/// the waiting threads. (Forgotten on the normal path.)
struct Abandon<'a, 'w, W> {
    turn: &'a Mutex<Turn<'w, W>>,
    turn_changed: &'a Condvar,
}

impl<W> Drop for Abandon<'_, '_, W> {
    fn drop(&mut self) {
        lock(self.turn).broken = true;
        self.turn_changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn io_error(e: std::io::Error) -> Error {
        Error::new(ErrorKind::Io, "cannot write").caused_by(e)
    }

    /// Chunk `k` is the line `k`, made slower for small `k` so that later chunks finish first.
    fn slow_line(k: usize, buf: &mut Vec<u8>) -> Result<()> {
        std::thread::sleep(std::time::Duration::from_micros(
            ((k * 7919) % 13) as u64 * 50,
        ));
        writeln!(buf, "line {k}").unwrap();
        Ok(())
    }

    /// Runs `f` on a pool of its own, so that other tests do not take the threads.
    fn on_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(f)
    }

    #[test]
    fn chunks_come_out_in_order_whatever_finishes_first() {
        let mut out = Vec::new();
        on_threads(4, || write_in_order(&mut out, 200, slow_line, io_error)).unwrap();
        let want: String = (0..200).map(|k| format!("line {k}\n")).collect();
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    #[test]
    fn the_first_error_in_chunk_order_is_returned_and_nothing_after_it_is_written() {
        let mut out = Vec::new();
        let format = |k: usize, buf: &mut Vec<u8>| {
            if k == 30 || k == 31 {
                // Chunk 31 fails at once, chunk 30 later: 30 is the one to report.
                std::thread::sleep(std::time::Duration::from_millis(if k == 30 {
                    20
                } else {
                    0
                }));
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("bad chunk {k}"),
                ));
            }
            slow_line(k, buf)
        };
        let e = on_threads(4, || write_in_order(&mut out, 100, format, io_error)).unwrap_err();
        assert!(e.to_string().contains("bad chunk 30"), "{e}");
        let want: String = (0..30).map(|k| format!("line {k}\n")).collect();
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    #[test]
    fn a_failed_write_is_reported() {
        struct Full(usize);
        impl Write for Full {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                if self.0 >= 40 {
                    return Err(std::io::Error::other("disk full"));
                }
                self.0 += b.len();
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut out = Full(0);
        let e = write_in_order(&mut out, 50, slow_line, io_error).unwrap_err();
        assert!(e.to_string().contains("cannot write"), "{e}");
    }

    #[test]
    fn no_chunks_write_nothing() {
        let mut out = Vec::new();
        write_in_order(&mut out, 0, slow_line, io_error).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    #[should_panic(expected = "chunk 17 panics")]
    fn a_panic_stops_the_other_threads_instead_of_hanging() {
        let mut out = Vec::new();
        let format = |k: usize, buf: &mut Vec<u8>| {
            if k == 17 {
                panic!("chunk 17 panics");
            }
            slow_line(k, buf)
        };
        let _ = on_threads(4, || write_in_order(&mut out, 100, format, io_error));
    }

    #[test]
    fn one_thread_writes_every_chunk() {
        let mut out = Vec::new();
        on_threads(1, || write_in_order(&mut out, 20, slow_line, io_error)).unwrap();
        let want: String = (0..20).map(|k| format!("line {k}\n")).collect();
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }
}
