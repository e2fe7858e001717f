//! The wasm build's allocator: the standard one, with the heap grown in doubling steps.
//!
//! Every `memory.grow` costs the JavaScript engine more than the pages: V8 detaches the old
//! buffer and counts the growth as external memory, which starts garbage collections. The
//! standard allocator grows the memory by as little as 64 KiB at a time, so a large edit grew
//! it thousands of times and its cost rose faster than its input (46 % of a 4 MB edit was
//! growth and collections). Here, when an allocation had to grow the memory, a block as large
//! as the memory already is gets allocated and freed at once: the allocator keeps it as free
//! space, so the memory grows O(log n) times. Pages reserved but never written stay
//! unbacked, so the resident size follows what is used.

use std::alloc::{GlobalAlloc, Layout, System};
use std::arch::wasm32::memory_size;

/// The largest single reservation (the wasm32 address space is 4 GiB).
const MAX_RESERVE: usize = 256 << 20;
/// Bytes per wasm page.
const PAGE: usize = 64 << 10;

/// The standard allocator, growing the heap geometrically.
pub(crate) struct DoublingHeap;

impl DoublingHeap {
    /// After an allocation grew the memory from `before` pages: reserve as much again.
    unsafe fn after(&self, before: usize) {
        if memory_size(0) == before {
            return;
        }
        let size = (memory_size(0) * PAGE).min(MAX_RESERVE);
        if let Ok(layout) = Layout::from_size_align(size, 16) {
            let block = System.alloc(layout);
            if !block.is_null() {
                System.dealloc(block, layout);
            }
        }
    }
}

unsafe impl GlobalAlloc for DoublingHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let before = memory_size(0);
        let p = System.alloc(layout);
        self.after(before);
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let before = memory_size(0);
        let p = System.alloc_zeroed(layout);
        self.after(before);
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let before = memory_size(0);
        let p = System.realloc(ptr, layout, new_size);
        self.after(before);
        p
    }
}

#[global_allocator]
static HEAP: DoublingHeap = DoublingHeap;
