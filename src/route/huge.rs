//! Large search arrays on huge pages.
//!
//! A search over a city of millions of nodes jumps around hundreds of megabytes of node states
//! and arcs; with 4 KiB pages most of those jumps also miss the address-translation cache. Linux
//! backs memory with 2 MiB pages where a program asks for it (`madvise(MADV_HUGEPAGE)`, the
//! default policy of many distributions), which removes most of those misses. The request is a
//! hint: where huge pages are unavailable nothing changes.

/// A vector of `n` copies of `value`, its memory marked for huge pages before it is first
/// touched (on Linux; elsewhere a plain vector).
pub fn filled<T: Clone>(n: usize, value: T) -> Vec<T> {
    let mut v: Vec<T> = Vec::with_capacity(n);
    advise(v.as_mut_ptr() as *mut u8, n * std::mem::size_of::<T>());
    v.resize(n, value);
    v
}

/// Arrays smaller than this gain nothing from huge pages.
const MIN_BYTES: usize = 8 << 20;

#[cfg(target_os = "linux")]
fn advise(ptr: *mut u8, bytes: usize) {
    if bytes < MIN_BYTES {
        return;
    }
    const HUGE: usize = 2 << 20;
    let start = (ptr as usize).div_ceil(HUGE) * HUGE;
    let end = (ptr as usize + bytes) / HUGE * HUGE;
    if end > start {
        // SAFETY: the range lies inside the vector's own allocation; MADV_HUGEPAGE only changes
        // how the kernel backs it and never its contents.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_ptr: *mut u8, _bytes: usize) {}

#[cfg(test)]
mod tests {
    #[test]
    fn filled_holds_the_values() {
        let v = super::filled(3 << 20, 7u32);
        assert_eq!(v.len(), 3 << 20);
        assert!(v.iter().all(|&x| x == 7));
    }
}
