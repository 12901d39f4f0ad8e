//! How a running study reports its progress, without printing anything itself.

/// Receives progress from a running study (the command line shows it on stderr).
pub trait Observer: Sync {
    /// A long step starts.
    fn begin(&self, step: &str);
    /// The step that began last has ended.
    fn end(&self);
    /// The step that began last has done `done` of its `total` pieces of work (e.g. service
    /// areas); called from any thread, as often as the step likes.
    fn progress(&self, _done: u64, _total: u64) {}
    /// Information worth showing.
    fn note(&self, msg: &str);
    /// Something the user should look at (unsnapped points, missing data).
    fn warn(&self, msg: &str);
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {
    fn begin(&self, _: &str) {}
    fn end(&self) {}
    fn note(&self, _: &str) {}
    fn warn(&self, _: &str) {}
}

/// Runs `f` as a named step.
pub fn step<T>(obs: &dyn Observer, name: &str, f: impl FnOnce() -> T) -> T {
    obs.begin(name);
    let out = f();
    obs.end();
    out
}
