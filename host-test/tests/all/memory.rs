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
        memkv
            .draft()
            .set(bucket, &format!("k{i}"), &value)?
            .unwrap();
    }
    let grows = memkv.data().memory_grows() - grows_before;
    // With the standard library's allocator: one growth every two values, 770. Growing by the
    // request up to 8 MiB, then by 1/32 of memory: ~200.
    assert!(grows < 200, "memory grew {grows} times for 1,536 values");
    // The steps reserve at most 1/32 of memory ahead of use (plus dlmalloc's chunk headers).
    let memory = memkv.data().memory_bytes();
    assert!(
        memory < 96 * MIB * 34 / 32,
        "{} MiB for 96 MiB of values",
        memory / MIB
    );
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn a_capped_memory_still_fills_to_the_cap_before_refusing() -> Result<()> {
    // 40 MiB of cap: the last 1/32 steps do not fit, and growth falls back to the request.
    let mut memkv = Harness::shared().instantiate_capped(Some(40 * MIB))?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let value = vec![5; 16 * KIB];
    let mut stored = 0;
    for i in 0..4000 {
        match memkv.draft().set(bucket, &format!("k{i}"), &value) {
            Ok(Ok(())) => stored += 1,
            _ => break,
        }
    }
    // 40 MiB holds 2,469 values of 16 KiB beside the component's own memory; a memory that gave
    // up at the first refused 1/32 step (~1.2 MiB short of the cap) holds 2,437. (Deterministic:
    // the same component makes the same allocations.)
    assert!(stored >= 2460, "stored {stored} values of 16 KiB in 40 MiB");
    Ok(())
}
