//! Several memkv-redis instances writing one store at once, as the instances of an application
//! behind `wasmtime serve` do: every operation is atomic on the server.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use host_test::bindings::exports::memkv::store::limits::Limits;
use host_test::bindings::exports::wasi::keyvalue0_2_0_draft2::atomics::CasError;
use host_test::{HostState, MemkvInstance};
use wasmtime::Result;

use super::harness;

/// A store prefix no other test uses.
fn shared_store(name: &str) -> String {
    static STORES: AtomicU64 = AtomicU64::new(0);
    let n = STORES.fetch_add(1, Ordering::Relaxed);
    format!("concurrency-{}-{name}-{n}", std::process::id())
}

/// `instances` instances of the store under `prefix`, each run on a thread of its own.
fn in_parallel<T: Send + 'static>(
    prefix: &str,
    instances: usize,
    work: impl Fn(usize, &mut MemkvInstance<HostState>) -> Result<T> + Send + Sync + 'static,
) -> Result<Vec<T>> {
    let work = Arc::new(work);
    let threads: Vec<_> = (0..instances)
        .map(|n| {
            let work = Arc::clone(&work);
            let prefix = prefix.to_owned();
            thread::spawn(move || -> Result<T> {
                let mut memkv = harness().instantiate_on(&prefix)?;
                work(n, &mut memkv)
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|thread| thread.join().expect("no instance thread panics"))
        .collect()
}

#[test]
fn four_instances_incrementing_one_counter_lose_no_increment() -> Result<()> {
    const INSTANCES: usize = 4;
    const INCREMENTS: u64 = 10_000;
    let prefix = shared_store("counter");
    let lasts = in_parallel(&prefix, INSTANCES, |_, memkv| {
        let bucket = memkv.draft().open("b")?.unwrap();
        let mut last = 0;
        for _ in 0..INCREMENTS {
            let now = memkv.draft().increment(bucket, "hits", 1)?.unwrap();
            assert!(now > last, "a counter only grows: {last} then {now}");
            last = now;
        }
        memkv.draft().drop_bucket(bucket)?;
        Ok(last)
    })?;
    let total = INSTANCES as u64 * INCREMENTS;
    assert!(
        lasts.contains(&total),
        "the last increment saw {total}: {lasts:?}"
    );
    let mut reader = harness().instantiate_on(&prefix)?;
    assert_eq!(
        reader.api().get("b", "hits")?,
        Some(total.to_string().into_bytes())
    );
    Ok(())
}

#[test]
fn of_concurrent_swaps_from_one_observation_exactly_one_wins() -> Result<()> {
    const INSTANCES: usize = 8;
    let prefix = shared_store("swap");
    harness()
        .instantiate_on(&prefix)?
        .api()
        .set("b", "k", b"start")?;
    let ready = Arc::new(Barrier::new(INSTANCES));
    let outcomes = in_parallel(&prefix, INSTANCES, move |n, memkv| {
        let bucket = memkv.draft2().open("b")?.unwrap();
        let cas = memkv.draft2().cas(bucket, "k")?.unwrap();
        assert_eq!(
            memkv.draft2().current(cas)?.unwrap(),
            Some(b"start".to_vec())
        );
        ready.wait();
        let swapped = memkv.draft2().swap(cas, format!("by {n}").as_bytes())?;
        let won = match swapped {
            Ok(()) => true,
            Err(CasError::CasFailed(fresh)) => {
                memkv.draft2().drop_cas(fresh)?;
                false
            }
            Err(other) => panic!("a swap fails only as cas-failed: {other:?}"),
        };
        memkv.draft2().drop_bucket(bucket)?;
        Ok((n, won))
    })?;
    let winners: Vec<usize> = outcomes
        .iter()
        .filter(|(_, won)| *won)
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    let value = harness().instantiate_on(&prefix)?.api().get("b", "k")?;
    assert_eq!(value, Some(format!("by {}", winners[0]).into_bytes()));
    Ok(())
}

#[test]
fn listings_while_writers_run_return_every_key_present_throughout_exactly_once() -> Result<()> {
    const STABLE: usize = 600;
    let prefix = shared_store("listing");
    let mut setup = harness().instantiate_on(&prefix)?;
    let limits = Limits {
        page_size: 7,
        ..setup.limits().get()?
    };
    setup.limits().set(limits)?.unwrap();
    let stable: BTreeSet<String> = (0..STABLE).map(|i| format!("s{i:04}")).collect();
    let bucket = setup.draft().open("b")?.unwrap();
    let entries: Vec<_> = stable.iter().map(|key| (key.clone(), Vec::new())).collect();
    setup.draft().set_many(bucket, &entries)?.unwrap();

    let writing = Arc::new(AtomicBool::new(true));
    let writes = Arc::new(AtomicU64::new(0));
    let writer = {
        let (writing, writes) = (Arc::clone(&writing), Arc::clone(&writes));
        thread::spawn(move || -> Result<()> {
            let mut memkv = harness().instantiate_on(&prefix)?;
            let bucket = memkv.draft().open("b")?.unwrap();
            while writing.load(Ordering::Relaxed) {
                // Keys that sort among the stable ones, added and removed again.
                let n = writes.load(Ordering::Relaxed);
                let key = format!("s{:04}x", n % STABLE as u64);
                memkv.draft().set(bucket, &key, b"")?.unwrap();
                memkv.draft().delete(bucket, &key)?.unwrap();
                writes.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
    };
    while writes.load(Ordering::Relaxed) == 0 {
        thread::yield_now();
    }
    let before = writes.load(Ordering::Relaxed);
    for _ in 0..2 {
        let listing = setup.draft().list_all_keys(bucket)?.unwrap();
        let mut draft2_keys = Vec::new();
        let d2 = setup.draft2().open("b")?.unwrap();
        let mut cursor = None;
        loop {
            let page = setup.draft2().list_keys(d2, cursor.as_deref())?.unwrap();
            draft2_keys.extend(page.keys);
            cursor = page.cursor;
            if cursor.is_none() {
                break;
            }
        }
        setup.draft2().drop_bucket(d2)?;
        for keys in [&listing.keys, &draft2_keys] {
            let seen: BTreeSet<&String> = keys.iter().collect();
            assert_eq!(seen.len(), keys.len(), "no key is listed twice");
            assert!(
                keys.windows(2).all(|pair| pair[0] < pair[1]),
                "keys come in ascending order"
            );
            for key in &stable {
                assert!(seen.contains(key), "{key} was present throughout");
            }
        }
    }
    let during = writes.load(Ordering::Relaxed) - before;
    writing.store(false, Ordering::Relaxed);
    writer.join().expect("the writer does not panic")?;
    assert!(during > 0, "the writer wrote while the keys were listed");
    setup.draft().drop_bucket(bucket)
}
