//! Search buffers shared by the tasks of a parallel loop.
//!
//! A search over a city needs buffers sized by the whole network (tens of megabytes at a few
//! million nodes). Rayon's `map_init` makes one per task split — many more than there are
//! threads — and each fresh buffer costs its page faults. A pool hands a finished task's buffers
//! to the next one, so a loop allocates about one set per thread.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Buffers made by `make` on demand and reused after each [`Pooled`] is dropped.
///
/// ```
/// use lifecircle::route::pool::Pool;
/// use rayon::prelude::*;
/// let pool = Pool::new(|| vec![0u64; 1000]);
/// let sums: Vec<u64> = (0..100u64)
///     .into_par_iter()
///     .map_init(|| pool.take(), |buf, i| {
///         buf.fill(i);
///         buf.iter().sum()
///     })
///     .collect();
/// assert_eq!(sums[7], 7000);
///
/// // A buffer given back is handed out again.
/// let pool = Pool::new(|| vec![0u64; 1000]);
/// drop(pool.take());
/// let again = pool.take();
/// assert_eq!((again.len(), pool.made()), (1000, 1));
/// ```
pub struct Pool<T, F: Fn() -> T> {
    free: Mutex<Vec<T>>,
    made: AtomicUsize,
    make: F,
}

impl<T, F: Fn() -> T> Pool<T, F> {
    /// An empty pool making its buffers with `make`.
    pub fn new(make: F) -> Self {
        Pool {
            free: Mutex::new(Vec::new()),
            made: AtomicUsize::new(0),
            make,
        }
    }

    /// A free buffer, or a new one when none is free.
    pub fn take(&self) -> Pooled<'_, T, F> {
        let free = self.free.lock().expect("pool lock").pop();
        let item = free.unwrap_or_else(|| {
            self.made.fetch_add(1, Ordering::Relaxed);
            (self.make)()
        });
        Pooled {
            item: Some(item),
            pool: self,
        }
    }

    /// How many buffers were made so far.
    pub fn made(&self) -> usize {
        self.made.load(Ordering::Relaxed)
    }
}

/// A buffer taken from a [`Pool`]; it goes back when dropped.
pub struct Pooled<'a, T, F: Fn() -> T> {
    item: Option<T>,
    pool: &'a Pool<T, F>,
}

impl<T, F: Fn() -> T> Deref for Pooled<'_, T, F> {
    type Target = T;
    fn deref(&self) -> &T {
        self.item.as_ref().expect("held until dropped")
    }
}

impl<T, F: Fn() -> T> DerefMut for Pooled<'_, T, F> {
    fn deref_mut(&mut self) -> &mut T {
        self.item.as_mut().expect("held until dropped")
    }
}

impl<T, F: Fn() -> T> Drop for Pooled<'_, T, F> {
    fn drop(&mut self) {
        if let Some(item) = self.item.take() {
            if let Ok(mut free) = self.pool.free.lock() {
                free.push(item);
            }
        }
    }
}
