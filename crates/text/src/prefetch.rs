//! Cache prefetch hints. Classification looks up a few hundred n-grams per text in tables far
//! larger than the cache; asking for the slots of the n-grams a few steps ahead lets those
//! misses overlap. A hint never changes a result.

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
