//! memkv's linear memory grows in steps proportional to the heap, so hosts where `memory.grow`
//! is expensive (V8) pay it a few dozen times while a store fills, not once a value.

use host_test::Harness;
use wasmtime::Result;

const KIB: usize = 1 << 10;
const MIB: usize = 1 << 20;

#[test]
fn filling_96_mib_grows_memory_a_few_dozen_times_not_once_a_value() -> Result<()> {
    let mut memkv = Harness::shared().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let value = vec![5; 64 * KIB];
    let grows_before = memkv.data().memory_grows();
    for i in 0..1536 {
        memkv.draft().set(bucket, &format!("k{i}"), &value)?.unwrap();
    }
    let grows = memkv.data().memory_grows() - grows_before;
    // One growth a value (or two) with the standard library's allocator: 1,536 or more. Growing
    // by the request up to 8 MiB (~128 values), then by 1/16 of memory, takes ~170.
    assert!(grows < 250, "memory grew {grows} times for 1,536 values");
    // The steps reserve at most 1/16 of memory ahead of use (plus dlmalloc's chunk headers).
    let memory = memkv.data().memory_bytes();
    assert!(memory < 96 * MIB * 18 / 16, "{} MiB for 96 MiB of values", memory / MIB);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn a_capped_memory_still_fills_to_the_cap_before_refusing() -> Result<()> {
    // 40 MiB of cap: the last 1/16 steps do not fit, and growth falls back to the request.
    let mut memkv = Harness::shared().instantiate_capped(Some(40 * MIB))?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let value = vec![5; 256 * KIB];
    let mut stored = 0;
    for i in 0..200 {
        match memkv.draft().set(bucket, &format!("k{i}"), &value) {
            Ok(Ok(())) => stored += 1,
            _ => break,
        }
    }
    // 40 MiB holds 154 values of 256 KiB beside the component's own memory; a memory that gave
    // up at the first refused 1/16 step (~2.4 MiB short of the cap) holds 148. (Deterministic:
    // the same component makes the same allocations.)
    assert!(stored >= 152, "stored {stored} values of 256 KiB in 40 MiB");
    Ok(())
}
