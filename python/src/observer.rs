//! Progress of a study on stderr, as `lifecircle analyze` prints it (without the spinner).

use lifecircle::study::Observer;
use std::sync::Mutex;
use std::time::Instant;

/// Progress of a study on stderr, one line per step (as `lifecircle analyze` prints it).
struct Printer {
    current: Mutex<Option<(String, Instant)>>,
}

impl Observer for Printer {
    fn begin(&self, step: &str) {
        *self.current.lock().expect("lock") = Some((step.to_string(), Instant::now()));
    }
    fn end(&self) {
        if let Some((step, t0)) = self.current.lock().expect("lock").take() {
            eprintln!("{step}: {:.3} s", t0.elapsed().as_secs_f64());
        }
    }
    fn note(&self, msg: &str) {
        eprintln!("{msg}");
    }
    fn warn(&self, msg: &str) {
        eprintln!("warning: {msg}");
    }
}

/// Warnings only (what `--quiet` still shows).
struct WarningsOnly;

impl Observer for WarningsOnly {
    fn begin(&self, _: &str) {}
    fn end(&self) {}
    fn note(&self, _: &str) {}
    fn warn(&self, msg: &str) {
        eprintln!("warning: {msg}");
    }
}

/// The observer of a run: warnings only when `quiet`, else every step and note as well.
pub(crate) fn observer(quiet: bool) -> Box<dyn Observer> {
    if quiet {
        Box::new(WarningsOnly)
    } else {
        Box::new(Printer {
            current: Mutex::new(None),
        })
    }
}
