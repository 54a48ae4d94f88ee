use super::*;

fn store_with_bucket() -> (Store, BucketId) {
    let mut store = Store::new();
    let bucket = store.open("b");
    (store, bucket)
}

fn list_all(store: &mut Store, bucket: BucketId) -> Vec<String> {
    let mut keys = Vec::new();
    let mut cursor = None;
    loop {
        let page = store.list_keys(bucket, cursor).unwrap();
        assert!(page.keys.len() <= PAGE_SIZE);
        keys.extend(page.keys);
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => return keys,
        }
    }
}

fn key(i: usize) -> String {
    format!("k{i:06}")
}

#[test]
fn open_returns_the_same_bucket_for_the_same_name() {
    let mut store = Store::new();
    let a = store.open("a");
    assert_eq!(store.open("a"), a);
    assert_ne!(store.open("b"), a);
    assert_eq!(store.find("a"), Some(a));
}

#[test]
fn find_never_creates_a_bucket() {
    let mut store = Store::new();
    assert_eq!(store.find("missing"), None);
    assert_eq!(store.find("missing"), None);
    let empty = store.open("");
    assert_eq!(store.find(""), Some(empty));
}

#[test]
fn buckets_are_separate() {
    let mut store = Store::new();
    let a = store.open("a");
    let b = store.open("b");
    store.set(a, "k", b"1".to_vec());
    assert_eq!(store.get(b, "k"), None);
    assert_eq!(store.get(a, "k"), Some(&b"1"[..]));
}

#[test]
fn get_of_missing_key_is_none() {
    let (store, bucket) = store_with_bucket();
    assert_eq!(store.get(bucket, "missing"), None);
}

#[test]
fn set_overwrites() {
    let (mut store, bucket) = store_with_bucket();
    store.set(bucket, "k", b"old".to_vec());
    store.set(bucket, "k", b"new".to_vec());
    assert_eq!(store.get(bucket, "k"), Some(&b"new"[..]));
}

#[test]
fn empty_key_and_empty_value_round_trip() {
    let (mut store, bucket) = store_with_bucket();
    store.set(bucket, "", Vec::new());
    assert!(store.exists(bucket, ""));
    assert_eq!(store.get(bucket, ""), Some(&b""[..]));
}

#[test]
fn delete_reports_whether_the_key_existed() {
    let (mut store, bucket) = store_with_bucket();
    store.set(bucket, "k", b"v".to_vec());
    assert!(store.delete(bucket, "k"));
    assert!(!store.delete(bucket, "k"));
    assert!(!store.exists(bucket, "k"));
}

#[test]
fn get_many_answers_in_request_order_with_duplicates() {
    let (mut store, bucket) = store_with_bucket();
    store.set(bucket, "a", b"1".to_vec());
    store.set(bucket, "b", b"2".to_vec());
    let got = store.get_many(bucket, vec!["b".into(), "x".into(), "a".into(), "b".into()]);
    assert_eq!(
        got,
        vec![
            Some(("b".into(), b"2".to_vec())),
            None,
            Some(("a".into(), b"1".to_vec())),
            Some(("b".into(), b"2".to_vec())),
        ]
    );
}

#[test]
fn set_many_applies_in_order_so_the_last_duplicate_wins() {
    let (mut store, bucket) = store_with_bucket();
    store.set_many(
        bucket,
        vec![("k".into(), b"1".to_vec()), ("k".into(), b"2".to_vec())],
    );
    assert_eq!(store.get(bucket, "k"), Some(&b"2"[..]));
}

#[test]
fn delete_many_skips_missing_keys() {
    let (mut store, bucket) = store_with_bucket();
    store.set(bucket, "a", b"1".to_vec());
    store.set(bucket, "b", b"2".to_vec());
    store.delete_many(bucket, vec!["missing".into(), "a".into(), "a".into()]);
    assert!(!store.exists(bucket, "a"));
    assert!(store.exists(bucket, "b"));
}

#[test]
fn list_keys_of_empty_bucket_is_one_empty_page() {
    let (mut store, bucket) = store_with_bucket();
    let page = store.list_keys(bucket, None).unwrap();
    assert_eq!(
        page,
        KeyPage {
            keys: vec![],
            cursor: None
        }
    );
}

