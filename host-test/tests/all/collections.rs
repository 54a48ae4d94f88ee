//! `memkv:store/collections`: lists and sets beside bytes, in one key space, with Redis's
//! semantics.

use host_test::bindings::exports::memkv::store::collections::Kind;
use host_test::bindings::exports::memkv::store::limits::Limits;
use host_test::bindings::exports::wasi::keyvalue0_2_0_draft2::store::Error as Error2;
use host_test::{HostState, MemkvInstance, expect_other};
use wasmtime::Result;
use wasmtime::component::ResourceAny;

use super::harness;
use crate::strings as keys;

fn items(items: &[&str]) -> Vec<Vec<u8>> {
    items.iter().map(|item| item.as_bytes().to_vec()).collect()
}

/// A fresh instance and its bucket `b`, opened through the draft.
fn fresh() -> Result<(MemkvInstance<HostState>, ResourceAny)> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    Ok((memkv, bucket))
}

/// Keys of every kind in `bucket`: `bytes` (a decimal counter, `"12"`), `list` and `set`.
fn one_of_each(memkv: &mut MemkvInstance<HostState>, bucket: ResourceAny) -> Result<()> {
    memkv.draft().set(bucket, "bytes", b"12")?.unwrap();
    memkv
        .collections()
        .list_push(bucket, "list", &items(&["i"]))?
        .unwrap();
    memkv
        .collections()
        .set_add(bucket, "set", &items(&["m"]))?
        .unwrap();
    Ok(())
}

