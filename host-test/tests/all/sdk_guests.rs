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
