//! wasmCloud 2.7's `wasmcloud:keyvalue@0.2.0`, through the `wasmcloud-p3-client` guest composed
//! with the async artifact (`memkv-p3.wasm`, or `memkv-redis-p3.wasm` on a store of its own):
//! every function checked from inside, then lifetimes, listings with a writer running, and
//! races, driven step by step from here.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::Result;
use host_test::{Guests, WasmcloudClient};

use super::harness;

/// The guest on this suite's engine, with a store of its own.
fn client() -> Result<WasmcloudClient> {
    let (_, env) = harness().guest_store();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Guests::shared().wasmcloud_client(&env, harness().is_redis())
}

#[test]
fn a_wasmcloud_2_7_guest_passes_its_check_of_every_function() -> Result<()> {
    let checked = client()?
        .run(async |accessor, ops, _| Ok(ops.call_check(accessor, "wasmcloud".into()).await?))?;
    assert_eq!(checked, Ok(()));
    Ok(())
}

/// A key with a lifetime is there for every dialect until its deadline, and for none after; a
/// later write without one ends the lifetime.
#[test]
fn a_lifetime_ends_for_every_reader_and_a_later_write_ends_it() -> Result<()> {
    let (before, after, kept, listed) = client()?.run(async |accessor, ops, _| {
        let put = |key: &str, ttl| {
            ops.call_put(
                accessor,
                "ttl".into(),
                key.into(),
                b"v".to_vec(),
                ttl,
                false,
            )
        };
        assert_eq!(put("brief", Some(400)).await?, Ok(true));
        assert_eq!(put("kept", Some(400)).await?, Ok(true));
        assert_eq!(put("kept", None).await?, Ok(true));
        let before = ops
            .call_get_both(accessor, "ttl".into(), "brief".into())
            .await?;
        std::thread::sleep(Duration::from_millis(700));
        let after = ops
            .call_get_both(accessor, "ttl".into(), "brief".into())
            .await?;
        let kept = ops
            .call_get_both(accessor, "ttl".into(), "kept".into())
            .await?;
        let listed = ops
            .call_list_page(accessor, "ttl".into(), None, None)
            .await?;
        Ok((before, after, kept, listed))
    })?;
    let value = Some(b"v".to_vec());
    assert_eq!(before, Ok((value.clone(), value.clone())));
    assert_eq!(after, Ok((None, None)));
    assert_eq!(kept, Ok((value.clone(), value)));
    assert_eq!(listed, Ok((vec!["kept".to_string()], None)));
    Ok(())
}

