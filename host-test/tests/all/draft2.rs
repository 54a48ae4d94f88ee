//! `wasi:keyvalue@0.2.0-draft2` (Spin's dialect) through the real component: string cursors,
//! signed counters, compare-and-swap against writes through every other interface, and the same
//! buckets as 0.2.0-draft and the Golem example API.

use host_test::bindings::exports::memkv::store::limits::Limits;
use host_test::bindings::exports::wasi::keyvalue0_2_0_draft2::atomics::CasError;
use host_test::bindings::exports::wasi::keyvalue0_2_0_draft2::store::Error;
use host_test::{HostState, MemkvInstance};
use wasmtime::Result;
use wasmtime::component::ResourceAny;

use super::harness;

/// The message of draft2's `error::other`; panics on anything else.
fn other<T: std::fmt::Debug>(result: std::result::Result<T, Error>) -> String {
    match result {
        Err(Error::Other(message)) => message,
        other => panic!("expected error::other, got {other:?}"),
    }
}

fn with_bucket(name: &str) -> Result<(MemkvInstance<HostState>, ResourceAny)> {
    let mut memkv = harness().instantiate()?;
    let bucket = memkv.draft2().open(name)?.unwrap();
    Ok((memkv, bucket))
}

#[test]
fn store_basics_and_the_same_buckets_as_every_other_interface() -> Result<()> {
    let (mut memkv, bucket) = with_bucket("shared")?;
    let mut d2 = memkv.draft2();
    assert_eq!(d2.get(bucket, "k")?.unwrap(), None);
    assert!(!d2.exists(bucket, "k")?.unwrap());
    d2.set(bucket, "k", b"from draft2")?.unwrap();
    assert!(d2.exists(bucket, "k")?.unwrap());
    assert_eq!(
        memkv.api().get("shared", "k")?,
        Some(b"from draft2".to_vec())
    );
    let draft = memkv.draft().open("shared")?.unwrap();
    memkv.draft().set(draft, "k", b"from draft")?.unwrap();
    assert_eq!(
        memkv.draft2().get(bucket, "k")?.unwrap(),
        Some(b"from draft".to_vec())
    );
    memkv.draft2().delete(bucket, "k")?.unwrap();
    memkv.draft2().delete(bucket, "k")?.unwrap();
    assert_eq!(memkv.draft().get(draft, "k")?.unwrap(), None);
    memkv.draft().drop_bucket(draft)?;
    memkv.draft2().drop_bucket(bucket)
}

#[test]
fn list_keys_cursor_is_the_last_key_and_survives_writes_between_pages() -> Result<()> {
    let (mut memkv, bucket) = with_bucket("b")?;
    let limits = Limits {
        page_size: 3,
        ..memkv.limits().get()?
    };
    memkv.limits().set(limits)?.unwrap();
    let mut d2 = memkv.draft2();
    for key in ["a", "b", "c", "d", "e", "f", "g"] {
        d2.set(bucket, key, b"")?.unwrap();
    }
    let first = d2.list_keys(bucket, None)?.unwrap();
    assert_eq!(first.keys, ["a", "b", "c"]);
    assert_eq!(first.cursor.as_deref(), Some("c"));
    // Writes between pages: the cursor key itself deleted, a key added before and after it.
    d2.delete(bucket, "c")?.unwrap();
    d2.set(bucket, "bb", b"")?.unwrap();
    d2.set(bucket, "cc", b"")?.unwrap();
    let second = d2.list_keys(bucket, first.cursor.as_deref())?.unwrap();
    assert_eq!(second.keys, ["cc", "d", "e"]);
    let third = d2.list_keys(bucket, second.cursor.as_deref())?.unwrap();
    assert_eq!(third.keys, ["f", "g"]);
    assert_eq!(third.cursor, None);
    // Any string is a valid cursor: listing resumes after it in byte order.
    let after = d2.list_keys(bucket, Some("dz"))?.unwrap();
    assert_eq!(after.keys, ["e", "f", "g"]);
    assert_eq!(after.cursor, None);
    assert_eq!(
        d2.list_keys(bucket, Some("zzz"))?.unwrap().keys,
        Vec::<String>::new()
    );
    d2.drop_bucket(bucket)
}

