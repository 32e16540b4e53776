//! Cache prefetch hints. The day's plans are known in advance, so the generator asks for the
//! records of residents a few plans ahead while it expands the current one; a hint never
//! changes a result, it only hides memory latency on large cities.

/// Hints that `items[i]` will be read soon; out-of-range indices are ignored.
#[inline(always)]
pub fn slot<T>(items: &[T], i: usize) {
    if i < items.len() {
        address(items.as_ptr().wrapping_add(i).cast());
    }
}

#[inline(always)]
fn address(p: *const i8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint that never faults, whatever the address; SSE is part of
    // the x86-64 baseline.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
