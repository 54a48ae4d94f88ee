//! `memkv-golem`: the Golem key-value dialect of December 2023 (unversioned `wasi:keyvalue`),
//! function by function through the real component, the Golem docs' example composed with it,
//! and every dialect seeing every other's writes.

use host_test::golem::{Traced, compose_example};
use host_test::{GolemHarness, GolemInstance, Harness};
use wasmtime::Result;
use wasmtime::component::ResourceAny;

fn golem_bucket(name: &str) -> Result<(GolemInstance, ResourceAny)> {
    let mut memkv = GolemHarness::shared().instantiate()?;
    let bucket = memkv.golem().open_bucket(name)?.unwrap();
    Ok((memkv, bucket))
}

#[test]
fn memkv_golem_imports_only_the_wasi_io_types_and_exports_every_dialect() {
    let harness = GolemHarness::shared().harness();
    let imports = harness.import_names();
    assert!(!imports.is_empty());
    assert!(
        imports
            .iter()
            .all(|name| name.starts_with("wasi:io/") && name.ends_with("@0.2.0-rc-2023-11-10")),
        "{imports:?}"
    );
    let exports = harness.export_names();
    for export in Harness::shared().export_names().iter().chain(&[
        "wasi:keyvalue/wasi-cloud-error".to_owned(),
        "wasi:keyvalue/types".to_owned(),
        "wasi:keyvalue/readwrite".to_owned(),
        "wasi:keyvalue/batch".to_owned(),
        "wasi:keyvalue/atomic".to_owned(),
    ]) {
        assert!(
            exports.contains(export),
            "{export} missing from {exports:?}"
        );
    }
}

#[test]
fn the_docs_example_composed_with_memkv_golem_imports_only_wasi_io() -> anyhow::Result<()> {
    let composition = compose_example()?;
    assert!(
        composition
            .unsatisfied
            .iter()
            .all(|name| name.starts_with("wasi:io/")),
        "{:?}",
        composition.unsatisfied
    );
    Ok(())
}

#[test]
fn readwrite_get_set_delete_exists() -> Result<()> {
    let (mut memkv, bucket) = golem_bucket("b")?;
    let mut golem = memkv.golem();
    assert_eq!(golem.get(bucket, "k")?, Err("Key not found".into()));
    assert_eq!(golem.exists(bucket, "k")?, Ok(false));
    golem.set(bucket, "k", b"v1")?.unwrap();
    assert_eq!(golem.get(bucket, "k")?, Ok(b"v1".to_vec()));
    golem.set(bucket, "k", b"")?.unwrap();
    assert_eq!(golem.get(bucket, "k")?, Ok(Vec::new()));
    assert_eq!(golem.exists(bucket, "k")?, Ok(true));
    golem.delete(bucket, "k")?.unwrap();
    golem.delete(bucket, "k")?.unwrap();
    assert_eq!(golem.exists(bucket, "k")?, Ok(false));
    golem.drop_resource(bucket)
}

#[test]
fn async_bodies_are_refused_with_a_message_not_a_trap() -> Result<()> {
    let (mut memkv, bucket) = golem_bucket("b")?;
    let mut golem = memkv.golem();
    let refused = golem.write_body_async()?.unwrap_err();
    assert!(
        refused.contains("use outgoing-value-write-body-sync"),
        "{refused}"
    );
    golem.set(bucket, "k", b"v")?.unwrap();
    let refused = golem.consume_async(bucket, "k")?.unwrap_err();
    assert!(
        refused.contains("use incoming-value-consume-sync"),
        "{refused}"
    );
    assert_eq!(golem.get(bucket, "k")?, Ok(b"v".to_vec()));
    golem.drop_resource(bucket)
}

