//! A trap costs one instance, never the host: the harness reports it, drops the instance and
//! goes on with a fresh one.

use host_test::bindings::exports::memkv::store::limits::Limits;
use host_test::{Harness, Supervised};
use wasmtime::Result;

const MIB: usize = 1 << 20;

/// No limit of memkv's own stands between a guest and the runtime's memory cap.
const UNLIMITED: Limits = Limits {
    max_key_bytes: u32::MAX,
    max_value_bytes: u32::MAX,
    max_total_bytes: u64::MAX,
    max_entries_per_bucket: u64::MAX,
    max_buckets: u32::MAX,
    page_size: 1000,
};

#[test]
fn exhausting_memory_traps_and_the_harness_carries_on_with_a_fresh_instance() -> Result<()> {
    let mut memkv = Supervised::new(Harness::shared(), Some(32 * MIB))?;
    memkv
        .call(|memkv| {
            memkv.limits().set(UNLIMITED)?.unwrap();
            memkv.api().set("b", "before", b"lost with the instance")
        })?
        .unwrap();

    // The canonical ABI must allocate the 48 MiB argument inside the component before memkv's
    // code runs; the memory cap refuses it and the allocation failure traps.
    let value = vec![7; 48 * MIB];
    let trapped = memkv
        .call(|memkv| {
            let bucket = memkv.draft().open("b")?.unwrap();
            memkv.draft().set(bucket, "big", &value)
        })?
        .expect_err("a 48 MiB argument cannot fit in 32 MiB");
    assert!(trapped.message.contains("wasm trap"), "{}", trapped.message);
    assert_eq!(memkv.traps(), [trapped]);

    // A fresh instance, with fresh default limits and none of the old data, and it works.
    let (limits, before, after) = memkv
        .call(|memkv| {
            let limits = memkv.limits().get()?;
            let before = memkv.api().get("b", "before")?;
            memkv.api().set("b", "after", b"fine")?;
            Ok((limits, before, memkv.api().get("b", "after")?))
        })?
        .unwrap();
    assert_eq!(limits.max_value_bytes, 16 << 20);
    assert_eq!(before, None);
    assert_eq!(after, Some(b"fine".to_vec()));
    assert_eq!(memkv.traps().len(), 1);
    Ok(())
}

#[test]
fn memkv_refuses_before_the_cap_when_its_own_limits_are_lower() -> Result<()> {
    let mut memkv = Supervised::new(Harness::shared(), Some(64 * MIB))?;
    let limits = Limits {
        max_total_bytes: 40 * MIB as u64,
        ..UNLIMITED
    };
    let refused = memkv
        .call(|memkv| {
            memkv.limits().set(limits)?.unwrap();
            let bucket = memkv.draft().open("b")?.unwrap();
            let mut refused = None;
            for i in 0..64 {
                if let Err(error) = memkv.draft().set(bucket, &format!("k{i}"), &[1; MIB])? {
                    refused = Some((i, host_test::describe(&error)));
                    break;
                }
            }
            Ok(refused)
        })?
        .expect("no trap: the quota refuses first");
    let (written, message) = refused.expect("a write is refused");
    assert_eq!(written, 39);
    assert!(message.contains("quota exceeded"), "{message}");
    assert!(memkv.traps().is_empty());
    Ok(())
}

#[test]
fn copies_that_do_not_fit_are_refused_not_trapped() -> Result<()> {
    let mut memkv = Supervised::new(Harness::shared(), Some(48 * MIB))?;
    let value = vec![3; 15 * MIB];
    let (refused, single) = memkv
        .call(|memkv| {
            let bucket = memkv.draft().open("b")?.unwrap();
            memkv.draft().set(bucket, "big", &value)?.unwrap();
            // Three copies of 15 MiB on top of the stored 15 MiB cannot fit in 48 MiB.
            let keys = ["big", "big", "big"].map(String::from);
            let refused = memkv.draft().get_many(bucket, &keys)?;
            let single = memkv.draft().get(bucket, "big")?;
            memkv.draft().drop_bucket(bucket)?;
            Ok((refused, single))
        })?
        .expect("no trap: the copy is refused");
    let message = host_test::expect_other(refused);
    assert_eq!(
        message,
        "out of memory: could not reserve room for a copy of the value; the store is unchanged"
    );
    assert_eq!(single.unwrap().map(|v| v.len()), Some(15 * MIB));
    assert!(memkv.traps().is_empty());
    Ok(())
}

#[test]
fn functions_with_no_error_result_answer_empty_when_memory_runs_out_and_the_instance_lives_on()
-> Result<()> {
    let mut memkv = Supervised::new(Harness::shared(), Some(48 * MIB))?;
    let value = vec![5; 14 * MIB];
    let (get, save, small, saved_later) = memkv
        .call(|memkv| {
            let bucket = memkv.draft().open("b")?.unwrap();
            for key in ["one", "two", "three"] {
                memkv.draft().set(bucket, key, &value)?.unwrap();
            }
            memkv.draft().set(bucket, "small", b"s")?.unwrap();
            // 42 MiB stored: neither a copy of 14 MiB nor a snapshot of 42 fits in 48.
            let get = memkv.api().get("b", "one")?;
            let save = memkv.snapshot().save()?;
            // The instance lives on: what fits is answered, and once memory is freed, so is the
            // snapshot.
            let small = memkv.api().get("b", "small")?;
            memkv.draft().delete(bucket, "two")?.unwrap();
            memkv.draft().delete(bucket, "three")?.unwrap();
            let saved_later = memkv.snapshot().save()?;
            memkv.draft().drop_bucket(bucket)?;
            Ok((get, save, small, saved_later))
        })?
        .expect("no trap: the answers are empty instead");
    assert_eq!(get, None);
    assert_eq!(save, Vec::<u8>::new());
    assert_eq!(small, Some(b"s".to_vec()));
    assert!(saved_later.len() > 14 * MIB);
    assert!(memkv.traps().is_empty());
    Ok(())
}
