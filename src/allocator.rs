//! The binary's allocator: glibc's malloc by default, mimalloc once [`use_mimalloc`] is called.
//!
//! A bulk ingest allocates many small strings and vectors on every core (tokens, analysed words,
//! documents), and glibc's malloc and free took 10-15% of its profile; with mimalloc a 20,000
//! testimony ingest took 43.9 s against 52.3 s. A long-running server is the other way round:
//! mimalloc keeps freed memory per thread, and `serve` at concurrency 64 held 497-561 MB after
//! load against glibc's 465 MB (the target is 500 MB). So the `ingest` command switches to
//! mimalloc and everything else, the server and the in-process benchmark included, stays on glibc.
//!
//! Each block is freed by the allocator that made it: blocks made before the switch are glibc's,
//! and mimalloc knows its own (`mi_is_in_heap_region`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

use mimalloc::MiMalloc;

/// Set once, never cleared: from then on new blocks come from mimalloc.
static MIMALLOC: AtomicBool = AtomicBool::new(false);

/// mimalloc's `mi_option_purge_delay` (mimalloc.h; libmimalloc-sys names no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Makes every later allocation a mimalloc one (see the module documentation).
///
/// Freed memory is kept rather than given back to the system ("purged") 10 ms later: an ingest
/// frees and allocates again at once, and every purged page came back zeroed by the kernel
/// (`clear_page_erms`, 5% of the ingest profile). A 20,000 testimony ingest took 50.7 and 51.7 s
/// against 57.3 and 55.3 s, with a peak RSS of 903-916 MB against 707-802 MB.
pub fn use_mimalloc() {
    // SAFETY: sets a plain integer option; mimalloc reads it when it next considers purging.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    MIMALLOC.store(true, Ordering::Release);
}

/// glibc's malloc, or mimalloc after [`use_mimalloc`].
pub struct Switchable;

/// True when `ptr` was allocated by mimalloc.
fn mimallocs(ptr: *mut u8) -> bool {
    // SAFETY: only asks whether the address lies in one of mimalloc's regions; never reads it.
    MIMALLOC.load(Ordering::Acquire) && unsafe { libmimalloc_sys::mi_is_in_heap_region(ptr.cast()) }
}

// SAFETY: every block is freed and resized by the allocator that made it (`mimallocs`), and both
// allocators honour the layout's size and alignment.
unsafe impl GlobalAlloc for Switchable {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if MIMALLOC.load(Ordering::Relaxed) {
            unsafe { MiMalloc.alloc(layout) }
        } else {
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if MIMALLOC.load(Ordering::Relaxed) {
            unsafe { MiMalloc.alloc_zeroed(layout) }
        } else {
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if mimallocs(ptr) {
            unsafe { MiMalloc.dealloc(ptr, layout) }
        } else {
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if mimallocs(ptr) {
            unsafe { MiMalloc.realloc(ptr, layout, new_size) }
        } else {
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks of either allocator are freed and grown by their own, across the switch.
    #[test]
    fn blocks_go_back_to_the_allocator_that_made_them() {
        let a = Switchable;
        let layout = Layout::from_size_align(48, 16).unwrap();
        unsafe {
            let before = a.alloc(layout);
            assert!(!before.is_null() && !libmimalloc_sys::mi_is_in_heap_region(before.cast()));
            use_mimalloc();
            assert_eq!(libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY), -1, "freed memory is kept");
            let after = a.alloc(layout);
            assert!(libmimalloc_sys::mi_is_in_heap_region(after.cast()));
            let before = a.realloc(before, layout, 4096);
            let after = a.realloc(after, layout, 4096);
            assert!(!libmimalloc_sys::mi_is_in_heap_region(before.cast()));
            assert!(libmimalloc_sys::mi_is_in_heap_region(after.cast()));
            let grown = Layout::from_size_align(4096, 16).unwrap();
            a.dealloc(before, grown);
            a.dealloc(after, grown);
        }
    }
}
