//! Progress and log messages on stderr; quiet mode keeps only warnings.

use indicatif::{ProgressBar, ProgressStyle};
use std::time::{Duration, Instant};

/// Reports steps with their duration.
pub struct Progress {
    quiet: bool,
    start: Instant,
}

impl Progress {
    pub fn new(quiet: bool) -> Self {
        Progress {
            quiet,
            start: Instant::now(),
        }
    }

    /// Runs a step with a spinner (on a terminal) and logs its duration.
    pub fn step<T>(&self, label: &str, f: impl FnOnce() -> T) -> T {
        let bar = (!self.quiet).then(|| {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template"),
            );
            b.set_message(label.to_string());
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        let t0 = Instant::now();
        let out = f();
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        self.info(&format!("{label}: {:.3} s", t0.elapsed().as_secs_f64()));
        out
    }

    /// An informational line (hidden when quiet).
    pub fn info(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }

    /// A warning (always shown).
    pub fn warn(&self, msg: &str) {
        eprintln!("warning: {msg}");
    }

    /// Total time since start.
    pub fn done(&self) {
        self.info(&format!(
            "done in {:.3} s",
            self.start.elapsed().as_secs_f64()
        ));
    }
}
