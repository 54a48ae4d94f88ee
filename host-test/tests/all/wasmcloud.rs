//! `wasmcloud:keyvalue/key-value`: waSCC's contract on the bucket `""`, called directly, and
//! seen through the other interfaces.

use host_test::bindings::exports::wasmcloud::keyvalue::key_value::{
    GetResponse, IncrementRequest, ListAddRequest, ListDelRequest, ListRangeRequest, SetAddRequest,
    SetDelRequest, SetRequest,
};
use wasmtime::Result;

use super::harness;

fn set_request(key: &str, value: &str) -> SetRequest {
    SetRequest {
        key: key.into(),
        value: value.into(),
        expires: 0,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}

#[test]
fn scalars_are_the_bucket_named_empty_of_every_other_interface() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let mut kv = memkv.wasmcloud();
    let absent = GetResponse {
        value: String::new(),
        exists: false,
    };
    assert_eq!(kv.get("k")?, absent);
    assert!(!kv.contains("k")?);
    assert!(!kv.del("k")?);
    // Reads create no bucket; the first write does.
    assert_eq!(memkv.limits().usage()?.buckets, 0);
    let mut kv = memkv.wasmcloud();
    kv.set(&set_request("k", "v"))?;
    assert!(kv.contains("k")?);
    assert_eq!(memkv.api().get("", "k")?, Some(b"v".to_vec()));
    memkv.api().set("", "k", b"\xffw")?;
    let response = memkv.wasmcloud().get("k")?;
    assert_eq!(
        (response.value.as_str(), response.exists),
        ("\u{fffd}w", true)
    );
    assert!(memkv.wasmcloud().del("k")?);
    assert!(!memkv.wasmcloud().del("k")?);
    Ok(())
}

#[test]
fn increment_is_a_decimal_s32_counter_and_refusals_return_zero_unchanged() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let mut kv = memkv.wasmcloud();
    let by = |value| IncrementRequest {
        key: "c".into(),
        value,
    };
    assert_eq!(kv.increment(&by(5))?, 5);
    assert_eq!(kv.increment(&by(-8))?, -3);
    assert_eq!(kv.get("c")?.value, "-3");
    kv.set(&set_request("c", &i32::MAX.to_string()))?;
    assert_eq!(kv.increment(&by(1))?, 0);
    assert_eq!(kv.get("c")?.value, i32::MAX.to_string());
    kv.set(&set_request("c", "nine"))?;
    assert_eq!(kv.increment(&by(1))?, 0);
    assert_eq!(kv.get("c")?.value, "nine");
    Ok(())
}

#[test]
fn lists_follow_rpush_lrange_and_lrem_of_the_first() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let mut kv = memkv.wasmcloud();
    for (n, value) in (1..).zip(["a", "b", "a"]) {
        let added = kv.list_add(&ListAddRequest {
            list_name: "l".into(),
            value: value.into(),
        })?;
        assert_eq!(added, n);
    }
    let range = |start, stop| ListRangeRequest {
        list_name: "l".into(),
        start,
        stop,
    };
    assert_eq!(kv.list_range(&range(0, -1))?, strings(&["a", "b", "a"]));
    assert_eq!(kv.list_range(&range(-2, 5))?, strings(&["b", "a"]));
    let del = ListDelRequest {
        list_name: "l".into(),
        value: "a".into(),
    };
    assert!(kv.list_del(&del)?);
    assert_eq!(kv.list_range(&range(0, -1))?, strings(&["b", "a"]));
    assert!(!kv.get("l")?.exists);
    assert!(kv.contains("l")?);
    assert!(kv.list_clear("l")?);
    assert!(!kv.list_clear("l")?);
    Ok(())
}

#[test]
fn sets_follow_sadd_srem_smembers_sunion_and_sinter() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let mut kv = memkv.wasmcloud();
    let add = |set: &str, value: &str| SetAddRequest {
        set_name: set.into(),
        value: value.into(),
    };
    assert_eq!(kv.set_add(&add("a", "2"))?, 1);
    assert_eq!(kv.set_add(&add("a", "2"))?, 0);
    kv.set_add(&add("a", "1"))?;
    kv.set_add(&add("b", "2"))?;
    kv.set_add(&add("b", "3"))?;
    assert_eq!(kv.set_query("a")?, strings(&["1", "2"]));
    assert_eq!(
        kv.set_union(&strings(&["a", "b"]))?,
        strings(&["1", "2", "3"])
    );
    assert_eq!(kv.set_intersection(&strings(&["a", "b"]))?, strings(&["2"]));
    let del = SetDelRequest {
        set_name: "a".into(),
        value: "2".into(),
    };
    assert_eq!(kv.set_del(&del)?, 1);
    assert_eq!(kv.set_del(&del)?, 0);
    assert!(kv.set_clear("b")?);
    assert_eq!(kv.set_query("b")?, strings(&[]));
    // A list operation on a set is refused: the documented default, nothing changed.
    let push = ListAddRequest {
        list_name: "a".into(),
        value: "x".into(),
    };
    assert_eq!(kv.list_add(&push)?, 0);
    assert_eq!(kv.set_query("a")?, strings(&["1"]));
    Ok(())
}