/// A listing with a prefix gives every key it had throughout exactly once, in byte order,
/// across pages of the default size (1,000), while keys are written between pages: before the
/// cursor, after it, with the prefix and without.
#[test]
fn a_prefix_listing_gives_each_key_once_in_byte_order_with_a_writer_running() -> Result<()> {
    let (listed, originals) = client()?.run(async |accessor, ops, _| {
        let put =
            |key: String| ops.call_put(accessor, "list".into(), key, b"v".to_vec(), None, false);
        let mut originals = Vec::new();
        for i in 0..2_500 {
            let key = format!("p/{i:05}");
            assert_eq!(put(key.clone()).await?, Ok(true));
            originals.push(key);
            assert_eq!(put(format!("q/{i:05}")).await?, Ok(true));
        }
        let mut listed = Vec::new();
        let mut cursor = None;
        let mut page = 0;
        loop {
            let (keys, next) = ops
                .call_list_page(accessor, "list".into(), Some("p/".into()), cursor)
                .await?
                .map_err(anyhow::Error::msg)?;
            listed.extend(keys);
            page += 1;
            // Writes between pages, on both sides of the cursor and outside the prefix.
            for key in [
                format!("p/{page:05}x"),
                format!("p/99999-{page}"),
                format!("o/{page}"),
            ] {
                assert_eq!(put(key).await?, Ok(true));
            }
            match next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        Ok((listed, originals))
    })?;
    assert!(
        listed.windows(2).all(|pair| pair[0] < pair[1]),
        "in byte order, each once"
    );
    assert!(listed.iter().all(|key| key.starts_with("p/")));
    let listed: BTreeSet<&String> = listed.iter().collect();
    assert!(originals.iter().all(|key| listed.contains(key)));
    Ok(())
}

/// A snapshot keeps each running lifetime (its deadline, SNAPSHOT.md version 3), in both
/// engines: a key that expired before the save is not in it, a loaded key expires at the
/// deadline it was saved with, and one whose deadline passed before the load is gone at once.
#[test]
fn a_snapshot_keeps_each_lifetime_and_a_load_ends_what_expired_meanwhile() -> Result<()> {
    let client = client()?;
    let before = host_test::now_ms();
    let (snapshot, gone) = client.run(async |accessor, ops, snapshots| {
        let put = |key: &str, ttl| {
            ops.call_put(
                accessor,
                "snap".into(),
                key.into(),
                b"v".to_vec(),
                ttl,
                false,
            )
        };
        assert_eq!(put("gone", Some(1)).await?, Ok(true));
        assert_eq!(put("alive", Some(600)).await?, Ok(true));
        assert_eq!(put("plain", None).await?, Ok(true));
        std::thread::sleep(Duration::from_millis(50));
        let (snapshot,) = snapshots.save.call_concurrent(accessor, ()).await?;
        let gone = ops
            .call_get_both(accessor, "snap".into(), "gone".into())
            .await?;
        Ok((snapshot, gone))
    })?;
    let after = host_test::now_ms();
    assert_eq!(gone, Ok((None, None)));
    assert_eq!(host_test::snapshot_value(&snapshot, "snap", "gone")?, None);
    let deadline = host_test::snapshot_deadline(&snapshot, "snap", "alive")?.expect("a deadline");
    assert!(
        (before + 600..=after + 600).contains(&deadline),
        "{deadline}"
    );
    assert_eq!(
        host_test::snapshot_deadline(&snapshot, "snap", "plain")?,
        None
    );

    let load_then_get = |wait: Duration| {
        client.run(async |accessor, ops, snapshots| {
            let (loaded,) = snapshots
                .load
                .call_concurrent(accessor, (snapshot.clone(),))
                .await?;
            assert_eq!(loaded, Ok(()));
            let now = ops
                .call_get_both(accessor, "snap".into(), "alive".into())
                .await?;
            std::thread::sleep(wait);
            let later = ops
                .call_get_both(accessor, "snap".into(), "alive".into())
                .await?;
            let plain = ops
                .call_get_both(accessor, "snap".into(), "plain".into())
                .await?;
            Ok((now, later, plain))
        })
    };
    let value = Some(b"v".to_vec());
    let both = Ok((value.clone(), value));
    // Loaded before the deadline: there, then gone at it.
    let (now, later, plain) = load_then_get(Duration::from_millis(800))?;
    assert_eq!(now, both);
    assert_eq!(later, Ok((None, None)));
    assert_eq!(plain, both);
    // Loaded after it: gone at once.
    let (now, _, plain) = load_then_get(Duration::ZERO)?;
    assert_eq!(now, Ok((None, None)));
    assert_eq!(plain, both);
    Ok(())
}

/// How many racers in the race tests.
const RACERS: usize = 8;

/// `race(n)` for each of `RACERS` racers at once, each in an instance of its own on a thread of
/// its own, so that the server decides (memkv-redis).
fn racing_instances(race: impl Fn(usize) -> Result<bool> + Sync) -> Result<Vec<bool>> {
    std::thread::scope(|scope| {
        let racers: Vec<_> = (0..RACERS)
            .map(|n| {
                let race = &race;
                scope.spawn(move || race(n))
            })
            .collect();
        racers
            .into_iter()
            .map(|racer| racer.join().expect("racer"))
            .collect()
    })
}

/// What each of a set of concurrent calls into one instance answered (memkv, whose store is
/// the instance's).
async fn each<F>(calls: impl IntoIterator<Item = F>) -> Result<Vec<bool>>
where
    F: Future<Output = wasmtime::Result<Result<bool, String>>>,
{
    let mut answers = Vec::new();
    for answer in futures::future::join_all(calls).await {
        answers.push(answer?.map_err(anyhow::Error::msg)?);
    }
    Ok(answers)
}

#[test]
fn of_racing_if_not_exists_writes_exactly_one_wins() -> Result<()> {
    let client = client()?;
    let won = if harness().is_redis() {
        racing_instances(|n| {
            client.run(async |accessor, ops, _| {
                let value = n.to_string().into_bytes();
                let claim = ops.call_put(accessor, "race".into(), "lock".into(), value, None, true);
                claim.await?.map_err(anyhow::Error::msg)
            })
        })?
    } else {
        client.run(async |accessor, ops, _| {
            each((0..RACERS).map(|n| {
                let value = n.to_string().into_bytes();
                ops.call_put(accessor, "race".into(), "lock".into(), value, None, true)
            }))
            .await
        })?
    };
    assert_eq!(won.len(), RACERS);
    assert_eq!(won.iter().filter(|won| **won).count(), 1, "{won:?}");
    Ok(())
}

/// Write `cas` and read its version, in the instance `ops` calls.
async fn versioned(
    accessor: &wasmtime::component::Accessor<host_test::HostState>,
    ops: &host_test::WasmcloudOps,
) -> Result<String> {
    let put = ops.call_put(
        accessor,
        "race".into(),
        "cas".into(),
        b"0".to_vec(),
        None,
        false,
    );
    assert_eq!(put.await?, Ok(true));
    let version = ops
        .call_version(accessor, "race".into(), "cas".into())
        .await?;
    let version = version.map_err(anyhow::Error::msg)?;
    version.ok_or_else(|| anyhow::anyhow!("cas.current of a key just written: none"))
}

#[test]
fn of_racing_swaps_from_one_version_exactly_one_swaps() -> Result<()> {
    let client = client()?;
    let swapped = if harness().is_redis() {
        let version = client.run(async |accessor, ops, _| versioned(accessor, ops).await)?;
        racing_instances(|n| {
            let version = version.clone();
            client.run(async move |accessor, ops, _| {
                let value = n.to_string().into_bytes();
                let swap =
                    ops.call_swap_from(accessor, "race".into(), "cas".into(), version, value);
                swap.await?.map_err(anyhow::Error::msg)
            })
        })?
    } else {
        client.run(async |accessor, ops, _| {
            let version = versioned(accessor, ops).await?;
            each((0..RACERS).map(|n| {
                let value = n.to_string().into_bytes();
                let version = version.clone();
                ops.call_swap_from(accessor, "race".into(), "cas".into(), version, value)
            }))
            .await
        })?
    };
    assert_eq!(swapped.len(), RACERS);
    assert_eq!(
        swapped.iter().filter(|swapped| **swapped).count(),
        1,
        "{swapped:?}"
    );
    Ok(())
}
