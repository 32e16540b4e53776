//! Cache prefetch hints for the reference tables. A bulk import validates each row against
//! tables larger than the cache (the mobile segment index, the division index); asking for a
//! row's slots before its other fields are parsed lets those misses overlap with the parsing.
//! A hint never changes a result.

/// Hints that `items[i]` will be read soon; an out-of-range index is ignored.
#[inline(always)]
pub(crate) fn slot<T>(items: &[T], i: usize) {
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
