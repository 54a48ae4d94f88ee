//! `golem:examples/api` served by the guests and the other builds, with the suites of `api.rs`:
//! the `kv-client` guest with memkv plugged in, `memkv-golem`, the Golem docs' example (over the
//! Golem dialect) with `memkv-golem` plugged in, and `kv-client` unmodified on wasmtime's
//! host-side store (which knows only the bucket `""`).

use anyhow::Result;
use host_test::{GolemHarness, Guests, KeyValueApi, Provider};

use crate::api::{
    binary_values_round_trip, empty_key_and_value_round_trip, get_of_a_missing_key_is_none,
    many_keys_keep_their_own_values, set_overwrites, set_then_get_round_trips,
};

api_suite!(
    client_with_memkv_composed,
    "b",
    Guests::shared().client(Provider::Memkv)
);
api_suite!(memkv_golem, "b", GolemHarness::shared().instantiate());
api_suite!(
    golem_docs_example_with_memkv_golem_composed,
    "b",
    host_test::golem::example()
);
api_suite!(
    client_on_wasmtime_host_store,
    "",
    Guests::shared().client(Provider::HostStore)
);

bucket_suite!(
    golem_docs_example_with_memkv_golem_composed_buckets,
    host_test::golem::example()
);
bucket_suite!(
    client_with_memkv_composed_buckets,
    Guests::shared().client(Provider::Memkv)
);

#[test]
fn client_instances_share_nothing() -> Result<()> {
    let mut first = Guests::shared().client(Provider::Memkv)?;
    let mut second = Guests::shared().client(Provider::Memkv)?;
    first.set("b", "k", b"v")?;
    assert_eq!(second.get("b", "k")?, None);
    Ok(())
}