#[test]
fn batch_get_many_get_keys_set_many_delete_many() -> Result<()> {
    let (mut memkv, bucket) = golem_bucket("b")?;
    let mut golem = memkv.golem();
    let entries =
        [("b", "2"), ("a", "1"), ("c", "3")].map(|(k, v)| (k.to_owned(), v.as_bytes().to_vec()));
    golem.set_many(bucket, &entries)?.unwrap();
    assert_eq!(golem.get_keys(bucket)?, ["a", "b", "c"]);
    let keys = ["c", "a"].map(String::from);
    assert_eq!(
        golem.get_many(bucket, &keys)?,
        Ok(vec![b"3".to_vec(), b"1".to_vec()])
    );
    let with_missing = ["a", "missing"].map(String::from);
    assert_eq!(
        golem.get_many(bucket, &with_missing)?,
        Err("Key not found: \"missing\"".into())
    );
    golem
        .delete_many(bucket, &["a".into(), "missing".into()])?
        .unwrap();
    assert_eq!(golem.get_keys(bucket)?, ["b", "c"]);
    golem.drop_resource(bucket)
}

#[test]
fn get_keys_returns_every_key_whatever_the_page_size() -> Result<()> {
    let (mut memkv, bucket) = golem_bucket("b")?;
    let limits = host_test::bindings::exports::memkv::store::limits::Limits {
        page_size: 2,
        ..memkv.limits().get()?
    };
    memkv.limits().set(limits)?.unwrap();
    let entries: Vec<_> = (0..5).map(|i| (format!("k{i}"), vec![])).collect();
    let mut golem = memkv.golem();
    golem.set_many(bucket, &entries)?.unwrap();
    assert_eq!(golem.get_keys(bucket)?.len(), 5);
    golem.drop_resource(bucket)
}

#[test]
fn set_many_over_a_limit_changes_nothing() -> Result<()> {
    let (mut memkv, bucket) = golem_bucket("b")?;
    let limits = host_test::bindings::exports::memkv::store::limits::Limits {
        max_value_bytes: 2,
        ..memkv.limits().get()?
    };
    memkv.limits().set(limits)?.unwrap();
    let mut golem = memkv.golem();
    let entries =
        [("a", "1"), ("b", "too long")].map(|(k, v)| (k.to_owned(), v.as_bytes().to_vec()));
    let refused = golem.set_many(bucket, &entries)?.unwrap_err();
    assert_eq!(
        refused,
        "quota exceeded: a value of 8 bytes is over max-value-bytes (2)"
    );
    assert_eq!(golem.get_keys(bucket)?, Vec::<String>::new());
    assert!(
        golem
            .set(bucket, "c", b"xyz")?
            .unwrap_err()
            .starts_with("quota exceeded")
    );
    golem.drop_resource(bucket)
}

#[test]
fn atomic_increment_and_compare_and_swap() -> Result<()> {
    let (mut memkv, bucket) = golem_bucket("b")?;
    let mut golem = memkv.golem();
    assert_eq!(
        golem.compare_and_swap(bucket, "n", 0, 1)?,
        Err("Key not found".into())
    );
    assert_eq!(golem.increment(bucket, "n", 5)?, Ok(5));
    assert_eq!(golem.compare_and_swap(bucket, "n", 4, 10)?, Ok(false));
    assert_eq!(golem.get(bucket, "n")?, Ok(b"5".to_vec()));
    assert_eq!(golem.compare_and_swap(bucket, "n", 5, 10)?, Ok(true));
    assert_eq!(golem.get(bucket, "n")?, Ok(b"10".to_vec()));
    assert_eq!(
        golem.increment(bucket, "n", u64::MAX)?,
        Err(format!(
            "cannot increment key \"n\" by {}: 10 + {} overflows u64",
            u64::MAX,
            u64::MAX
        ))
    );
    golem.set(bucket, "text", b"abc")?.unwrap();
    let refused: Traced<bool> = golem.compare_and_swap(bucket, "text", 0, 1)?;
    assert_eq!(
        refused,
        Err("cannot increment key \"text\": its value is not a decimal u64 counter".into())
    );
    golem.drop_resource(bucket)
}

/// The four dialects, as writers and readers of one key of bucket `x`.
#[derive(Debug, Clone, Copy)]
enum Dialect {
    Api,
    Draft,
    Draft2,
    Golem,
}

const DIALECTS: [Dialect; 4] = [
    Dialect::Api,
    Dialect::Draft,
    Dialect::Draft2,
    Dialect::Golem,
];

