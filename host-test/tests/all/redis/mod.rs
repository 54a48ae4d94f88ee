//! The engine suites again, against memkv-redis: the same files, the same expected answers.

use host_test::Harness;

/// The component the engine suites in this module run against: `memkv-redis.wasm`, each
/// instance on a store of its own in the process's `redis-server`.
fn harness() -> &'static Harness {
    Harness::redis()
}

engine_suites!();

mod concurrency;
mod faults;
mod tls;

/// A guest composed with memkv-redis: its instances share one store (with memkv, each has its
/// own), and a value one writes through the guest is read through memkv-redis's own exports.
#[test]
fn instances_of_a_guest_composed_with_memkv_redis_share_one_store() -> anyhow::Result<()> {
    use host_test::{Guests, KeyValueApi, Provider};

    let url = Harness::redis_url();
    let prefix = format!("composed-{}", std::process::id());
    let env = [
        ("MEMKV_REDIS_URL", url),
        ("MEMKV_REDIS_PREFIX", prefix.as_str()),
    ];
    let mut first = Guests::shared().client_on_redis(&env)?;
    let mut second = Guests::shared().client_on_redis(&env)?;
    first.set("b", "k", b"from the first")?;
    assert_eq!(second.get("b", "k")?, Some(b"from the first".to_vec()));
    let mut direct = harness().instantiate_on(&prefix)?;
    assert_eq!(
        direct.api().get("b", "k")?,
        Some(b"from the first".to_vec())
    );

    let mut alone = Guests::shared().client(Provider::Memkv)?;
    alone.set("b", "k", b"v")?;
    assert_eq!(
        Guests::shared().client(Provider::Memkv)?.get("b", "k")?,
        None
    );
    Ok(())
}