#[test]
fn signed_counters_are_the_drafts_counters_while_non_negative() -> Result<()> {
    let (mut memkv, bucket) = with_bucket("counters")?;
    let draft = memkv.draft().open("counters")?.unwrap();
    let mut d2 = memkv.draft2();
    assert_eq!(d2.increment(bucket, "c", -5)?.unwrap(), -5);
    assert_eq!(d2.get(bucket, "c")?.unwrap(), Some(b"-5".to_vec()));
    let message = expect_draft_other(memkv.draft().increment(draft, "c", 1)?);
    assert_eq!(
        message,
        "cannot increment key \"c\": its value is not a decimal u64 counter"
    );
    assert_eq!(memkv.draft2().increment(bucket, "c", 7)?.unwrap(), 2);
    assert_eq!(memkv.draft().increment(draft, "c", 40)?.unwrap(), 42);
    assert_eq!(memkv.draft2().increment(bucket, "c", 0)?.unwrap(), 42);

    let mut d2 = memkv.draft2();
    d2.set(bucket, "max", i64::MAX.to_string().as_bytes())?
        .unwrap();
    assert_eq!(
        other(d2.increment(bucket, "max", 1)?),
        format!(
            "cannot increment key \"max\" by 1: {} + 1 overflows s64",
            i64::MAX
        )
    );
    d2.set(bucket, "min", i64::MIN.to_string().as_bytes())?
        .unwrap();
    assert!(other(d2.increment(bucket, "min", -1)?).ends_with("overflows s64"));
    assert_eq!(
        d2.get(bucket, "min")?.unwrap(),
        Some(i64::MIN.to_string().into_bytes())
    );
    // A u64 counter past i64::MAX is not an s64 counter; neither is "+1" or "--1".
    for bad in [u64::MAX.to_string().as_str(), "+1", "--1", "-", "1-"] {
        d2.set(bucket, "bad", bad.as_bytes())?.unwrap();
        assert_eq!(
            other(d2.increment(bucket, "bad", 1)?),
            "cannot increment key \"bad\": its value is not a decimal s64 counter",
            "{bad}"
        );
    }
    d2.drop_bucket(bucket)?;
    memkv.draft().drop_bucket(draft)
}

fn expect_draft_other<T: std::fmt::Debug>(
    result: std::result::Result<
        T,
        host_test::bindings::exports::wasi::keyvalue0_2_0_draft::store::Error,
    >,
) -> String {
    host_test::expect_other(result)
}

/// Unwrap an interface result whose value does not matter.
fn ok<T, E: std::fmt::Debug>(result: std::result::Result<T, E>) {
    result.unwrap();
}

/// A swap that must fail: returns the fresh handle it carries.
fn cas_failed(result: std::result::Result<(), CasError>) -> ResourceAny {
    match result {
        Err(CasError::CasFailed(fresh)) => fresh,
        other => panic!("expected cas-failed, got {other:?}"),
    }
}

#[test]
fn swap_succeeds_when_nothing_wrote_the_key_in_between() -> Result<()> {
    let (mut memkv, bucket) = with_bucket("b")?;
    let mut d2 = memkv.draft2();
    let cas = d2.cas(bucket, "k")?.unwrap();
    assert_eq!(d2.current(cas)?.unwrap(), None);
    d2.swap(cas, b"first")?.unwrap();
    let cas = d2.cas(bucket, "k")?.unwrap();
    assert_eq!(d2.current(cas)?.unwrap(), Some(b"first".to_vec()));
    d2.set(bucket, "other key", b"")?.unwrap();
    d2.swap(cas, b"second")?.unwrap();
    assert_eq!(memkv.api().get("b", "k")?, Some(b"second".to_vec()));
    memkv.draft2().drop_bucket(bucket)
}

