//! Data baked into `memkv.wasm` before it runs (`memkv compose --preset`, `--set`): a snapshot
//! that the in-memory engine loads as its store on first use.
//!
//! The component carries [`SLOT`] in its data segment: [`crate::PRESET_MAGIC`], then the address and length of
//! a snapshot, both zero. A composer (`memkv_host::preset`) finds the magic in the core module's
//! data, appends the snapshot in new pages past the module's initial memory (which the allocator
//! never hands out: it grows memory for its heap), and appends a data segment that writes the
//! snapshot's address and length into the slot. Instantiation applies the segments in order, so
//! the instance starts with the slot filled; nothing runs to put it there. A component nobody
//! preset reads a zero length and starts empty.

use crate::PRESET_MAGIC as MAGIC;

/// Where a preset snapshot is: [`crate::PRESET_MAGIC`], its address and its length (little-endian `u32`s).
#[repr(C, align(8))]
pub struct Slot {
    magic: [u8; 8],
    address: u32,
    len: u32,
}

/// The slot a composer fills. `static mut` so that it stays in the data segment, read through a
/// volatile read so that the compiler does not fold the zeros it starts with.
#[used]
static mut SLOT: Slot = Slot {
    magic: MAGIC,
    address: 0,
    len: 0,
};

/// The preset snapshot, if a composer put one in.
pub fn snapshot() -> Option<&'static [u8]> {
    // SAFETY: the slot is plain data, written only by instantiation's data segments.
    let (address, len) = unsafe {
        let slot = &raw const SLOT;
        (
            core::ptr::read_volatile(&raw const (*slot).address),
            core::ptr::read_volatile(&raw const (*slot).len),
        )
    };
    if len == 0 {
        return None;
    }
    // SAFETY: a composer wrote `len` bytes at `address`, in pages of the initial memory that
    // nothing else uses, and the composer checked that they fit the memory.
    Some(unsafe { core::slice::from_raw_parts(address as usize as *const u8, len as usize) })
}
