//! Guests built with the published SDKs, composed with the engine's artifact (`memkv.wasm`, or
//! `memkv-redis.wasm` on a store of their own), each checking every function of its dialect from
//! inside; the host then reads what the guest left through memkv's exposed snapshot.

use anyhow::Result;
use host_test::{Guests, snapshot_value};

use super::harness;

/// The spin-sdk 5.2.0 guest (`fermyon:spin/key-value@2.0.0`), on the label `default`.
#[test]
fn a_spin_sdk_5_guest_passes_its_check_and_its_label_is_a_bucket() -> Result<()> {
    let (memkv, env) = harness().guest_store();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (checked, snapshot) = Guests::shared().check_spin_v2_client(memkv, &env, "default")?;
    assert_eq!(checked, Ok(()));
    assert_eq!(
        snapshot_value(&snapshot, "default", "written-by")?,
        Some(b"spin-sdk 5.2.0".to_vec())
    );
    assert_eq!(snapshot_value(&snapshot, "default", "k")?, None);
    Ok(())
}

/// The spin-sdk 7.0.0 guest (async `spin:key-value/key-value@3.0.0`, `get-keys` streaming 10^4
/// keys), composed with the async artifact `memkv compose` chooses for it, on the label `default`.
#[test]
fn a_spin_sdk_7_guest_passes_its_check_on_the_async_artifact() -> Result<()> {
    let (_, env) = harness().guest_store();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let run = Guests::shared().check_spin_v3_client(&env, harness().is_redis())?;
    let (written_by, failed) = match run.store {
        Some(snapshot) => (
            snapshot_value(&snapshot, "default", "written-by")?,
            snapshot_value(&snapshot, "default", "check-failed")?,
        ),
        None => {
            let prefix = env
                .iter()
                .find(|(name, _)| *name == "MEMKV_REDIS_PREFIX")
                .map(|(_, prefix)| *prefix)
                .expect("memkv-redis has a prefix");
            let mut memkv = harness().instantiate_on(prefix)?;
            (
                memkv.api().get("default", "written-by")?,
                memkv.api().get("default", "check-failed")?,
            )
        }
    };
    assert_eq!(
        failed.map(|message| String::from_utf8_lossy(&message).into_owned()),
        None
    );
    assert_eq!(run.ran, Ok(()));
    assert_eq!(written_by, Some(b"spin-sdk 7.0.0".to_vec()));
    Ok(())
}

/// A guest of Golem's current `wasi:keyvalue@0.1.0` (golem-rust 3.x's WIT), composed with the
/// Golem artifact `memkv compose` chooses for it, its snapshot interfaces (1.5.0) exposed: every
/// function checked from inside, 10^4 keys listed once each, and the snapshot saved with memkv's
/// mime type, refused with another, and loaded back.
#[test]
fn a_golem_p3_guest_passes_its_check_and_its_snapshot_round_trips() -> Result<()> {
    let (_, env) = harness().guest_store();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let run = Guests::shared().check_golem_p3_client(&env, harness().is_redis())?;
    assert_eq!(run.checked, Ok(()));
    assert_eq!(run.listed, Ok(()));
    assert_eq!(run.saved.mime_type, "application/x-memkv-snapshot");
    let snapshot = &run.saved.payload;
    assert_eq!(snapshot_value(snapshot, "golem", "c")?, Some(b"3".to_vec()));
    assert_eq!(snapshot_value(snapshot, "golem", "k")?, None);
    assert_eq!(
        snapshot_value(snapshot, "__golem_wasi_keyvalue_cache", "fresh")?,
        Some(b"filled".to_vec())
    );
    assert_eq!(
        snapshot_value(snapshot, "golem-many", "key-009999")?,
        Some(b"v".to_vec())
    );
    let refused = run
        .foreign_load
        .expect_err("a foreign mime type is refused");
    assert!(refused.contains("application/json"), "{refused}");
    assert_eq!(run.reload, Ok(()));
    assert_eq!(run.saved_again, run.saved);
    Ok(())
}