#[test]
fn a_batch_that_writes_other_keys_leaves_the_swap_free_one_that_writes_the_key_fails_it()
-> Result<()> {
    let (mut memkv, bucket) = with_bucket("b")?;
    let entries = |keys: &[&str]| -> Vec<(String, Vec<u8>)> {
        keys.iter()
            .map(|key| (key.to_string(), b"batch".to_vec()))
            .collect()
    };
    memkv.draft2().set(bucket, "k", b"1")?.unwrap();
    let cas = memkv.draft2().cas(bucket, "k")?.unwrap();
    memkv
        .draft2()
        .set_many(bucket, &entries(&["a", "z", "a"]))?
        .unwrap();
    memkv.draft2().swap(cas, b"2")?.unwrap();

    let cas = memkv.draft2().cas(bucket, "k")?.unwrap();
    memkv
        .draft2()
        .set_many(bucket, &entries(&["a", "k", "z"]))?
        .unwrap();
    let swapped = memkv.draft2().swap(cas, b"3")?;
    assert!(
        matches!(swapped, Err(CasError::CasFailed(_))),
        "{swapped:?}"
    );
    let fresh = cas_failed(swapped);
    assert_eq!(
        memkv.draft2().current(fresh)?.unwrap(),
        Some(b"batch".to_vec())
    );
    memkv.draft2().swap(fresh, b"4")?.unwrap();
    assert_eq!(memkv.api().get("b", "k")?, Some(b"4".to_vec()));
    memkv.draft2().drop_bucket(bucket)
}

#[test]
fn any_write_in_between_through_any_interface_fails_the_swap() -> Result<()> {
    type Write = fn(&mut MemkvInstance<HostState>, ResourceAny, ResourceAny) -> Result<()>;
    let writes: [(&str, Write); 9] = [
        ("api.set", |m, _, _| m.api().set("b", "k", b"x")),
        ("draft set", |m, draft, _| {
            m.draft().set(draft, "k", b"x").map(ok)
        }),
        ("draft set of the same value", |m, draft, _| {
            m.draft().set(draft, "k", b"1").map(ok)
        }),
        ("draft delete", |m, draft, _| {
            m.draft().delete(draft, "k").map(ok)
        }),
        ("draft batch set-many", |m, draft, _| {
            m.draft()
                .set_many(draft, &[("k".into(), b"x".to_vec())])
                .map(ok)
        }),
        ("draft batch delete-many", |m, draft, _| {
            m.draft().delete_many(draft, &["k".into()]).map(ok)
        }),
        ("draft increment by 0", |m, draft, _| {
            m.draft().increment(draft, "k", 0).map(ok)
        }),
        ("draft2 set", |m, _, d2| {
            m.draft2().set(d2, "k", b"x").map(ok)
        }),
        ("snapshot load of the same state", |m, _, _| {
            let snapshot = m.snapshot().save()?;
            m.snapshot().load(&snapshot).map(ok)
        }),
    ];
    for (what, write) in writes {
        let mut memkv = harness().instantiate()?;
        let draft = memkv.draft().open("b")?.unwrap();
        let d2 = memkv.draft2().open("b")?.unwrap();
        memkv.draft().set(draft, "k", b"1")?.unwrap();
        let cas = memkv.draft2().cas(d2, "k")?.unwrap();
        write(&mut memkv, draft, d2)?;
        let now = memkv.draft().get(draft, "k")?.unwrap();
        let swapped = memkv.draft2().swap(cas, b"swapped")?;
        assert!(
            matches!(swapped, Err(CasError::CasFailed(_))),
            "{what}: {swapped:?}"
        );
        let fresh = cas_failed(swapped);
        assert_eq!(
            memkv.draft().get(draft, "k")?.unwrap(),
            now,
            "{what}: nothing written"
        );
        assert_eq!(
            memkv.draft2().current(fresh)?.unwrap(),
            now,
            "{what}: fresh handle"
        );
        memkv.draft2().swap(fresh, b"swapped")?.unwrap();
        assert_eq!(
            memkv.api().get("b", "k")?,
            Some(b"swapped".to_vec()),
            "{what}"
        );
    }
    Ok(())
}

