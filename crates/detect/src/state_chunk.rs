//! A chunk of number states that fills one 2 MiB page.
//!
//! Stage 1 reads the caller's state on every call, at random among every active number's: with
//! 100,000 numbers that is 46 MB, and on 4 KiB pages nearly every state costs a TLB miss (a
//! second-level TLB covers a few megabytes) on top of its cache misses. Each chunk is therefore
//! its own 2 MiB-aligned anonymous mapping that asks the kernel for a huge page
//! (`MADV_HUGEPAGE`; under the kernel's default `madvise` policy only memory that asks gets one)
//! before any state is written into it. Without huge pages the chunk works the same, only
//! slower; on other platforms, or when the mapping fails, it is ordinary heap memory.
//!
//! Hand-written because the standard allocator cannot be asked for fresh, untouched memory with
//! this alignment (a huge page is only given at the first touch of an aligned 2 MiB range), and
//! `memmap2` cannot align a mapping. The `unsafe` here is the mapping and the typed slice over it.

use crate::number::NumberState;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// The huge page size on x86-64 and aarch64 (4 KiB base pages).
const PAGE: usize = 2 << 20;

/// States per chunk: as many as fit in one page.
pub(crate) const CHUNK: usize = PAGE / std::mem::size_of::<NumberState>();
// A state grown past 2 KiB would make chunks too small to be worth a page each.
const _: () = assert!(CHUNK >= 1024);

pub(crate) struct StateChunk {
    states: NonNull<NumberState>,
    /// Where the memory came from, to give it back the same way.
    mapped: bool,
}

// SAFETY: a chunk owns its states exclusively, like a `Box<[NumberState]>`.
unsafe impl Send for StateChunk {}
// SAFETY: shared access only reads, through `&[NumberState]`.
unsafe impl Sync for StateChunk {}

impl StateChunk {
    /// A chunk of default states.
    pub(crate) fn new() -> StateChunk {
        let (ptr, mapped) = match map_page() {
            Some(p) => (p, true),
            None => (heap_alloc(), false),
        };
        let states = ptr.cast::<NumberState>();
        for i in 0..CHUNK {
            // SAFETY: `i < CHUNK` states fit in the page, which is aligned far beyond a state's
            // alignment; every slot is written before the slice is formed.
            unsafe { states.as_ptr().add(i).write(NumberState::default()) };
        }
        StateChunk { states, mapped }
    }
}

/// A fresh 2 MiB-aligned anonymous mapping of one page, marked for a huge page.
#[cfg(target_os = "linux")]
fn map_page() -> Option<NonNull<u8>> {
    // Twice the page, then the unaligned ends are unmapped.
    let len = 2 * PAGE;
    // SAFETY: an anonymous private mapping at an address the kernel chooses touches no
    // existing memory.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return None;
    }
    let start = p as usize;
    let aligned = (start + PAGE - 1) & !(PAGE - 1);
    // SAFETY: both ranges lie inside the mapping just made and outside the page kept.
    unsafe {
        if aligned > start {
            libc::munmap(p, aligned - start);
        }
        let end = aligned + PAGE;
        if start + len > end {
            libc::munmap(end as *mut libc::c_void, start + len - end);
        }
        // A hint; its failure only costs the huge page.
        libc::madvise(aligned as *mut libc::c_void, PAGE, libc::MADV_HUGEPAGE);
    }
    NonNull::new(aligned as *mut u8)
}

#[cfg(not(target_os = "linux"))]
fn map_page() -> Option<NonNull<u8>> {
    None
}

fn heap_layout() -> std::alloc::Layout {
    std::alloc::Layout::from_size_align(PAGE, PAGE).expect("a power-of-two page")
}

fn heap_alloc() -> NonNull<u8> {
    let layout = heap_layout();
    // SAFETY: the layout has a non-zero size.
    let p = unsafe { std::alloc::alloc(layout) };
    NonNull::new(p).unwrap_or_else(|| std::alloc::handle_alloc_error(layout))
}

impl Drop for StateChunk {
    fn drop(&mut self) {
        let p = self.states.as_ptr().cast::<u8>();
        // `NumberState` holds no heap memory: nothing to drop in place.
        if self.mapped {
            #[cfg(target_os = "linux")]
            // SAFETY: the page was mapped by `map_page` and is unmapped once, here.
            unsafe {
                libc::munmap(p.cast(), PAGE);
            }
        } else {
            // SAFETY: allocated by `heap_alloc` with this layout.
            unsafe { std::alloc::dealloc(p, heap_layout()) };
        }
    }
}

impl Deref for StateChunk {
    type Target = [NumberState];

    fn deref(&self) -> &[NumberState] {
        // SAFETY: `CHUNK` states were written by `new` and live until `drop`.
        unsafe { std::slice::from_raw_parts(self.states.as_ptr(), CHUNK) }
    }
}

impl DerefMut for StateChunk {
    fn deref_mut(&mut self) -> &mut [NumberState] {
        // SAFETY: as in `deref`, and `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.states.as_ptr(), CHUNK) }
    }
}

impl Clone for StateChunk {
    fn clone(&self) -> StateChunk {
        let mut c = StateChunk::new();
        c.clone_from_slice(self);
        c
    }
}

impl std::fmt::Debug for StateChunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateChunk")
            .field("states", &CHUNK)
            .field("mapped", &self.mapped)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_holds_default_states_that_can_be_written_cloned_and_dropped() {
        let mut a = StateChunk::new();
        #[cfg(target_os = "linux")]
        assert!(a.mapped, "a chunk is its own mapping on Linux");
        assert_eq!(a.as_ptr() as usize % PAGE, 0, "aligned on the page");
        assert_eq!(a.len(), CHUNK);
        assert!(a.iter().all(|s| *s == NumberState::default()));
        a[CHUNK - 1].score = 0.5;
        a[0].score = 0.25;
        let b = a.clone();
        drop(a);
        assert_eq!((b[0].score, b[CHUNK - 1].score), (0.25, 0.5));
        let many: Vec<StateChunk> = (0..8).map(|_| StateChunk::new()).collect();
        assert!(many.iter().all(|c| c[7] == NumberState::default()));
    }
}
