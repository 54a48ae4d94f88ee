//! `wasmcloud:keyvalue/key-value`: waSCC's contract on the bucket `""`, called directly, and
//! seen through the other interfaces.

use host_test::bindings::exports::wasmcloud::keyvalue::key_value::{
    GetResponse, IncrementRequest, ListAddRequest, ListDelRequest, ListRangeRequest, SetAddRequest,
    SetDelRequest, SetRequest,
};
use host_test::{HostState, MemkvInstance};
use wasmtime::Result;

use super::harness;
use crate::strings;

fn set_request(key: &str, value: &str) -> SetRequest {
    SetRequest {
        key: key.into(),
        value: value.into(),
        expires: 0,
    }
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

/// `set` with `expires`: memkv-redis keeps the value for that many seconds (SET EX), then the
/// key is gone for every interface and its bytes are freed; a later write without a lifetime
/// ends the lifetime, as Redis's SET does. The in-memory engine has no clock and keeps it.
#[test]
fn set_with_expires_is_set_ex_in_memkv_redis_and_ignored_in_memory() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let empty = memkv.limits().usage()?;
    let expiring = |key: &str| SetRequest {
        key: key.into(),
        value: "soon gone".into(),
        expires: 1,
    };
    memkv.wasmcloud().set(&expiring("session"))?;
    memkv.wasmcloud().set(&expiring("kept"))?;
    memkv.wasmcloud().set(&set_request("kept", "for good"))?;
    memkv.wasmcloud().set(&set_request("plain", "v"))?;
    assert_eq!(memkv.wasmcloud().get("session")?.value, "soon gone");
    assert_eq!(memkv.api().get("", "session")?, Some(b"soon gone".to_vec()));
    let bucket = memkv.draft().open("")?.unwrap();
    let keys = |memkv: &mut MemkvInstance<HostState>| -> Result<Vec<String>> {
        Ok(memkv.draft().list_all_keys(bucket)?.unwrap().keys)
    };
    assert_eq!(keys(&mut memkv)?, strings(&["kept", "plain", "session"]));
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    let gone = harness().is_redis();
    assert_eq!(memkv.wasmcloud().get("session")?.exists, !gone);
    assert_eq!(memkv.wasmcloud().contains("session")?, !gone);
    assert_eq!(memkv.draft().exists(bucket, "session")?.unwrap(), !gone);
    let many = memkv.draft2().open("")?.unwrap();
    let found = memkv
        .draft2()
        .get_many(many, &strings(&["session", "kept"]))?
        .unwrap();
    assert_eq!(found[0].1.is_some(), !gone);
    assert_eq!(found[1].1, Some(b"for good".to_vec()));
    memkv.draft2().drop_bucket(many)?;
    if gone {
        assert_eq!(keys(&mut memkv)?, strings(&["kept", "plain"]));
        memkv.wasmcloud().del("kept")?;
        memkv.wasmcloud().del("plain")?;
        assert_eq!(memkv.limits().usage()?.entries, 0);
        assert_eq!(
            memkv.limits().usage()?.total_bytes,
            empty.total_bytes + 256,
            "only the bucket is left"
        );
    } else {
        assert_eq!(keys(&mut memkv)?, strings(&["kept", "plain", "session"]));
    }
    memkv.draft().drop_bucket(bucket)
}