#[test]
fn list_push_appends_and_push_front_reverses_returning_the_length() -> Result<()> {
    let (mut memkv, bucket) = fresh()?;
    let mut lists = memkv.collections();
    assert_eq!(
        lists.list_push(bucket, "l", &items(&["a", "b"]))?.unwrap(),
        2
    );
    assert_eq!(
        lists
            .list_push_front(bucket, "l", &items(&["c", "d"]))?
            .unwrap(),
        4
    );
    assert_eq!(lists.list_push(bucket, "l", &[])?.unwrap(), 4);
    assert_eq!(
        lists.list_range(bucket, "l", 0, -1)?.unwrap(),
        items(&["d", "c", "a", "b"])
    );
    assert_eq!(lists.list_length(bucket, "l")?.unwrap(), 4);
    assert_eq!(lists.kind_of(bucket, "l")?.unwrap(), Some(Kind::List));
    assert_eq!(lists.kind_of(bucket, "none")?.unwrap(), None);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn list_range_is_lrange_inclusive_negative_and_clamped() -> Result<()> {
    let (mut memkv, bucket) = fresh()?;
    let mut lists = memkv.collections();
    lists
        .list_push(bucket, "l", &items(&["0", "1", "2", "3", "4"]))?
        .unwrap();
    let cases: [(i64, i64, &[&str]); 7] = [
        (1, 2, &["1", "2"]),
        (-2, -1, &["3", "4"]),
        (-100, 100, &["0", "1", "2", "3", "4"]),
        (3, 1, &[]),
        (5, 10, &[]),
        (0, 0, &["0"]),
        (i64::MIN, i64::MAX, &["0", "1", "2", "3", "4"]),
    ];
    for (start, stop, expected) in cases {
        assert_eq!(
            lists.list_range(bucket, "l", start, stop)?.unwrap(),
            items(expected),
            "{start}..={stop}"
        );
    }
    assert!(lists.list_range(bucket, "none", 0, -1)?.unwrap().is_empty());
    assert_eq!(lists.list_length(bucket, "none")?.unwrap(), 0);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn list_remove_first_and_all_and_the_last_item_takes_the_key() -> Result<()> {
    let (mut memkv, bucket) = fresh()?;
    let mut lists = memkv.collections();
    lists
        .list_push(bucket, "l", &items(&["x", "y", "x", "x"]))?
        .unwrap();
    assert!(lists.list_remove_first(bucket, "l", b"x")?.unwrap());
    assert_eq!(
        lists.list_range(bucket, "l", 0, -1)?.unwrap(),
        items(&["y", "x", "x"])
    );
    assert!(!lists.list_remove_first(bucket, "l", b"z")?.unwrap());
    assert_eq!(lists.list_remove_all(bucket, "l", b"x")?.unwrap(), 2);
    assert_eq!(lists.list_remove_all(bucket, "l", b"y")?.unwrap(), 1);
    assert_eq!(lists.kind_of(bucket, "l")?.unwrap(), None);
    assert!(!memkv.draft().exists(bucket, "l")?.unwrap());
    assert_eq!(memkv.limits().usage()?.entries, 0);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn list_clear_and_set_clear_remove_only_their_kind() -> Result<()> {
    let (mut memkv, bucket) = fresh()?;
    let mut collections = memkv.collections();
    collections.list_push(bucket, "l", &items(&["a"]))?.unwrap();
    collections.set_add(bucket, "s", &items(&["a"]))?.unwrap();
    assert!(collections.list_clear(bucket, "l")?.unwrap());
    assert!(!collections.list_clear(bucket, "l")?.unwrap());
    let message = expect_other(collections.list_clear(bucket, "s")?);
    assert_eq!(message, "key \"s\" holds a set, not a list");
    assert!(collections.set_clear(bucket, "s")?.unwrap());
    assert!(!collections.set_clear(bucket, "s")?.unwrap());
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn set_add_and_remove_count_and_members_are_ascending() -> Result<()> {
    let (mut memkv, bucket) = fresh()?;
    let mut sets = memkv.collections();
    assert_eq!(
        sets.set_add(bucket, "s", &items(&["c", "a", "c", "b"]))?
            .unwrap(),
        3
    );
    assert_eq!(sets.set_add(bucket, "s", &items(&["a", "d"]))?.unwrap(), 1);
    assert_eq!(sets.set_add(bucket, "s", &[])?.unwrap(), 0);
    assert_eq!(
        sets.set_members(bucket, "s")?.unwrap(),
        items(&["a", "b", "c", "d"])
    );
    assert!(sets.set_contains(bucket, "s", b"b")?.unwrap());
    assert!(!sets.set_contains(bucket, "s", b"z")?.unwrap());
    assert!(!sets.set_contains(bucket, "none", b"z")?.unwrap());
    assert_eq!(sets.set_cardinality(bucket, "s")?.unwrap(), 4);
    assert_eq!(sets.set_cardinality(bucket, "none")?.unwrap(), 0);
    assert_eq!(
        sets.set_remove(bucket, "s", &items(&["a", "a", "z"]))?
            .unwrap(),
        1
    );
    assert_eq!(sets.set_remove(bucket, "none", &items(&["a"]))?.unwrap(), 0);
    assert_eq!(
        sets.set_remove(bucket, "s", &items(&["b", "c", "d"]))?
            .unwrap(),
        3
    );
    assert_eq!(sets.kind_of(bucket, "s")?.unwrap(), None);
    assert!(sets.set_members(bucket, "s")?.unwrap().is_empty());
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn members_are_bytes_in_byte_order() -> Result<()> {
    let (mut memkv, bucket) = fresh()?;
    let members = vec![vec![0xff], vec![], b"B".to_vec(), b"a".to_vec(), vec![0]];
    memkv.collections().set_add(bucket, "s", &members)?.unwrap();
    let expected = vec![vec![], vec![0], b"B".to_vec(), b"a".to_vec(), vec![0xff]];
    assert_eq!(
        memkv.collections().set_members(bucket, "s")?.unwrap(),
        expected
    );
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn union_and_intersection_are_ascending_and_a_missing_set_is_empty() -> Result<()> {
    let (mut memkv, bucket) = fresh()?;
    let mut sets = memkv.collections();
    sets.set_add(bucket, "a", &items(&["3", "1", "2"]))?
        .unwrap();
    sets.set_add(bucket, "b", &items(&["2", "4", "3"]))?
        .unwrap();
    assert_eq!(
        sets.set_union(bucket, &keys(&["a", "b", "none"]))?.unwrap(),
        items(&["1", "2", "3", "4"])
    );
    assert_eq!(
        sets.set_intersection(bucket, &keys(&["a", "b"]))?.unwrap(),
        items(&["2", "3"])
    );
    assert!(
        sets.set_intersection(bucket, &keys(&["a", "none"]))?
            .unwrap()
            .is_empty()
    );
    assert!(sets.set_intersection(bucket, &[])?.unwrap().is_empty());
    assert!(sets.set_union(bucket, &[])?.unwrap().is_empty());
    memkv.draft().drop_bucket(bucket)
}

/// Union and intersection of 10^4 sets: more keys than one Redis command can take from Lua
/// (memkv-redis splits them), the same answers in both engines.
#[test]
fn union_and_intersection_of_ten_thousand_sets() -> Result<()> {
    let (mut memkv, bucket) = fresh()?;
    let names: Vec<String> = (0..10_000).map(|i| format!("s{i:05}")).collect();
    for name in &names {
        let members = [b"shared".to_vec(), name.clone().into_bytes()];
        memkv
            .collections()
            .set_add(bucket, name, &members)?
            .unwrap();
    }
    let union = memkv.collections().set_union(bucket, &names)?.unwrap();
    assert_eq!(union.len(), 10_001);
    assert!(union.windows(2).all(|pair| pair[0] < pair[1]));
    assert_eq!(union.last(), Some(&b"shared".to_vec()));
    assert_eq!(
        memkv
            .collections()
            .set_intersection(bucket, &names)?
            .unwrap(),
        items(&["shared"])
    );
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn every_kind_is_one_key_space_for_exists_delete_and_list_keys() -> Result<()> {
    let (mut memkv, bucket) = fresh()?;
    one_of_each(&mut memkv, bucket)?;
    let listing = memkv.draft().list_all_keys(bucket)?.unwrap();
    assert_eq!(listing.keys, keys(&["bytes", "list", "set"]));
    for key in ["bytes", "list", "set"] {
        assert!(memkv.draft().exists(bucket, key)?.unwrap());
        memkv.draft().delete(bucket, key)?.unwrap();
        assert!(!memkv.draft().exists(bucket, key)?.unwrap());
    }
    assert_eq!(memkv.limits().usage()?.entries, 0);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn set_of_bytes_replaces_a_list_or_a_set() -> Result<()> {
    let (mut memkv, bucket) = fresh()?;
    memkv
        .collections()
        .list_push(bucket, "l", &items(&["i"]))?
        .unwrap();
    memkv
        .collections()
        .set_add(bucket, "s", &items(&["m"]))?
        .unwrap();
    let batch = [("s".to_string(), b"w".to_vec())];
    memkv.draft().set(bucket, "l", b"v")?.unwrap();
    memkv.draft().set_many(bucket, &batch)?.unwrap();
    assert_eq!(
        memkv.draft().get(bucket, "l")?.unwrap(),
        Some(b"v".to_vec())
    );
    assert_eq!(
        memkv.draft().get(bucket, "s")?.unwrap(),
        Some(b"w".to_vec())
    );
    assert_eq!(
        memkv.collections().kind_of(bucket, "l")?.unwrap(),
        Some(Kind::Bytes)
    );
    // The list's items are gone with it: a new list starts empty.
    assert!(memkv.draft().delete(bucket, "l")?.is_ok());
    assert_eq!(
        memkv
            .collections()
            .list_push(bucket, "l", &items(&["j"]))?
            .unwrap(),
        1
    );
    memkv.draft().drop_bucket(bucket)
}

/// Every operation for one kind on a key holding each other kind: `error::other` naming what
/// the key holds, and nothing changed.
#[test]
fn an_operation_on_a_key_of_another_kind_is_an_error_and_changes_nothing() -> Result<()> {
    let (mut memkv, bucket) = fresh()?;
    one_of_each(&mut memkv, bucket)?;
    let snapshot = memkv.snapshot().save()?;
    let usage = memkv.limits().usage()?;
    let one = items(&["x"]);
    for (key, holds) in [
        ("bytes", "a bytes value"),
        ("list", "a list"),
        ("set", "a set"),
    ] {
        let mut errors: Vec<(&str, String)> = Vec::new();
        let mut c = memkv.collections();
        if key != "list" {
            let wanted = "a list";
            errors.push((wanted, expect_other(c.list_push(bucket, key, &one)?)));
            errors.push((wanted, expect_other(c.list_push_front(bucket, key, &one)?)));
            errors.push((wanted, expect_other(c.list_range(bucket, key, 0, -1)?)));
            errors.push((wanted, expect_other(c.list_length(bucket, key)?)));
            errors.push((
                wanted,
                expect_other(c.list_remove_first(bucket, key, b"i")?),
            ));
            errors.push((wanted, expect_other(c.list_remove_all(bucket, key, b"i")?)));
            errors.push((wanted, expect_other(c.list_clear(bucket, key)?)));
        }
        if key != "set" {
            let wanted = "a set";
            let both = keys(&["set", key]);
            errors.push((wanted, expect_other(c.set_add(bucket, key, &one)?)));
            errors.push((wanted, expect_other(c.set_remove(bucket, key, &one)?)));
            errors.push((wanted, expect_other(c.set_members(bucket, key)?)));
            errors.push((wanted, expect_other(c.set_contains(bucket, key, b"m")?)));
            errors.push((wanted, expect_other(c.set_cardinality(bucket, key)?)));
            errors.push((wanted, expect_other(c.set_union(bucket, &both)?)));
            errors.push((wanted, expect_other(c.set_intersection(bucket, &both)?)));
            errors.push((wanted, expect_other(c.set_clear(bucket, key)?)));
        }
        if key != "bytes" {
            let wanted = "a bytes value";
            let mut draft = memkv.draft();
            errors.push((wanted, expect_other(draft.get(bucket, key)?)));
            errors.push((wanted, expect_other(draft.increment(bucket, key, 1)?)));
            let many = keys(&["bytes", key]);
            errors.push((wanted, expect_other(draft.get_many(bucket, &many)?)));
            let bucket2 = memkv.draft2().open("b")?.unwrap();
            let mut draft2 = memkv.draft2();
            let message = match draft2.get(bucket2, key)? {
                Err(Error2::Other(message)) => message,
                other => panic!("draft2 get of {key}: {other:?}"),
            };
            errors.push((wanted, message));
            let message = match draft2.cas(bucket2, key)? {
                Err(Error2::Other(message)) => message,
                other => panic!("cas.new of {key}: {other:?}"),
            };
            errors.push((wanted, message));
            draft2.drop_bucket(bucket2)?;
            assert_eq!(memkv.api().get("b", key)?, None, "api.get of {key}");
        }
        for (wanted, message) in errors {
            assert_eq!(message, format!("key {key:?} holds {holds}, not {wanted}"));
        }
    }
    assert_eq!(memkv.limits().usage()?, usage);
    assert_eq!(memkv.snapshot().save()?, snapshot);
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn limits_count_every_item_and_a_push_over_one_is_refused_whole() -> Result<()> {
    let (mut memkv, bucket) = fresh()?;
    let before = memkv.limits().usage()?.total_bytes;
    memkv
        .collections()
        .list_push(bucket, "l", &items(&["ab", "c"]))?
        .unwrap();
    memkv
        .collections()
        .set_add(bucket, "s", &items(&["ab", "ab"]))?
        .unwrap();
    let usage = memkv.limits().usage()?;
    let (list, set) = (1 + 96 + 3 + 2 * 48, 1 + 96 + 2 + 48);
    assert_eq!(usage.total_bytes, before + list + set);
    assert_eq!(usage.entries, 2);
    let limits = Limits {
        max_value_bytes: 2,
        max_total_bytes: usage.total_bytes + 60,
        ..memkv.limits().get()?
    };
    memkv.limits().set(limits)?.unwrap();
    let message = expect_other(memkv.collections().list_push(
        bucket,
        "l",
        &items(&["d", "long"]),
    )?);
    assert!(message.contains("over max-value-bytes (2)"), "{message}");
    // One more item fits the total (48 + 1 bytes); two do not, so neither is added.
    let message = expect_other(
        memkv
            .collections()
            .set_add(bucket, "s", &items(&["x", "y"]))?,
    );
    assert!(message.contains("over max-total-bytes"), "{message}");
    assert_eq!(
        memkv
            .collections()
            .set_add(bucket, "s", &items(&["x"]))?
            .unwrap(),
        1
    );
    assert_eq!(memkv.collections().list_length(bucket, "l")?.unwrap(), 2);
    let lowered = Limits {
        max_value_bytes: 1,
        ..memkv.limits().get()?
    };
    let message = memkv.limits().set(lowered)?.unwrap_err();
    assert!(message.contains("a value of 2 bytes"), "{message}");
    memkv.draft().drop_bucket(bucket)
}

#[test]
fn lists_and_sets_survive_a_snapshot_round_trip() -> Result<()> {
    let (mut memkv, bucket) = fresh()?;
    memkv
        .collections()
        .list_push(bucket, "l", &items(&["b", "", "b"]))?
        .unwrap();
    memkv
        .collections()
        .set_add(bucket, "s", &items(&["z", "", "a"]))?
        .unwrap();
    memkv.draft().set(bucket, "v", b"bytes")?.unwrap();
    let snapshot = memkv.snapshot().save()?;
    let usage = memkv.limits().usage()?;
    memkv.draft().drop_bucket(bucket)?;
    let mut other = harness().instantiate()?;
    other.snapshot().load(&snapshot)?.unwrap();
    assert_eq!(other.limits().usage()?, usage);
    let bucket = other.draft().open("b")?.unwrap();
    assert_eq!(
        other.collections().list_range(bucket, "l", 0, -1)?.unwrap(),
        items(&["b", "", "b"])
    );
    assert_eq!(
        other.collections().set_members(bucket, "s")?.unwrap(),
        items(&["", "a", "z"])
    );
    assert_eq!(other.snapshot().save()?, snapshot);
    other.draft().drop_bucket(bucket)
}

#[test]
fn a_change_to_a_list_fails_a_compare_and_swap_that_observed_it_absent() -> Result<()> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft().open("b")?.unwrap();
    let bucket2 = memkv.draft2().open("b")?.unwrap();
    let cas = memkv.draft2().cas(bucket2, "l")?.unwrap();
    memkv
        .collections()
        .list_push(bucket, "l", &items(&["i"]))?
        .unwrap();
    assert!(memkv.draft2().swap(cas, b"v")?.is_err());
    assert_eq!(memkv.collections().list_length(bucket, "l")?.unwrap(), 1);
    memkv.draft2().drop_bucket(bucket2)?;
    memkv.draft().drop_bucket(bucket)
}
