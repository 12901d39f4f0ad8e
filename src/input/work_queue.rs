//! A parallel map that hands out work items one at a time in a chosen order.
//!
//! Rayon splits an index range in halves, so when a few items cost much more than the rest
//! (the way blocks at the end of a sorted PBF file cost ten times a node block) they can end up
//! one after another on one thread while the others wait. Handing the dearest items out first,
//! one at a time, keeps every thread busy to the end (longest-processing-time-first scheduling).

use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Maps `f` over the indices `0..order.len()` on the threads of the current rayon pool. Each
/// thread takes the next index of `order` when it is free, so indices listed first start first.
/// The results come back by index, whatever the order or the threads.
///
/// # Panics
/// If `order` is not a permutation of `0..order.len()`, or if `f` panics.
pub(crate) fn map_in_order<T, F>(order: &[usize], f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    let n = order.len();
    let slots: Vec<Mutex<Option<T>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    // One taker per thread. They are ordinary rayon jobs, not a broadcast: a thread busy with
    // other work (the caller may be one side of a join) is not waited for, its taker runs on
    // whichever thread is free and finds the queue empty.
    (0..rayon::current_num_threads())
        .into_par_iter()
        .with_max_len(1)
        .for_each(|_| loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let Some(&i) = order.get(k) else { break };
            let value = f(i);
            let mut slot = slots[i].lock().expect("no thread panics holding a slot");
            assert!(slot.is_none(), "index {i} is listed twice in the order");
            *slot = Some(value);
        });
    slots
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            s.into_inner()
                .expect("no thread panics holding a slot")
                .unwrap_or_else(|| panic!("index {i} is missing from the order"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_by_index_and_each_index_runs_once() {
        let order: Vec<usize> = (0..50).rev().collect();
        let runs = Mutex::new(Vec::new());
        let out = map_in_order(&order, |i| {
            runs.lock().unwrap().push(i);
            i * i
        });
        assert_eq!(out, (0..50).map(|i| i * i).collect::<Vec<_>>());
        let mut runs = runs.into_inner().unwrap();
        runs.sort_unstable();
        assert_eq!(runs, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn one_thread_follows_the_order() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let order = [3, 0, 2, 1];
        let runs = Mutex::new(Vec::new());
        pool.install(|| map_in_order(&order, |i| runs.lock().unwrap().push(i)));
        assert_eq!(runs.into_inner().unwrap(), order);
    }

    #[test]
    fn an_empty_order_maps_nothing() {
        assert!(map_in_order(&[], |i| i).is_empty());
    }

    #[test]
    #[should_panic(expected = "listed twice")]
    fn a_repeated_index_is_refused() {
        map_in_order(&[0, 0], |i| i);
    }
}