#[test]
fn a_key_written_and_deleted_since_it_was_seen_absent_fails_the_swap() -> Result<()> {
    let (mut memkv, bucket) = with_bucket("b")?;
    let mut d2 = memkv.draft2();
    let cas = d2.cas(bucket, "k")?.unwrap();
    d2.set(bucket, "k", b"briefly")?.unwrap();
    d2.delete(bucket, "k")?.unwrap();
    let fresh = cas_failed(d2.swap(cas, b"x")?);
    assert_eq!(d2.current(fresh)?.unwrap(), None);
    d2.swap(fresh, b"x")?.unwrap();
    assert_eq!(d2.get(bucket, "k")?.unwrap(), Some(b"x".to_vec()));
    d2.drop_bucket(bucket)
}

#[test]
fn a_swap_over_a_limit_is_a_store_error_and_changes_nothing() -> Result<()> {
    let (mut memkv, bucket) = with_bucket("b")?;
    let limits = Limits {
        max_value_bytes: 4,
        ..memkv.limits().get()?
    };
    memkv.limits().set(limits)?.unwrap();
    let mut d2 = memkv.draft2();
    let cas = d2.cas(bucket, "k")?.unwrap();
    match d2.swap(cas, b"too long")? {
        Err(CasError::StoreError(Error::Other(message))) => assert_eq!(
            message,
            "quota exceeded: a value of 8 bytes is over max-value-bytes (4)"
        ),
        other => panic!("expected store-error, got {other:?}"),
    }
    assert_eq!(d2.get(bucket, "k")?.unwrap(), None);
    let unused = d2.cas(bucket, "k")?.unwrap();
    d2.drop_cas(unused)?;
    d2.drop_bucket(bucket)
}

#[test]
fn get_many_answers_every_key_with_an_option() -> Result<()> {
    let (mut memkv, bucket) = with_bucket("b")?;
    let mut d2 = memkv.draft2();
    d2.set_many(
        bucket,
        &[("a".into(), b"1".to_vec()), ("c".into(), b"3".to_vec())],
    )?
    .unwrap();
    let keys = ["a", "b", "c", "a"].map(String::from);
    assert_eq!(
        d2.get_many(bucket, &keys)?.unwrap(),
        [
            ("a".to_owned(), Some(b"1".to_vec())),
            ("b".to_owned(), None),
            ("c".to_owned(), Some(b"3".to_vec())),
            ("a".to_owned(), Some(b"1".to_vec())),
        ]
    );
    d2.delete_many(bucket, &["a".into(), "missing".into()])?
        .unwrap();
    assert_eq!(d2.get(bucket, "a")?.unwrap(), None);
    assert_eq!(d2.get(bucket, "c")?.unwrap(), Some(b"3".to_vec()));
    d2.drop_bucket(bucket)
}

#[test]
fn bad_input_is_an_error_never_a_trap() -> Result<()> {
    let (mut memkv, bucket) = with_bucket("b")?;
    let limits = Limits {
        max_key_bytes: 8,
        ..memkv.limits().get()?
    };
    memkv.limits().set(limits)?.unwrap();
    let mut d2 = memkv.draft2();
    let long = "k".repeat(9);
    assert!(other(d2.set(bucket, &long, b"")?).starts_with("quota exceeded"));
    assert!(other(d2.set_many(bucket, &[(long.clone(), vec![])])?).starts_with("quota exceeded"));
    assert!(other(d2.increment(bucket, &long, 1)?).starts_with("quota exceeded"));
    assert!(other(d2.open(&long)?).starts_with("quota exceeded"));
    // A cursor longer than any key is fine: it is only a position.
    assert!(
        d2.list_keys(bucket, Some(&"z".repeat(100_000)))?
            .unwrap()
            .keys
            .is_empty()
    );
    d2.drop_bucket(bucket)
}