#[test]
fn list_keys_returns_byte_order_in_bounded_pages() {
    let (mut store, bucket) = store_with_bucket();
    for i in (0..2 * PAGE_SIZE + 7).rev() {
        store.set(bucket, &key(i), vec![]);
    }
    let first = store.list_keys(bucket, None).unwrap();
    assert_eq!(first.keys.len(), PAGE_SIZE);
    assert!(first.cursor.is_some());
    let all = list_all(&mut store, bucket);
    let expected: Vec<String> = (0..2 * PAGE_SIZE + 7).map(key).collect();
    assert_eq!(all, expected);
}

#[test]
fn list_keys_of_exactly_one_page_needs_no_cursor() {
    let (mut store, bucket) = store_with_bucket();
    for i in 0..PAGE_SIZE {
        store.set(bucket, &key(i), vec![]);
    }
    let page = store.list_keys(bucket, None).unwrap();
    assert_eq!(page.keys.len(), PAGE_SIZE);
    assert_eq!(page.cursor, None);
}

#[test]
fn list_keys_orders_by_bytes_not_by_chars() {
    let (mut store, bucket) = store_with_bucket();
    for k in ["é", "z", "", "Z", "a"] {
        store.set(bucket, k, vec![]);
    }
    assert_eq!(list_all(&mut store, bucket), ["", "Z", "a", "z", "é"]);
}

#[test]
fn listing_survives_writes_between_pages() {
    let (mut store, bucket) = store_with_bucket();
    let n = 3 * PAGE_SIZE;
    for i in (0..n).step_by(2) {
        store.set(bucket, &key(i), vec![]);
    }
    let first = store.list_keys(bucket, None).unwrap();
    let last_seen = first.keys.last().unwrap().clone();
    // Delete the key the cursor remembers, and some not yet listed; insert on both sides.
    store.delete(bucket, &last_seen);
    store.delete(bucket, &key(n - 2));
    store.set(bucket, &key(1), vec![]);
    store.set(bucket, &key(n - 1), vec![]);
    let mut seen = first.keys;
    let mut cursor = first.cursor;
    while let Some(id) = cursor {
        let page = store.list_keys(bucket, Some(id)).unwrap();
        seen.extend(page.keys);
        cursor = page.cursor;
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen, "each key once, in order");
    for i in (0..n - 2).step_by(2) {
        assert!(
            seen.contains(&key(i)),
            "key {i} present all along is listed"
        );
    }
    assert!(
        seen.contains(&key(n - 1)),
        "a key added after the cursor is listed"
    );
    assert!(
        !seen.contains(&key(1)),
        "a key added before the cursor is not"
    );
}

#[test]
fn list_keys_refuses_a_cursor_it_never_issued() {
    let (mut store, bucket) = store_with_bucket();
    assert_eq!(
        store.list_keys(bucket, Some(7)),
        Err(Error::UnknownCursor(7))
    );
}

#[test]
fn list_keys_refuses_a_cursor_of_another_bucket() {
    let mut store = Store::new();
    let a = store.open("a");
    let b = store.open("b");
    for i in 0..PAGE_SIZE + 1 {
        store.set(a, &key(i), vec![]);
    }
    let cursor = store.list_keys(a, None).unwrap().cursor.unwrap();
    assert_eq!(
        store.list_keys(b, Some(cursor)),
        Err(Error::CursorOfAnotherBucket(cursor))
    );
}

#[test]
fn list_keys_refuses_an_expired_cursor() {
    let (mut store, bucket) = store_with_bucket();
    for i in 0..PAGE_SIZE + 1 {
        store.set(bucket, &key(i), vec![]);
    }
    let old = store.list_keys(bucket, None).unwrap().cursor.unwrap();
    for _ in 0..CURSOR_CAPACITY {
        store.list_keys(bucket, None).unwrap();
    }
    assert_eq!(
        store.list_keys(bucket, Some(old)),
        Err(Error::ExpiredCursor(old))
    );
}

#[test]
fn increment_of_missing_key_starts_at_zero_and_stores_decimal() {
    let (mut store, bucket) = store_with_bucket();
    assert_eq!(store.increment(bucket, "c", 5), Ok(5));
    assert_eq!(store.get(bucket, "c"), Some(&b"5"[..]));
    assert_eq!(store.increment(bucket, "c", 37), Ok(42));
    assert_eq!(store.get(bucket, "c"), Some(&b"42"[..]));
}

