//! `fermyon:spin/key-value@2.0.0` (Spin 2 to 5's store) through the real component: every
//! function, a label as a bucket of every other dialect, and the core's refusals as `other`.

use host_test::bindings::exports::fermyon::spin::key_value::Error;
use host_test::bindings::exports::memkv::store::limits::Limits;
use host_test::{HostState, MemkvInstance};
use wasmtime::Result;
use wasmtime::component::ResourceAny;

use super::harness;

/// The message of Spin's `error::other`; panics on anything else.
fn other<T: std::fmt::Debug>(result: std::result::Result<T, Error>) -> String {
    match result {
        Err(Error::Other(message)) => message,
        other => panic!("expected error::other, got {other:?}"),
    }
}

fn with_store(label: &str) -> Result<(MemkvInstance<HostState>, ResourceAny)> {
    let mut memkv = harness().instantiate()?;
    let store = memkv.spin().open(label)?.unwrap();
    Ok((memkv, store))
}

#[test]
fn every_function_on_a_fresh_store() -> Result<()> {
    let (mut memkv, store) = with_store("default")?;
    let mut spin = memkv.spin();
    assert_eq!(spin.get(store, "k")?.unwrap(), None);
    assert!(!spin.exists(store, "k")?.unwrap());
    assert_eq!(spin.get_keys(store)?.unwrap(), Vec::<String>::new());
    spin.set(store, "k", b"v")?.unwrap();
    spin.set(store, "a", b"")?.unwrap();
    assert_eq!(spin.get(store, "k")?.unwrap(), Some(b"v".to_vec()));
    assert_eq!(spin.get(store, "a")?.unwrap(), Some(Vec::new()));
    assert!(spin.exists(store, "k")?.unwrap());
    assert_eq!(spin.get_keys(store)?.unwrap(), ["a", "k"]);
    spin.set(store, "k", b"overwritten")?.unwrap();
    assert_eq!(
        spin.get(store, "k")?.unwrap(),
        Some(b"overwritten".to_vec())
    );
    spin.delete(store, "k")?.unwrap();
    // Deleting what is not there is not an error.
    spin.delete(store, "k")?.unwrap();
    assert!(!spin.exists(store, "k")?.unwrap());
    assert_eq!(spin.get_keys(store)?.unwrap(), ["a"]);
    spin.drop_store(store)
}

#[test]
fn any_label_opens_and_two_handles_share_one_store() -> Result<()> {
    let (mut memkv, first) = with_store("not in any manifest")?;
    let second = memkv.spin().open("not in any manifest")?.unwrap();
    let other = memkv.spin().open("another")?.unwrap();
    memkv.spin().set(first, "k", b"v")?.unwrap();
    assert_eq!(memkv.spin().get(second, "k")?.unwrap(), Some(b"v".to_vec()));
    assert_eq!(memkv.spin().get(other, "k")?.unwrap(), None);
    for store in [first, second, other] {
        memkv.spin().drop_store(store)?;
    }
    Ok(())
}

#[test]
fn a_label_is_the_bucket_of_the_same_name_in_every_dialect() -> Result<()> {
    let (mut memkv, store) = with_store("default")?;
    memkv.spin().set(store, "from-spin", b"1")?.unwrap();
    let draft = memkv.draft().open("default")?.unwrap();
    assert_eq!(
        memkv.draft().get(draft, "from-spin")?.unwrap(),
        Some(b"1".to_vec())
    );
    memkv.draft().set(draft, "from-draft", b"2")?.unwrap();
    let draft2 = memkv.draft2().open("default")?.unwrap();
    memkv.draft2().set(draft2, "from-draft2", b"3")?.unwrap();
    memkv.api().set("default", "from-api", b"4")?;
    assert_eq!(
        memkv.spin().get_keys(store)?.unwrap(),
        ["from-api", "from-draft", "from-draft2", "from-spin"]
    );
    assert_eq!(
        memkv.spin().get(store, "from-draft2")?.unwrap(),
        Some(b"3".to_vec())
    );
    memkv.draft().drop_bucket(draft)?;
    memkv.draft2().drop_bucket(draft2)?;
    memkv.spin().drop_store(store)
}

#[test]
fn get_keys_answers_every_key_in_byte_order_past_the_page_size() -> Result<()> {
    let (mut memkv, store) = with_store("big")?;
    let limits = Limits {
        page_size: 7,
        ..memkv.limits().get()?
    };
    memkv.limits().set(limits)?.unwrap();
    let bucket = memkv.draft().open("big")?.unwrap();
    let mut expected: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
    let entries: Vec<(String, Vec<u8>)> = expected.iter().map(|k| (k.clone(), vec![1])).collect();
    memkv.draft().set_many(bucket, &entries)?.unwrap();
    expected.push("é".into());
    expected.push("Z".into());
    memkv.spin().set(store, "é", b"")?.unwrap();
    memkv.spin().set(store, "Z", b"")?.unwrap();
    expected.sort();
    assert_eq!(memkv.spin().get_keys(store)?.unwrap(), expected);
    memkv.draft().drop_bucket(bucket)?;
    memkv.spin().drop_store(store)
}

#[test]
fn refusals_are_other_with_the_cores_message_and_change_nothing() -> Result<()> {
    let (mut memkv, store) = with_store("limited")?;
    let limits = Limits {
        max_value_bytes: 4,
        ..memkv.limits().get()?
    };
    memkv.limits().set(limits)?.unwrap();
    let message = other(memkv.spin().set(store, "k", b"12345")?);
    assert!(message.contains("quota exceeded"), "{message}");
    assert_eq!(memkv.spin().get(store, "k")?.unwrap(), None);

    // A key holding a list is no value.
    let bucket = memkv.draft().open("limited")?.unwrap();
    memkv
        .collections()
        .list_push(bucket, "list", &[b"a".to_vec()])?
        .unwrap();
    let message = other(memkv.spin().get(store, "list")?);
    assert!(message.contains("list"), "{message}");
    assert!(memkv.spin().exists(store, "list")?.unwrap());
    memkv.draft().drop_bucket(bucket)?;
    memkv.spin().drop_store(store)
}