fn write(memkv: &mut GolemInstance, dialect: Dialect, key: &str, value: &[u8]) -> Result<()> {
    match dialect {
        Dialect::Api => memkv.api().set("x", key, value)?,
        Dialect::Draft => {
            let bucket = memkv.draft().open("x")?.unwrap();
            memkv.draft().set(bucket, key, value)?.unwrap();
            memkv.draft().drop_bucket(bucket)?;
        }
        Dialect::Draft2 => {
            let mut d2 = memkv.draft2();
            let bucket = d2.open("x")?.unwrap();
            d2.set(bucket, key, value)?.unwrap();
            d2.drop_bucket(bucket)?;
        }
        Dialect::Golem => {
            let mut golem = memkv.golem();
            let bucket = golem.open_bucket("x")?.unwrap();
            golem.set(bucket, key, value)?.unwrap();
            golem.drop_resource(bucket)?;
        }
    }
    Ok(())
}

fn read(memkv: &mut GolemInstance, dialect: Dialect, key: &str) -> Result<Option<Vec<u8>>> {
    Ok(match dialect {
        Dialect::Api => memkv.api().get("x", key)?,
        Dialect::Draft => {
            let bucket = memkv.draft().open("x")?.unwrap();
            let value = memkv.draft().get(bucket, key)?.unwrap();
            memkv.draft().drop_bucket(bucket)?;
            value
        }
        Dialect::Draft2 => {
            let mut d2 = memkv.draft2();
            let bucket = d2.open("x")?.unwrap();
            let value = d2.get(bucket, key)?.unwrap();
            d2.drop_bucket(bucket)?;
            value
        }
        Dialect::Golem => {
            let mut golem = memkv.golem();
            let bucket = golem.open_bucket("x")?.unwrap();
            let value = match golem.get(bucket, key)? {
                Ok(value) => Some(value),
                Err(trace) if trace == "Key not found" => None,
                Err(trace) => panic!("{trace}"),
            };
            golem.drop_resource(bucket)?;
            value
        }
    })
}

#[test]
fn a_value_set_through_each_dialect_is_read_through_every_other() -> Result<()> {
    let mut memkv = GolemHarness::shared().instantiate()?;
    for writer in DIALECTS {
        let key = format!("written by {writer:?}");
        let value = format!("value from {writer:?}").into_bytes();
        for reader in DIALECTS {
            assert_eq!(
                read(&mut memkv, reader, &key)?,
                None,
                "{reader:?} before the write"
            );
        }
        write(&mut memkv, writer, &key, &value)?;
        for reader in DIALECTS {
            assert_eq!(
                read(&mut memkv, reader, &key)?,
                Some(value.clone()),
                "{writer:?} -> {reader:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn counters_are_shared_by_every_dialect() -> Result<()> {
    let mut memkv = GolemHarness::shared().instantiate()?;
    let draft = memkv.draft().open("x")?.unwrap();
    assert_eq!(memkv.draft().increment(draft, "n", 1)?.unwrap(), 1);
    let d2 = memkv.draft2().open("x")?.unwrap();
    assert_eq!(memkv.draft2().increment(d2, "n", 2)?.unwrap(), 3);
    let golem_bucket = memkv.golem().open_bucket("x")?.unwrap();
    assert_eq!(memkv.golem().increment(golem_bucket, "n", 3)?, Ok(6));
    assert_eq!(
        memkv.golem().compare_and_swap(golem_bucket, "n", 6, 7)?,
        Ok(true)
    );
    assert_eq!(memkv.api().get("x", "n")?, Some(b"7".to_vec()));
    // A golem compare-and-swap is a write: it fails a draft2 swap observed before it.
    let cas = memkv.draft2().cas(d2, "n")?.unwrap();
    assert_eq!(
        memkv.golem().compare_and_swap(golem_bucket, "n", 7, 7)?,
        Ok(true)
    );
    let swapped = memkv.draft2().swap(cas, b"8")?;
    assert!(swapped.is_err(), "{swapped:?}");
    memkv.golem().drop_resource(golem_bucket)?;
    memkv.draft2().drop_bucket(d2)?;
    memkv.draft().drop_bucket(draft)
}
