//! Cache prefetch hints, shared by every crate that walks tables larger than the cache (the
//! reference tables here, the import key set, the detection engine's state, the simulator's
//! residents, the text model's weights): asking for the memory of the items a few steps ahead
//! lets their misses overlap with the current work. A hint never changes a result.

/// Hints that `items[i]` will be read soon; an out-of-range index is ignored.
#[inline(always)]
pub fn slot<T>(items: &[T], i: usize) {
    if i < items.len() {
        line(items.as_ptr().wrapping_add(i).cast());
    }
}

/// Requests the cache line holding `p`. Any address is allowed: it is only handed to the
/// prefetch instruction, never dereferenced.
#[inline(always)]
pub fn line(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint that never faults, whatever the address; SSE is part of
    // the x86-64 baseline.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
