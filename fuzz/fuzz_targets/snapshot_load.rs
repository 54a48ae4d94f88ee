//! Any bytes through the snapshot decoder: it must return, never panic, and whatever it accepts
//! must be canonical — saving the loaded store, with the lifetimes it carried, gives back
//! exactly the bytes that were loaded, or, for a format 1 snapshot, the format 2 snapshot of the
//! same store, which itself loads back to the same bytes.
//!
//! Random bytes rarely carry a right length and checksum, so for half of the inputs (first byte
//! odd) the target writes both in before loading: those reach the format and limits checks.

#![no_main]

use libfuzzer_sys::fuzz_target;
use memkv::store::{Lifetimes, SNAPSHOT_VERSION, SNAPSHOT_VERSION_3, Store};

fuzz_target!(|input: &[u8]| {
    let Some((&mode, bytes)) = input.split_first() else {
        return;
    };
    let mut bytes = bytes.to_vec();
    if mode & 1 == 1 && bytes.len() >= 24 {
        let len = bytes.len() as u64;
        bytes[12..20].copy_from_slice(&len.to_le_bytes());
        let body = bytes.len() - 4;
        let checksum = crc32fast::hash(&bytes[..body]);
        bytes[body..].copy_from_slice(&checksum.to_le_bytes());
    }
    if let Ok((store, deadlines)) = Store::load_with(&bytes) {
        let lifetimes = Lifetimes::loaded(&store, &deadlines);
        let saved = store.save_with(&lifetimes).expect("a loaded store saves");
        let version = &bytes[8..12];
        if version == SNAPSHOT_VERSION.to_le_bytes() || version == SNAPSHOT_VERSION_3.to_le_bytes()
        {
            assert_eq!(saved, bytes, "an accepted snapshot is canonical");
        } else {
            let again = Store::load(&saved).expect("a saved snapshot loads");
            assert_eq!(
                again.save().expect("it saves"),
                saved,
                "format 1 upgrades to 2"
            );
            assert_eq!(again.usage(), store.usage());
        }
    }
});