#[test]
fn increment_by_zero_creates_the_counter() {
    let (mut store, bucket) = store_with_bucket();
    assert_eq!(store.increment(bucket, "c", 0), Ok(0));
    assert_eq!(store.get(bucket, "c"), Some(&b"0"[..]));
}

#[test]
fn increment_accepts_leading_zeros() {
    let (mut store, bucket) = store_with_bucket();
    store.set(bucket, "c", b"007".to_vec());
    assert_eq!(store.increment(bucket, "c", 1), Ok(8));
}

#[test]
fn increment_of_a_non_counter_is_an_error_and_changes_nothing() {
    let (mut store, bucket) = store_with_bucket();
    for bad in [
        &b""[..],
        b"abc",
        b"-1",
        b"+1",
        b" 1",
        b"1.0",
        b"\xff",
        b"18446744073709551616",
    ] {
        store.set(bucket, "c", bad.to_vec());
        assert_eq!(
            store.increment(bucket, "c", 1),
            Err(Error::NotACounter { key: "c".into() }),
            "{bad:?}"
        );
        assert_eq!(store.get(bucket, "c"), Some(bad));
    }
}

#[test]
fn increment_overflow_is_an_error_and_changes_nothing() {
    let (mut store, bucket) = store_with_bucket();
    let max = u64::MAX.to_string();
    store.set(bucket, "c", max.clone().into_bytes());
    assert_eq!(store.increment(bucket, "c", 0), Ok(u64::MAX));
    assert_eq!(
        store.increment(bucket, "c", 1),
        Err(Error::CounterOverflow {
            key: "c".into(),
            current: u64::MAX,
            delta: 1
        })
    );
    assert_eq!(store.get(bucket, "c"), Some(max.as_bytes()));
}

#[test]
fn error_messages_say_what_to_do() {
    let expired = Error::ExpiredCursor(3).to_string();
    assert!(expired.contains("restart the listing"), "{expired}");
    let overflow = Error::CounterOverflow {
        key: "c".into(),
        current: u64::MAX,
        delta: 2,
    }
    .to_string();
    assert_eq!(
        overflow,
        "cannot increment key \"c\" by 2: 18446744073709551615 + 2 overflows u64"
    );
}

#[test]
fn deleting_keeps_every_other_entry_reachable_by_key_and_in_order() {
    let (mut store, bucket) = store_with_bucket();
    let n = 3000;
    for i in 0..n {
        store.set(bucket, &key(i), key(i).into_bytes());
    }
    // Deleting moves the last slot into the hole; do it in an order that moves many slots.
    for i in (0..n).filter(|i| i % 3 == 0).rev().chain([1, n - 1]) {
        assert!(store.delete(bucket, &key(i)), "{i}");
    }
    let kept: Vec<String> = (0..n)
        .filter(|&i| i % 3 != 0 && i != 1 && i != n - 1)
        .map(key)
        .collect();
    for k in &kept {
        assert_eq!(store.get(bucket, k), Some(k.as_bytes()));
    }
    assert_eq!(store.len(bucket), kept.len());
    assert_eq!(list_all(&mut store, bucket), kept);
    // Deleted keys can come back.
    store.set(bucket, &key(0), b"again".to_vec());
    assert_eq!(store.get(bucket, &key(0)), Some(&b"again"[..]));
}

#[test]
fn long_keys_sharing_their_first_bytes_are_distinct() {
    let (mut store, bucket) = store_with_bucket();
    let prefix = "p".repeat(16);
    let keys = [
        prefix.clone(),
        format!("{prefix}a"),
        format!("{prefix}b"),
        format!("{prefix}\0"),
    ];
    for (i, k) in (0u8..).zip(&keys) {
        store.set(bucket, k, vec![i]);
    }
    for (i, k) in (0u8..).zip(&keys) {
        assert_eq!(store.get(bucket, k), Some(&[i][..]));
    }
    let mut sorted = keys.to_vec();
    sorted.sort();
    assert_eq!(list_all(&mut store, bucket), sorted);
    assert!(store.delete(bucket, &keys[1]));
    assert_eq!(store.get(bucket, &keys[2]), Some(&[2][..]));
}
