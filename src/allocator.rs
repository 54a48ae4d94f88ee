//! The in-memory artifacts' allocator: dlmalloc, as Rust's standard library uses on
//! `wasm32-unknown-unknown`, with linear memory grown in steps proportional to the heap.
//!
//! The standard library's dlmalloc grows memory by what one request needs, 64 KiB pages at a
//! time: filling a store grows memory thousands of times. In wasmtime a `memory.grow` is cheap;
//! in V8 (Node.js, browsers, via jco) it costs 0.3–0.8 ms once memory is past 128 MiB, because it
//! may move the whole buffer. So once the heap is past [`GEOMETRIC_FROM`], a growth asks for a
//! thirty-second of the memory there is (or the request, if larger): a heap that doubles grows
//! ~22 times, and at most 1/32 of memory is reserved ahead of use (pages that are not touched
//! until they are used, so a host need not back them). If the larger step cannot be had
//! (a host's memory limit), the growth falls back to exactly the request, so the store still fills
//! up to the last page before it reports running out of memory.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::UnsafeCell;

use dlmalloc::{Allocator, Dlmalloc};

// The heap below is shared without a lock: sound only while the component has one thread.
#[cfg(target_feature = "atomics")]
compile_error!(
    "memkv's allocator assumes one thread: with the `atomics` target feature, `Heap` would be \
     shared between threads without a lock"
);

/// The size of a WebAssembly page.
const PAGE: usize = 64 * 1024;

/// Below this heap size, memory grows by the request (as the standard library's allocator does).
const GEOMETRIC_FROM: usize = 8 << 20;

/// Grow memory 0 by `size` bytes, rounded up to pages: the new region, or `None`.
fn grow(size: usize) -> Option<(*mut u8, usize)> {
    let pages = size.div_ceil(PAGE);
    let previous = wasm32::memory_grow(0, pages);
    if previous == usize::MAX {
        return None;
    }
    let base = previous * PAGE;
    let len = pages * PAGE;
    // A region that ends at the very top of the address space would make `base + len` wrap to
    // 0; keep its last bytes out of it (as dlmalloc's own page source does).
    let len = if base.wrapping_add(len) == 0 {
        len - 16
    } else {
        len
    };
    Some((base as *mut u8, len))
}

/// dlmalloc's page source: `memory.grow`, in steps proportional to the heap.
struct Geometric;

// SAFETY: `alloc` returns fresh pages of linear memory (zeroed, never given out before) or null;
// nothing is ever released or moved, as with dlmalloc's own page source for this target.
unsafe impl Allocator for Geometric {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        // 65,536 pages (4 GiB) do not fit a wasm32 usize: saturate rather than wrap to 0.
        let heap = wasm32::memory_size(0).saturating_mul(PAGE);
        let step = if heap < GEOMETRIC_FROM {
            size
        } else {
            size.max(heap / 32)
        };
        match grow(step).or_else(|| if step > size { grow(size) } else { None }) {
            Some((base, len)) => (base, len, 0),
            None => (core::ptr::null_mut(), 0, 0),
        }
    }

    fn remap(&self, _ptr: *mut u8, _old: usize, _new: usize, _can_move: bool) -> *mut u8 {
        core::ptr::null_mut()
    }

    fn free_part(&self, _ptr: *mut u8, _old_size: usize, _new_size: usize) -> bool {
        false
    }

    fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
        false
    }

    fn can_release_part(&self, _flags: u32) -> bool {
        false
    }

    fn allocates_zeros(&self) -> bool {
        true
    }

    fn page_size(&self) -> usize {
        PAGE
    }
}

/// The component's heap.
struct Heap(UnsafeCell<Dlmalloc<Geometric>>);

// SAFETY: `wasm32-unknown-unknown` without the atomics feature (a compile error above) has one
// thread: the heap is never reached from two at once.
unsafe impl Sync for Heap {}

#[global_allocator]
static HEAP: Heap = Heap(UnsafeCell::new(Dlmalloc::new_with_allocator(Geometric)));

impl Heap {
    /// The allocator. Callers must not hold two of these at once (none does: each method below
    /// takes it for one call).
    #[expect(
        clippy::mut_from_ref,
        reason = "one thread, and each use ends before the next begins"
    )]
    fn get(&self) -> &mut Dlmalloc<Geometric> {
        // SAFETY: one thread, and no method keeps the reference past its call.
        unsafe { &mut *self.0.get() }
    }
}

// SAFETY: forwards to dlmalloc, which upholds `GlobalAlloc`'s contract (the same calls as the
// standard library's `System` allocator on this target).
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout, as `GlobalAlloc::alloc` gets it.
        unsafe { self.get().malloc(layout.size(), layout.align()) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe { self.get().calloc(layout.size(), layout.align()) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator with `layout` (the caller's contract).
        unsafe { self.get().free(ptr, layout.size(), layout.align()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `dealloc`, and `new_size` is valid for `layout.align()` (the caller's).
        unsafe {
            self.get()
                .realloc(ptr, layout.size(), layout.align(), new_size)
        }
    }
}
