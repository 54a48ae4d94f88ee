use super::*;

fn store_with_bucket() -> (Store, BucketId) {
    let mut store = Store::new();
    let bucket = store.open("b").unwrap();
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
    let a = store.open("a").unwrap();
    assert_eq!(store.open("a").unwrap(), a);
    assert_ne!(store.open("b").unwrap(), a);
    assert_eq!(store.find("a"), Some(a));
}

#[test]
fn find_never_creates_a_bucket() {
    let mut store = Store::new();
    assert_eq!(store.find("missing"), None);
    assert_eq!(store.find("missing"), None);
    let empty = store.open("").unwrap();
    assert_eq!(store.find(""), Some(empty));
}

#[test]
fn buckets_are_separate() {
    let mut store = Store::new();
    let a = store.open("a").unwrap();
    let b = store.open("b").unwrap();
    store.set(a, "k", b"1".to_vec()).unwrap();
    assert_eq!(store.get(b, "k").unwrap(), None);
    assert_eq!(store.get(a, "k").unwrap(), Some(&b"1"[..]));
}

#[test]
fn get_of_missing_key_is_none() {
    let (store, bucket) = store_with_bucket();
    assert_eq!(store.get(bucket, "missing").unwrap(), None);
}

#[test]
fn set_overwrites() {
    let (mut store, bucket) = store_with_bucket();
    store.set(bucket, "k", b"old".to_vec()).unwrap();
    store.set(bucket, "k", b"new".to_vec()).unwrap();
    assert_eq!(store.get(bucket, "k").unwrap(), Some(&b"new"[..]));
}

#[test]
fn empty_key_and_empty_value_round_trip() {
    let (mut store, bucket) = store_with_bucket();
    store.set(bucket, "", Vec::new()).unwrap();
    assert!(store.exists(bucket, ""));
    assert_eq!(store.get(bucket, "").unwrap(), Some(&b""[..]));
}

#[test]
fn delete_reports_whether_the_key_existed() {
    let (mut store, bucket) = store_with_bucket();
    store.set(bucket, "k", b"v".to_vec()).unwrap();
    assert!(store.delete(bucket, "k"));
    assert!(!store.delete(bucket, "k"));
    assert!(!store.exists(bucket, "k"));
}

#[test]
fn get_many_answers_in_request_order_with_duplicates() {
    let (mut store, bucket) = store_with_bucket();
    store.set(bucket, "a", b"1".to_vec()).unwrap();
    store.set(bucket, "b", b"2".to_vec()).unwrap();
    let got = store
        .get_many(bucket, vec!["b".into(), "x".into(), "a".into(), "b".into()])
        .unwrap();
    assert_eq!(
        got,
        vec![
            ("b".into(), Some(b"2".to_vec())),
            ("x".into(), None),
            ("a".into(), Some(b"1".to_vec())),
            ("b".into(), Some(b"2".to_vec())),
        ]
    );
}

#[test]
fn set_many_applies_in_order_so_the_last_duplicate_wins() {
    let (mut store, bucket) = store_with_bucket();
    store
        .set_many(
            bucket,
            vec![("k".into(), b"1".to_vec()), ("k".into(), b"2".to_vec())],
        )
        .unwrap();
    assert_eq!(store.get(bucket, "k").unwrap(), Some(&b"2"[..]));
}

#[test]
fn delete_many_skips_missing_keys() {
    let (mut store, bucket) = store_with_bucket();
    store.set(bucket, "a", b"1".to_vec()).unwrap();
    store.set(bucket, "b", b"2".to_vec()).unwrap();
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
        store.set(bucket, &key(i), vec![]).unwrap();
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
        store.set(bucket, &key(i), vec![]).unwrap();
    }
    let page = store.list_keys(bucket, None).unwrap();
    assert_eq!(page.keys.len(), PAGE_SIZE);
    assert_eq!(page.cursor, None);
}

#[test]
fn list_keys_orders_by_bytes_not_by_chars() {
    let (mut store, bucket) = store_with_bucket();
    for k in ["é", "z", "", "Z", "a"] {
        store.set(bucket, k, vec![]).unwrap();
    }
    assert_eq!(list_all(&mut store, bucket), ["", "Z", "a", "z", "é"]);
}

#[test]
fn listing_survives_writes_between_pages() {
    let (mut store, bucket) = store_with_bucket();
    let n = 3 * PAGE_SIZE;
    for i in (0..n).step_by(2) {
        store.set(bucket, &key(i), vec![]).unwrap();
    }
    let first = store.list_keys(bucket, None).unwrap();
    let last_seen = first.keys.last().unwrap().clone();
    // Delete the key the cursor remembers, and some not yet listed; insert on both sides.
    store.delete(bucket, &last_seen);
    store.delete(bucket, &key(n - 2));
    store.set(bucket, &key(1), vec![]).unwrap();
    store.set(bucket, &key(n - 1), vec![]).unwrap();
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
    let a = store.open("a").unwrap();
    let b = store.open("b").unwrap();
    for i in 0..PAGE_SIZE + 1 {
        store.set(a, &key(i), vec![]).unwrap();
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
        store.set(bucket, &key(i), vec![]).unwrap();
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
    assert_eq!(store.get(bucket, "c").unwrap(), Some(&b"5"[..]));
    assert_eq!(store.increment(bucket, "c", 37), Ok(42));
    assert_eq!(store.get(bucket, "c").unwrap(), Some(&b"42"[..]));
}

#[test]
fn increment_by_zero_creates_the_counter() {
    let (mut store, bucket) = store_with_bucket();
    assert_eq!(store.increment(bucket, "c", 0), Ok(0));
    assert_eq!(store.get(bucket, "c").unwrap(), Some(&b"0"[..]));
}

#[test]
fn increment_accepts_leading_zeros() {
    let (mut store, bucket) = store_with_bucket();
    store.set(bucket, "c", b"007".to_vec()).unwrap();
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
        store.set(bucket, "c", bad.to_vec()).unwrap();
        assert_eq!(
            store.increment(bucket, "c", 1),
            Err(Error::NotACounter {
                key: "c".into(),
                ty: "u64"
            }),
            "{bad:?}"
        );
        assert_eq!(store.get(bucket, "c").unwrap(), Some(bad));
    }
}

#[test]
fn increment_overflow_is_an_error_and_changes_nothing() {
    let (mut store, bucket) = store_with_bucket();
    let max = u64::MAX.to_string();
    store.set(bucket, "c", max.clone().into_bytes()).unwrap();
    assert_eq!(store.increment(bucket, "c", 0), Ok(u64::MAX));
    assert_eq!(
        store.increment(bucket, "c", 1),
        Err(Error::CounterOverflow {
            key: "c".into(),
            current: u64::MAX.into(),
            delta: 1,
            ty: "u64"
        })
    );
    assert_eq!(store.get(bucket, "c").unwrap(), Some(max.as_bytes()));
}

#[test]
fn error_messages_say_what_to_do() {
    let expired = Error::ExpiredCursor(3).to_string();
    assert!(expired.contains("restart the listing"), "{expired}");
    let overflow = Error::CounterOverflow {
        key: "c".into(),
        current: u64::MAX.into(),
        delta: 2,
        ty: "u64",
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
        store.set(bucket, &key(i), key(i).into_bytes()).unwrap();
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
        assert_eq!(store.get(bucket, k).unwrap(), Some(k.as_bytes()));
    }
    assert_eq!(store.len(bucket), kept.len());
    assert_eq!(list_all(&mut store, bucket), kept);
    // Deleted keys can come back.
    store.set(bucket, &key(0), b"again".to_vec()).unwrap();
    assert_eq!(store.get(bucket, &key(0)).unwrap(), Some(&b"again"[..]));
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
        store.set(bucket, k, vec![i]).unwrap();
    }
    for (i, k) in (0u8..).zip(&keys) {
        assert_eq!(store.get(bucket, k).unwrap(), Some(&[i][..]));
    }
    let mut sorted = keys.to_vec();
    sorted.sort();
    assert_eq!(list_all(&mut store, bucket), sorted);
    assert!(store.delete(bucket, &keys[1]));
    assert_eq!(store.get(bucket, &keys[2]).unwrap(), Some(&[2][..]));
}

fn store_with_limits(limits: Limits) -> (Store, BucketId) {
    let mut store = Store::new();
    store.set_limits(limits).unwrap();
    let bucket = store.open("b").unwrap();
    (store, bucket)
}

fn quota(limit: Limit, needed: u64, max: u64) -> Error {
    Error::QuotaExceeded { limit, needed, max }
}

#[test]
fn usage_counts_keys_values_buckets_and_overheads() {
    let mut store = Store::new();
    assert_eq!(store.usage(), Usage::default());
    let bucket = store.open("b").unwrap();
    let bucket_bytes = 1 + BUCKET_OVERHEAD;
    store.set(bucket, "key", vec![0; 10]).unwrap();
    assert_eq!(
        store.usage(),
        Usage {
            total_bytes: bucket_bytes + 3 + 10 + ENTRY_OVERHEAD,
            entries: 1,
            buckets: 1
        }
    );
    store.set(bucket, "key", vec![0; 4]).unwrap();
    assert_eq!(
        store.usage().total_bytes,
        bucket_bytes + 3 + 4 + ENTRY_OVERHEAD
    );
    store.increment(bucket, "n", 100).unwrap();
    assert_eq!(store.usage().entries, 2);
    store.delete(bucket, "key");
    store.delete(bucket, "n");
    assert_eq!(
        store.usage(),
        Usage {
            total_bytes: bucket_bytes,
            entries: 0,
            buckets: 1
        }
    );
}

#[test]
fn key_and_value_sizes_are_limited_at_their_boundary() {
    let limits = Limits {
        max_key_bytes: 8,
        max_value_bytes: 16,
        ..Limits::DEFAULT
    };
    let (mut store, bucket) = store_with_limits(limits);
    store.set(bucket, &"k".repeat(8), vec![0; 16]).unwrap();
    assert_eq!(
        store.set(bucket, &"k".repeat(9), vec![]),
        Err(quota(Limit::KeyBytes, 9, 8))
    );
    assert_eq!(
        store.set(bucket, "k", vec![0; 17]),
        Err(quota(Limit::ValueBytes, 17, 16))
    );
    assert_eq!(
        store.open(&"b".repeat(9)),
        Err(quota(Limit::BucketNameBytes, 9, 8))
    );
    assert_eq!(store.usage().entries, 1);
}

#[test]
fn total_bytes_are_limited_and_a_refused_write_changes_nothing() {
    let mut store = Store::new();
    let bucket = store.open("b").unwrap();
    let base = store.usage().total_bytes;
    let room = base + 2 * (1 + 10 + ENTRY_OVERHEAD);
    store
        .set_limits(Limits {
            max_total_bytes: room,
            ..Limits::DEFAULT
        })
        .unwrap();
    store.set(bucket, "a", vec![1; 10]).unwrap();
    store.set(bucket, "b", vec![2; 10]).unwrap();
    assert_eq!(store.usage().total_bytes, room);
    assert_eq!(
        store.set(bucket, "c", vec![]),
        Err(quota(Limit::TotalBytes, room + 1 + ENTRY_OVERHEAD, room))
    );
    assert_eq!(
        store.set(bucket, "a", vec![1; 11]),
        Err(quota(Limit::TotalBytes, room + 1, room))
    );
    assert_eq!(store.get(bucket, "a").unwrap(), Some(&[1; 10][..]));
    assert!(!store.exists(bucket, "c"));
    // Shrinking a value and replacing it at the same size still work at the limit.
    store.set(bucket, "a", vec![3; 10]).unwrap();
    store.set(bucket, "b", vec![]).unwrap();
    store.set(bucket, "a", vec![4; 20]).unwrap();
}

#[test]
fn entries_and_buckets_are_limited_at_their_boundary() {
    let limits = Limits {
        max_entries_per_bucket: 2,
        max_buckets: 2,
        ..Limits::DEFAULT
    };
    let (mut store, bucket) = store_with_limits(limits);
    store.set(bucket, "a", vec![]).unwrap();
    store.set(bucket, "b", vec![]).unwrap();
    store.set(bucket, "b", vec![1]).unwrap();
    assert_eq!(
        store.set(bucket, "c", vec![]),
        Err(quota(Limit::EntriesPerBucket, 3, 2))
    );
    assert_eq!(
        store.increment(bucket, "n", 1),
        Err(quota(Limit::EntriesPerBucket, 3, 2))
    );
    let other = store.open("other").unwrap();
    store.set(other, "c", vec![]).unwrap();
    assert_eq!(store.open("third"), Err(quota(Limit::Buckets, 3, 2)));
    assert_eq!(
        store.open("b"),
        Ok(bucket),
        "existing buckets open whatever the limit"
    );
}

#[test]
fn set_many_over_a_limit_changes_nothing() {
    let limits = Limits {
        max_entries_per_bucket: 3,
        max_value_bytes: 8,
        ..Limits::DEFAULT
    };
    let (mut store, bucket) = store_with_limits(limits);
    store.set(bucket, "a", b"old".to_vec()).unwrap();
    let before = store.usage();
    let too_many = vec![
        ("a".to_string(), b"new".to_vec()),
        ("b".to_string(), vec![]),
        ("c".to_string(), vec![]),
        ("d".to_string(), vec![]),
    ];
    assert_eq!(
        store.set_many(bucket, too_many),
        Err(quota(Limit::EntriesPerBucket, 4, 3))
    );
    let too_big = vec![
        ("a".to_string(), b"new".to_vec()),
        ("b".to_string(), vec![0; 9]),
    ];
    assert_eq!(
        store.set_many(bucket, too_big),
        Err(quota(Limit::ValueBytes, 9, 8))
    );
    assert_eq!(store.get(bucket, "a").unwrap(), Some(&b"old"[..]));
    assert_eq!(store.usage(), before);
    // Duplicates count once: three distinct keys fit.
    let duplicates = vec![
        ("b".to_string(), vec![1]),
        ("c".to_string(), vec![]),
        ("b".to_string(), vec![2, 2]),
    ];
    store.set_many(bucket, duplicates).unwrap();
    assert_eq!(store.get(bucket, "b").unwrap(), Some(&[2, 2][..]));
    assert_eq!(store.usage().entries, 3);
    assert_eq!(
        store.usage().total_bytes,
        before.total_bytes + 2 * (1 + ENTRY_OVERHEAD) + 2
    );
}

#[test]
fn limits_below_what_is_stored_are_refused_and_change_nothing() {
    let mut store = Store::new();
    let bucket = store.open("bucket").unwrap();
    store.set(bucket, "key", vec![0; 100]).unwrap();
    let used = store.usage().total_bytes;
    let refused = |store: &mut Store, limits: Limits| {
        let before = store.limits();
        let error = store.set_limits(limits).unwrap_err();
        assert_eq!(
            store.limits(),
            before,
            "a refused set-limits changes nothing"
        );
        error.to_string()
    };
    let cases = [
        (
            Limits {
                max_value_bytes: 99,
                ..Limits::DEFAULT
            },
            "a value of 100 bytes is over max-value-bytes (99)",
        ),
        (
            Limits {
                max_key_bytes: 5,
                ..Limits::DEFAULT
            },
            "a bucket identifier of 6 bytes is over max-key-bytes (5)",
        ),
        (
            Limits {
                max_total_bytes: used - 1,
                ..Limits::DEFAULT
            },
            &format!(
                "the store would hold {used} bytes, over max-total-bytes ({})",
                used - 1
            ),
        ),
        (
            Limits {
                max_entries_per_bucket: 0,
                ..Limits::DEFAULT
            },
            "the bucket would hold 1 entries, over max-entries-per-bucket (0)",
        ),
        (
            Limits {
                max_buckets: 0,
                ..Limits::DEFAULT
            },
            "the store would hold 1 buckets, over max-buckets (0)",
        ),
    ];
    for (limits, why) in cases {
        assert_eq!(
            refused(&mut store, limits),
            format!("what is stored does not fit: {why}")
        );
    }
    store.open("b").unwrap();
    let message = refused(
        &mut store,
        Limits {
            max_key_bytes: 2,
            ..Limits::DEFAULT
        },
    );
    assert_eq!(
        message,
        "what is stored does not fit: a bucket identifier of 6 bytes is over max-key-bytes (2)"
    );
    // Exactly what is stored fits.
    let exact = Limits {
        max_key_bytes: 6,
        max_value_bytes: 100,
        max_total_bytes: store.usage().total_bytes,
        max_entries_per_bucket: 1,
        max_buckets: 2,
        page_size: 1,
    };
    store.set_limits(exact).unwrap();
    assert_eq!(store.limits(), exact);
    store.set(bucket, "key", vec![0; 5]).unwrap();
    assert!(store.delete(bucket, "key"));
}

#[test]
fn page_size_comes_from_the_limits() {
    let limits = Limits {
        page_size: 2,
        ..Limits::DEFAULT
    };
    let (mut store, bucket) = store_with_limits(limits);
    for k in ["a", "b", "c", "d", "e"] {
        store.set(bucket, k, vec![]).unwrap();
    }
    let first = store.list_keys(bucket, None).unwrap();
    assert_eq!(first.keys, ["a", "b"]);
    assert_eq!(list_all(&mut store, bucket), ["a", "b", "c", "d", "e"]);
    assert_eq!(
        store.set_limits(Limits {
            page_size: 0,
            ..Limits::DEFAULT
        }),
        Err(LimitsError::PageSizeZero)
    );
}

#[test]
fn quota_messages_name_the_limit_and_the_figures() {
    assert_eq!(
        quota(Limit::ValueBytes, 17, 16).to_string(),
        "quota exceeded: a value of 17 bytes is over max-value-bytes (16)"
    );
}

#[test]
fn set_many_refused_midway_undoes_every_write_before_it() {
    let limits = Limits {
        max_entries_per_bucket: 3,
        ..Limits::DEFAULT
    };
    let (mut store, bucket) = store_with_limits(limits);
    store.set(bucket, "kept", b"1".to_vec()).unwrap();
    let before = store.usage();
    let batch = vec![
        ("new".to_string(), b"a".to_vec()),
        ("kept".to_string(), b"2".to_vec()),
        ("new".to_string(), b"b".to_vec()),
        ("other".to_string(), b"c".to_vec()),
        ("one-too-many".to_string(), b"d".to_vec()),
    ];
    assert_eq!(
        store.set_many(bucket, batch),
        Err(quota(Limit::EntriesPerBucket, 4, 3))
    );
    assert_eq!(store.get(bucket, "kept").unwrap(), Some(&b"1"[..]));
    assert!(!store.exists(bucket, "new"));
    assert!(!store.exists(bucket, "other"));
    assert_eq!(store.usage(), before);
    assert_eq!(list_all(&mut store, bucket), ["kept"]);
}

fn sample_store() -> Store {
    let mut store = Store::new();
    store
        .set_limits(Limits {
            page_size: 7,
            max_entries_per_bucket: 1_000,
            ..Limits::DEFAULT
        })
        .unwrap();
    store.open("empty").unwrap();
    store.open("").unwrap();
    let bucket = store.open("b").unwrap();
    for i in 0..50 {
        store
            .set(bucket, &key(i), vec![u8::try_from(i).unwrap(); i])
            .unwrap();
    }
    store.set(bucket, "", vec![]).unwrap();
    store
        .set(bucket, &"long-é".repeat(20), vec![1, 2, 3])
        .unwrap();
    let items = vec![b"b".to_vec(), vec![], b"b".to_vec()];
    store.push(bucket, "list", items, End::Back).unwrap();
    let members = vec![b"z".to_vec(), vec![], b"a".to_vec()];
    store.set_add(bucket, "set", members).unwrap();
    store
}

/// Every bucket's name with its entries, in order.
type Contents = Vec<(String, Vec<(String, Entry)>)>;

/// Every bucket with every entry, in order, for comparing two stores.
fn contents(store: &Store) -> Contents {
    store
        .names
        .iter()
        .map(|(name, &id)| {
            let entries = store
                .bucket(id)
                .entries()
                .map(|(key, value)| (key.to_owned(), value.clone()))
                .collect();
            (name.to_string(), entries)
        })
        .collect()
}

#[test]
fn snapshot_round_trips_limits_buckets_and_entries() {
    let store = sample_store();
    let bytes = store.save().unwrap();
    assert_eq!(bytes[..8], SNAPSHOT_MAGIC);
    let loaded = Store::load(&bytes).unwrap();
    assert_eq!(contents(&loaded), contents(&store));
    assert_eq!(loaded.limits(), store.limits());
    assert_eq!(loaded.usage(), store.usage());
    assert_eq!(loaded.save().unwrap(), bytes, "the format is canonical");
}

/// A loaded bucket's hash index is built apart from its entries (`Bucket::finish_appends`):
/// every key must be found, in buckets small and large (one run of the table and many), and
/// stay found as the bucket grows past the size it was loaded at and loses keys.
#[test]
fn every_loaded_key_is_found_and_the_index_keeps_working() {
    let key = |i: usize| format!("k{i:07}");
    let mut store = Store::new();
    let sizes = [0, 1, 7, 3_000, 40_000];
    for size in sizes {
        let bucket = store.open(&format!("b{size}")).unwrap();
        for i in 0..size {
            store
                .set(bucket, &key(i), i.to_le_bytes().to_vec())
                .unwrap();
        }
    }
    let mut loaded = Store::load(&store.save().unwrap()).unwrap();
    for size in sizes {
        let bucket = loaded.find(&format!("b{size}")).unwrap();
        for i in 0..size {
            assert_eq!(
                loaded.get(bucket, &key(i)).unwrap(),
                Some(&i.to_le_bytes()[..]),
                "{} in b{size}",
                key(i)
            );
        }
        assert!(!loaded.exists(bucket, &key(size)));
        // Twice the loaded size: the index grows, rehashing what the load put there.
        for i in size..2 * size + 1 {
            loaded.set(bucket, &key(i), vec![1]).unwrap();
        }
        for i in (0..2 * size + 1).step_by(3) {
            assert!(loaded.delete(bucket, &key(i)));
        }
        let mut kept = 0;
        for i in 0..2 * size + 1 {
            assert_eq!(loaded.exists(bucket, &key(i)), i % 3 != 0, "{}", key(i));
            kept += usize::from(i % 3 != 0);
        }
        assert_eq!(loaded.len(bucket), kept);
    }
}

#[test]
fn snapshot_of_an_empty_store_is_header_and_checksum() {
    let bytes = Store::new().save().unwrap();
    assert_eq!(bytes.len(), 60);
    let loaded = Store::load(&bytes).unwrap();
    assert_eq!(loaded.usage(), Usage::default());
}

#[test]
fn snapshot_framing_errors_are_precise() {
    let bytes = sample_store().save().unwrap();
    let len = bytes.len();
    let load = |bytes: &[u8]| Store::load(bytes).unwrap_err().to_string();

    assert_eq!(
        load(&bytes[..len - 1]),
        format!("snapshot is truncated: {} bytes of {len}", len - 1)
    );
    assert_eq!(load(&bytes[..10]), "snapshot is truncated: 10 bytes of 60");
    assert_eq!(load(&bytes[..3]), "snapshot is truncated: 3 bytes of 60");
    assert_eq!(load(&[]), "snapshot is truncated: 0 bytes of 60");
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        load(&longer),
        format!("snapshot has 1 bytes after its end ({len} bytes)")
    );
    assert_eq!(
        load(b"hello, world"),
        "not a memkv snapshot: the bytes do not start with the memkv magic number"
    );
    let mut version = bytes.clone();
    version[8] = 4;
    assert_eq!(
        load(&version),
        "snapshot format version 4 is not supported: this memkv reads versions 1 to 3"
    );
    let mut flipped = bytes;
    flipped[100] ^= 0x10;
    assert!(
        load(&flipped).starts_with("snapshot is corrupted: its checksum is 0x"),
        "{}",
        load(&flipped)
    );
}

#[test]
fn every_single_bit_flip_and_every_truncation_is_refused() {
    let bytes = sample_store().save().unwrap();
    for at in 0..bytes.len() {
        for bit in 0..8 {
            let mut flipped = bytes.clone();
            flipped[at] ^= 1 << bit;
            assert!(Store::load(&flipped).is_err(), "bit {bit} of byte {at}");
        }
        assert!(Store::load(&bytes[..at]).is_err(), "cut at {at}");
    }
}

/// A snapshot with the given body (everything after the header's length field and before the
/// checksum), framed and checksummed as memkv would.
fn framed(body: &[u8]) -> Vec<u8> {
    let mut bytes = SNAPSHOT_MAGIC.to_vec();
    bytes.extend_from_slice(&SNAPSHOT_VERSION.to_le_bytes());
    let len = (bytes.len() + 8 + body.len() + 4) as u64;
    bytes.extend_from_slice(&len.to_le_bytes());
    bytes.extend_from_slice(body);
    bytes.extend_from_slice(&crc32fast::hash(&bytes).to_le_bytes());
    bytes
}

/// Encoded limits, then `rest`.
fn limits_then(limits: Limits, rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&limits.max_key_bytes.to_le_bytes());
    body.extend_from_slice(&limits.max_value_bytes.to_le_bytes());
    body.extend_from_slice(&limits.max_total_bytes.to_le_bytes());
    body.extend_from_slice(&limits.max_entries_per_bucket.to_le_bytes());
    body.extend_from_slice(&limits.max_buckets.to_le_bytes());
    body.extend_from_slice(&limits.page_size.to_le_bytes());
    body.extend_from_slice(rest);
    body
}

/// One bucket `b` holding `entries` of bytes, encoded (version 2: with a kind byte each).
fn one_bucket(entries: &[(&[u8], &[u8])]) -> Vec<u8> {
    one_bucket_as(SNAPSHOT_VERSION, entries)
}

/// One bucket `b` holding `entries` of bytes, encoded as format `version` writes them.
fn one_bucket_as(version: u32, entries: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut body = 1u32.to_le_bytes().to_vec();
    body.extend_from_slice(&1u32.to_le_bytes());
    body.push(b'b');
    body.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    for (key, value) in entries {
        body.extend_from_slice(&u32::try_from(key.len()).unwrap().to_le_bytes());
        body.extend_from_slice(key);
        if version > 1 {
            body.push(0);
        }
        body.extend_from_slice(&u32::try_from(value.len()).unwrap().to_le_bytes());
        body.extend_from_slice(value);
    }
    body
}

#[test]
fn hand_framed_snapshot_matches_what_save_writes() {
    let mut store = Store::new();
    let bucket = store.open("b").unwrap();
    store.set(bucket, "k", b"v".to_vec()).unwrap();
    let expected = framed(&limits_then(Limits::DEFAULT, &one_bucket(&[(b"k", b"v")])));
    assert_eq!(store.save().unwrap(), expected);
}

#[test]
fn malformed_snapshots_are_refused_with_the_offending_offset() {
    let load = |body: &[u8]| Store::load(&framed(body)).unwrap_err().to_string();
    // The limits end at byte 52; the bucket count follows, then the first bucket at 56.
    let header = 52;
    for out_of_order in [[b"b", b"a"], [b"a", b"a"]] {
        let entries = out_of_order.map(|key| (&key[..], &b""[..]));
        assert_eq!(
            load(&limits_then(Limits::DEFAULT, &one_bucket(&entries))),
            format!(
                "snapshot is malformed at byte {}: keys must be unique and in ascending byte \
                 order",
                header + 4 + 5 + 8 + 10
            )
        );
    }
    assert_eq!(
        load(&limits_then(
            Limits::DEFAULT,
            &one_bucket(&[(b"\xff", b"")])
        )),
        format!(
            "snapshot is malformed at byte {}: key is not UTF-8: invalid utf-8 sequence of 1 \
             bytes from index 0",
            header + 4 + 5 + 8
        )
    );
    assert_eq!(
        load(&limits_then(Limits::DEFAULT, &2u32.to_le_bytes())),
        format!(
            "snapshot is malformed at byte {}: a u32 field of 4 bytes runs past the end \
             (0 bytes left)",
            header + 4
        )
    );
    let mut trailing = limits_then(Limits::DEFAULT, &0u32.to_le_bytes());
    trailing.push(7);
    assert_eq!(
        load(&trailing),
        format!(
            "snapshot is malformed at byte {}: 1 bytes follow the last bucket",
            header + 4
        )
    );
    let no_pages = Limits {
        page_size: 0,
        ..Limits::DEFAULT
    };
    assert_eq!(
        load(&limits_then(no_pages, &0u32.to_le_bytes())),
        "snapshot is malformed at byte 20: invalid limits: page-size must be at least 1"
    );
}

#[test]
fn snapshot_over_its_own_limits_is_refused() {
    let small = Limits {
        max_value_bytes: 2,
        ..Limits::DEFAULT
    };
    let bytes = framed(&limits_then(small, &one_bucket(&[(b"k", b"abc")])));
    assert_eq!(
        Store::load(&bytes).unwrap_err().to_string(),
        "snapshot cannot be loaded: quota exceeded: a value of 3 bytes is over max-value-bytes (2)"
    );
    let one_entry = Limits {
        max_entries_per_bucket: 1,
        ..Limits::DEFAULT
    };
    let bytes = framed(&limits_then(
        one_entry,
        &one_bucket(&[(b"a", b""), (b"b", b"")]),
    ));
    assert!(matches!(
        Store::load(&bytes),
        Err(SnapshotError::Refused(Error::QuotaExceeded {
            limit: Limit::EntriesPerBucket,
            ..
        }))
    ));
}

#[test]
fn a_huge_entry_count_fails_on_the_bytes_not_on_memory() {
    let mut body = 1u32.to_le_bytes().to_vec();
    body.extend_from_slice(&0u32.to_le_bytes());
    body.extend_from_slice(&u64::MAX.to_le_bytes());
    let error = Store::load(&framed(&limits_then(Limits::DEFAULT, &body))).unwrap_err();
    assert!(matches!(error, SnapshotError::Malformed { .. }), "{error}");
}

#[test]
fn restore_replaces_everything_or_nothing() {
    let saved = sample_store().save().unwrap();
    let mut store = Store::new();
    let bucket = store.open("other").unwrap();
    store.set(bucket, "x", vec![1]).unwrap();
    for i in 0..3 {
        store.set(bucket, &key(i), vec![]).unwrap();
    }
    store
        .set_limits(Limits {
            page_size: 2,
            ..Limits::DEFAULT
        })
        .unwrap();
    let cursor = store.list_keys(bucket, None).unwrap().cursor.unwrap();
    let before = contents(&store);

    let mut corrupted = saved.clone();
    corrupted[70] ^= 1;
    assert!(store.restore(&corrupted).is_err());
    assert_eq!(
        contents(&store),
        before,
        "a refused snapshot changes nothing"
    );
    assert_eq!(store.generation(), 0);
    assert!(
        store.list_keys(bucket, Some(cursor)).is_ok(),
        "nor ends listings"
    );

    store.restore(&saved).unwrap();
    assert_eq!(contents(&store), contents(&Store::load(&saved).unwrap()));
    assert_eq!(store.limits().page_size, 7);
    assert_eq!(store.generation(), 1);
    assert_eq!(store.find("other"), None);
    let b = store.find("b").unwrap();
    assert_eq!(
        store.list_keys(b, Some(cursor)),
        Err(Error::ExpiredCursor(cursor))
    );
    let next = store.list_keys(b, None).unwrap().cursor.unwrap();
    assert!(
        next > cursor,
        "cursor numbers are not reused after a restore"
    );
}

#[test]
fn list_keys_after_resumes_after_any_string() {
    let (mut store, bucket) = store_with_limits(Limits {
        page_size: 2,
        ..Limits::DEFAULT
    });
    for k in ["a", "b", "c", "é"] {
        store.set(bucket, k, vec![]).unwrap();
    }
    assert_eq!(
        store.list_keys_after(bucket, None).unwrap(),
        (vec!["a".into(), "b".into()], Some("b".into()))
    );
    assert_eq!(
        store.list_keys_after(bucket, Some("b")).unwrap(),
        (vec!["c".into(), "é".into()], None)
    );
    assert_eq!(
        store.list_keys_after(bucket, Some("a0")).unwrap(),
        (vec!["b".into(), "c".into()], Some("c".into()))
    );
    assert_eq!(
        store.list_keys_after(bucket, Some("z")).unwrap(),
        (vec!["é".into()], None)
    );
    assert_eq!(
        store.list_keys_after(bucket, Some("é")).unwrap(),
        (vec![], None)
    );
}

#[test]
fn list_keys_prefixed_pages_only_the_keys_with_the_prefix() {
    let (mut store, bucket) = store_with_limits(Limits {
        page_size: 2,
        ..Limits::DEFAULT
    });
    for k in ["a", "p", "p/1", "p/2", "p/3", "p0", "q"] {
        store.set(bucket, k, vec![]).unwrap();
    }
    let page = |after| store.list_keys_prefixed(bucket, "p/", after).unwrap();
    assert_eq!(
        page(None),
        (vec!["p/1".into(), "p/2".into()], Some("p/2".into()))
    );
    // The last page ends at the last key with the prefix, with no cursor.
    assert_eq!(page(Some("p/2")), (vec!["p/3".into()], None));
    // A cursor before the prefix's keys starts at the first of them; one past them, nothing.
    assert_eq!(
        page(Some("a")),
        (vec!["p/1".into(), "p/2".into()], Some("p/2".into()))
    );
    assert_eq!(page(Some("p/1x")), (vec!["p/2".into(), "p/3".into()], None));
    assert_eq!(page(Some("p0")), (vec![], None));
    // No prefix: every key, as list_keys_after.
    assert_eq!(
        store.list_keys_prefixed(bucket, "", Some("p/3")).unwrap(),
        store.list_keys_after(bucket, Some("p/3")).unwrap()
    );
    assert_eq!(
        store.list_keys_prefixed(None, "p/", None).unwrap(),
        (vec![], None)
    );
}

#[test]
fn signed_and_unsigned_increments_share_non_negative_counters() {
    let (mut store, bucket) = store_with_bucket();
    assert_eq!(store.increment_signed(bucket, "c", -3), Ok(-3));
    assert_eq!(store.get(bucket, "c").unwrap(), Some(&b"-3"[..]));
    assert_eq!(
        store.increment(bucket, "c", 1),
        Err(Error::NotACounter {
            key: "c".into(),
            ty: "u64"
        })
    );
    assert_eq!(store.increment_signed(bucket, "c", 3), Ok(0));
    assert_eq!(store.increment(bucket, "c", 5), Ok(5));
    store.set(bucket, "c", b"-0".to_vec()).unwrap();
    assert_eq!(store.increment_signed(bucket, "c", 0), Ok(0));
    assert_eq!(
        store
            .increment_signed(bucket, "c", i64::MIN)
            .and_then(|_| store.increment_signed(bucket, "c", -1)),
        Err(Error::CounterOverflow {
            key: "c".into(),
            current: i64::MIN.into(),
            delta: -1,
            ty: "s64"
        })
    );
}

#[test]
fn swap_needs_the_key_untouched_since_its_version() {
    let (mut store, bucket) = store_with_bucket();
    let absent = store.version(bucket, "k");
    store.set(bucket, "other", vec![]).unwrap();
    assert_eq!(store.swap(bucket, "k", &absent, b"1".to_vec()), Ok(true));
    assert_eq!(store.swap(bucket, "k", &absent, b"2".to_vec()), Ok(false));
    let one = store.version(bucket, "k");
    store.set(bucket, "k", b"1".to_vec()).unwrap();
    assert_eq!(
        store.swap(bucket, "k", &one, b"2".to_vec()),
        Ok(false),
        "same value"
    );
    assert_eq!(store.get(bucket, "k").unwrap(), Some(&b"1"[..]));
    let before_delete = store.version(bucket, "k");
    assert!(store.delete(bucket, "k"));
    let absent = store.version(bucket, "k");
    assert_eq!(store.swap(bucket, "k", &before_delete, vec![]), Ok(false));
    store.set(bucket, "k", vec![]).unwrap();
    assert!(store.delete(bucket, "k"));
    assert_eq!(
        store.swap(bucket, "k", &absent, vec![]),
        Ok(false),
        "written and deleted"
    );
    let snapshot = store.save().unwrap();
    let now = store.version(bucket, "k");
    store.restore(&snapshot).unwrap();
    let bucket = store.find("b").unwrap();
    assert_eq!(
        store.swap(bucket, "k", &now, vec![]),
        Ok(false),
        "a load in between"
    );
}

#[test]
fn a_refused_batch_leaves_observations_valid() {
    let (mut store, bucket) = store_with_limits(Limits {
        max_entries_per_bucket: 2,
        ..Limits::DEFAULT
    });
    store.set(bucket, "present", vec![1]).unwrap();
    let present = store.version(bucket, "present");
    let absent = store.version(bucket, "absent");
    let batch = vec![
        ("present".into(), vec![2]),
        ("absent".into(), vec![2]),
        ("third".into(), vec![2]),
    ];
    // Refused at the third entry, after the first two were applied and then undone.
    assert!(store.set_many(bucket, batch).is_err());
    assert_eq!(store.swap(bucket, "present", &present, vec![3]), Ok(true));
    assert_eq!(store.swap(bucket, "absent", &absent, vec![3]), Ok(true));
}

#[test]
fn compare_and_swap_counter_swaps_only_the_expected_number() {
    let (mut store, bucket) = store_with_bucket();
    assert_eq!(store.compare_and_swap_counter(bucket, "c", 0, 1), Ok(None));
    assert_eq!(
        store.get(bucket, "c").unwrap(),
        None,
        "a missing key is not created"
    );
    store.increment(bucket, "c", 5).unwrap();
    assert_eq!(
        store.compare_and_swap_counter(bucket, "c", 4, 9),
        Ok(Some(false))
    );
    assert_eq!(store.get(bucket, "c").unwrap(), Some(&b"5"[..]));
    assert_eq!(
        store.compare_and_swap_counter(bucket, "c", 5, 9),
        Ok(Some(true))
    );
    assert_eq!(store.get(bucket, "c").unwrap(), Some(&b"9"[..]));
    store.set(bucket, "t", b"text".to_vec()).unwrap();
    assert!(matches!(
        store.compare_and_swap_counter(bucket, "t", 0, 1),
        Err(Error::NotACounter { .. })
    ));
}

#[test]
fn reads_of_an_absent_bucket_see_it_empty_and_create_nothing() {
    let mut store = Store::new();
    let usage = store.usage();
    let absent = None;
    assert_eq!(store.get(absent, "k").unwrap(), None);
    assert!(!store.exists(absent, "k"));
    assert_eq!(store.len(absent), 0);
    assert_eq!(
        store.get_many(absent, vec!["k".into()]).unwrap(),
        [("k".into(), None)]
    );
    let page = store.list_keys(absent, None).unwrap();
    assert_eq!((page.keys.len(), page.cursor), (0, None));
    assert_eq!(
        store.list_keys_after(absent, Some("a")).unwrap(),
        (vec![], None)
    );
    assert_eq!(store.usage(), usage);
    assert_eq!(store.find("anything"), None);
}

#[test]
fn a_key_observed_in_an_absent_bucket_is_still_unwritten_once_the_bucket_exists() {
    let mut store = Store::new();
    let observed = store.version(None, "k");
    let bucket = store.open("b").unwrap();
    assert!(store.swap(bucket, "k", &observed, b"v".to_vec()).unwrap());
    let observed = store.version(None, "k");
    let other = store.open("c").unwrap();
    store.set(other, "k", b"x".to_vec()).unwrap();
    assert!(store.delete(other, "k"));
    assert!(!store.swap(other, "k", &observed, b"v".to_vec()).unwrap());
}

#[test]
fn a_swap_of_a_present_key_survives_the_deletion_of_another_key() {
    let mut store = Store::new();
    let bucket = store.open("b").unwrap();
    store.set(bucket, "k", b"1".to_vec()).unwrap();
    store.set(bucket, "other", b"x".to_vec()).unwrap();
    let observed = store.version(bucket, "k");
    assert!(store.delete(bucket, "other"));
    assert!(store.swap(bucket, "k", &observed, b"2".to_vec()).unwrap());
}

#[test]
fn a_refused_write_to_a_new_bucket_leaves_no_bucket_behind() {
    let (mut store, _) = store_with_limits(Limits {
        max_value_bytes: 4,
        ..Limits::DEFAULT
    });
    let usage = store.usage();
    let refused = store.write_to("new", |store, id| store.set(id, "k", vec![0; 5]));
    assert!(matches!(refused, Err(Error::QuotaExceeded { .. })));
    assert_eq!(store.find("new"), None);
    assert_eq!(store.usage(), usage);
    store
        .write_to("new", |store, id| store.set(id, "k", vec![0; 4]))
        .unwrap();
    assert_eq!(
        store.get(store.find("new").unwrap(), "k").unwrap(),
        Some(&[0u8; 4][..])
    );
}

fn items(items: &[&str]) -> Vec<Vec<u8>> {
    items.iter().map(|item| item.as_bytes().to_vec()).collect()
}

#[test]
fn push_back_appends_in_order_and_push_front_reverses() {
    let mut store = Store::new();
    let bucket = store.open("b").unwrap();
    assert_eq!(
        store.push(bucket, "l", items(&["a", "b"]), End::Back),
        Ok(2)
    );
    assert_eq!(
        store.push(bucket, "l", items(&["c", "d"]), End::Front),
        Ok(4)
    );
    assert_eq!(
        store.range(bucket, "l", 0, -1).unwrap(),
        items(&["d", "c", "a", "b"])
    );
    assert_eq!(store.kind(bucket, "l"), Some(Kind::List));
    assert_eq!(store.push(bucket, "l", vec![], End::Back), Ok(4));
}

#[test]
fn range_follows_lrange_inclusive_negative_and_clamped() {
    let mut store = Store::new();
    let bucket = store.open("b").unwrap();
    store
        .push(bucket, "l", items(&["0", "1", "2", "3", "4"]), End::Back)
        .unwrap();
    let range = |start, stop| store.range(bucket, "l", start, stop).unwrap();
    assert_eq!(range(1, 2), items(&["1", "2"]));
    assert_eq!(range(-2, -1), items(&["3", "4"]));
    assert_eq!(range(-100, 100), items(&["0", "1", "2", "3", "4"]));
    assert_eq!(range(3, 1), items(&[]));
    assert_eq!(range(5, 10), items(&[]));
    assert_eq!(range(i64::MIN, i64::MAX).len(), 5);
    assert_eq!(store.range(bucket, "missing", 0, -1), Ok(vec![]));
}

#[test]
fn removing_the_last_item_or_member_removes_the_key_and_its_usage() {
    let mut store = Store::new();
    let bucket = store.open("b").unwrap();
    let empty = store.usage();
    store
        .push(bucket, "l", items(&["x", "y", "x"]), End::Back)
        .unwrap();
    assert_eq!(store.list_remove(bucket, "l", b"x", false), Ok(1));
    assert_eq!(store.range(bucket, "l", 0, -1).unwrap(), items(&["y", "x"]));
    assert_eq!(store.list_remove(bucket, "l", b"y", true), Ok(1));
    assert_eq!(store.list_remove(bucket, "l", b"x", true), Ok(1));
    assert!(!store.exists(bucket, "l"));
    store.set_add(bucket, "s", items(&["m", "n", "m"])).unwrap();
    assert_eq!(store.cardinality(bucket, "s"), Ok(2));
    assert_eq!(
        store.set_remove(bucket, "s", items(&["m", "m", "n", "o"])),
        Ok(2)
    );
    assert!(!store.exists(bucket, "s"));
    assert_eq!(store.usage(), empty);
}

#[test]
fn usage_charges_every_item_and_member() {
    let mut store = Store::new();
    let bucket = store.open("b").unwrap();
    let before = store.usage().total_bytes;
    store
        .push(bucket, "l", items(&["ab", "c"]), End::Back)
        .unwrap();
    let list = 1 + ENTRY_OVERHEAD + 3 + 2 * ITEM_OVERHEAD;
    assert_eq!(store.usage().total_bytes, before + list);
    store.set_add(bucket, "s", items(&["ab", "ab"])).unwrap();
    let set = 1 + ENTRY_OVERHEAD + 2 + ITEM_OVERHEAD;
    assert_eq!(store.usage().total_bytes, before + list + set);
    store.set(bucket, "l", b"v".to_vec()).unwrap();
    assert_eq!(
        store.usage().total_bytes,
        before + 1 + ENTRY_OVERHEAD + 1 + set
    );
    assert_eq!(store.usage().entries, 2);
}

#[test]
fn an_operation_on_a_key_of_another_kind_is_an_error_and_changes_nothing() {
    let mut store = Store::new();
    let bucket = store.open("b").unwrap();
    store.set(bucket, "bytes", b"v".to_vec()).unwrap();
    store
        .push(bucket, "list", items(&["i"]), End::Back)
        .unwrap();
    store.set_add(bucket, "set", items(&["m"])).unwrap();
    let usage = store.usage();
    let message = store.get(bucket, "list").unwrap_err().to_string();
    assert_eq!(message, "key \"list\" holds a list, not a bytes value");
    assert!(matches!(
        store.push(bucket, "set", items(&["i"]), End::Back),
        Err(Error::WrongKind {
            holds: Kind::Set,
            wanted: Kind::List,
            ..
        })
    ));
    assert!(store.set_add(bucket, "bytes", items(&["m"])).is_err());
    assert!(store.increment(bucket, "list", 1).is_err());
    assert!(store.clear(bucket, "list", Kind::Set).is_err());
    assert!(store.union(bucket, &["set".into(), "list".into()]).is_err());
    assert!(
        store
            .get_many(bucket, vec!["bytes".into(), "set".into()])
            .is_err()
    );
    assert_eq!(store.usage(), usage);
    assert_eq!(store.clear(bucket, "list", Kind::List), Ok(true));
    assert_eq!(store.clear(bucket, "list", Kind::List), Ok(false));
}

#[test]
fn union_and_intersection_treat_a_missing_set_as_empty() {
    let mut store = Store::new();
    let bucket = store.open("b").unwrap();
    store.set_add(bucket, "a", items(&["3", "1", "2"])).unwrap();
    store.set_add(bucket, "b", items(&["2", "4", "3"])).unwrap();
    let keys = |keys: &[&str]| keys.iter().map(|key| key.to_string()).collect::<Vec<_>>();
    assert_eq!(
        store.union(bucket, &keys(&["a", "b", "none"])),
        Ok(items(&["1", "2", "3", "4"]))
    );
    assert_eq!(
        store.intersection(bucket, &keys(&["a", "b"])),
        Ok(items(&["2", "3"]))
    );
    assert_eq!(
        store.intersection(bucket, &keys(&["a", "none"])),
        Ok(vec![])
    );
    assert_eq!(store.intersection(bucket, &[]), Ok(vec![]));
    assert_eq!(store.members(bucket, "a"), Ok(items(&["1", "2", "3"])));
}

#[test]
fn a_push_over_a_limit_is_refused_whole() {
    let mut store = Store::new();
    store
        .set_limits(Limits {
            max_value_bytes: 2,
            ..Limits::DEFAULT
        })
        .unwrap();
    let bucket = store.open("b").unwrap();
    store.push(bucket, "l", items(&["a"]), End::Back).unwrap();
    let usage = store.usage();
    let refused = store.push(bucket, "l", items(&["b", "long"]), End::Back);
    assert!(
        matches!(refused, Err(Error::QuotaExceeded { .. })),
        "{refused:?}"
    );
    assert_eq!(store.range(bucket, "l", 0, -1).unwrap(), items(&["a"]));
    assert_eq!(store.usage(), usage);
    assert!(
        store
            .set_limits(Limits {
                max_value_bytes: 0,
                ..Limits::DEFAULT
            })
            .is_err()
    );
}

#[test]
fn a_version_1_snapshot_still_loads() {
    let bytes = {
        let mut bytes = SNAPSHOT_MAGIC.to_vec();
        bytes.extend_from_slice(&1u32.to_le_bytes());
        let body = limits_then(Limits::DEFAULT, &one_bucket_as(1, &[(b"k", b"v")]));
        let len = (bytes.len() + 8 + body.len() + 4) as u64;
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(&body);
        bytes.extend_from_slice(&crc32fast::hash(&bytes).to_le_bytes());
        bytes
    };
    let loaded = Store::load(&bytes).unwrap();
    let bucket = loaded.find("b").unwrap();
    assert_eq!(loaded.get(bucket, "k").unwrap(), Some(&b"v"[..]));
    assert_eq!(loaded.save().unwrap()[8], 2);
}

#[test]
fn lists_and_sets_round_trip_through_a_snapshot() {
    let store = sample_store();
    let loaded = Store::load(&store.save().unwrap()).unwrap();
    assert_eq!(contents(&loaded), contents(&store));
    assert_eq!(loaded.usage(), store.usage());
    let bucket = loaded.find("b").unwrap();
    assert_eq!(
        loaded.range(bucket, "list", 0, -1),
        Ok(items(&["b", "", "b"]))
    );
    assert_eq!(loaded.members(bucket, "set"), Ok(items(&["", "a", "z"])));
}

#[test]
fn a_lifetime_deletes_its_key_at_its_deadline_unless_it_was_written_since() {
    let (mut store, bucket) = store_with_bucket();
    let mut lifetimes = Lifetimes::default();
    for key in ["brief", "rewritten", "later"] {
        store.set(bucket, key, b"v".to_vec()).unwrap();
    }
    lifetimes.start(&store, "b", bucket, "brief", 100);
    lifetimes.start(&store, "b", bucket, "rewritten", 100);
    lifetimes.start(&store, "b", bucket, "later", 100);
    // A later write ends the lifetime; a new lifetime replaces the old one.
    store.set(bucket, "rewritten", b"w".to_vec()).unwrap();
    lifetimes.start(&store, "b", bucket, "later", 300);
    assert_eq!(lifetimes.next_deadline(), Some(100));
    lifetimes.expire(&mut store, 99);
    assert!(store.exists(bucket, "brief"));
    lifetimes.expire(&mut store, 100);
    assert!(!store.exists(bucket, "brief"));
    assert_eq!(store.get(bucket, "rewritten").unwrap(), Some(&b"w"[..]));
    assert!(store.exists(bucket, "later"));
    assert_eq!(lifetimes.next_deadline(), Some(300));
    lifetimes.expire(&mut store, 300);
    assert!(!store.exists(bucket, "later"));
    assert_eq!(lifetimes.next_deadline(), None);
    assert_eq!(store.usage().entries, 1);
}

#[test]
fn a_lifetime_ends_with_its_store_when_a_snapshot_is_loaded() {
    let (mut store, bucket) = store_with_bucket();
    let mut lifetimes = Lifetimes::default();
    store.set(bucket, "k", b"v".to_vec()).unwrap();
    let snapshot = store.save().unwrap();
    lifetimes.start(&store, "b", bucket, "k", 10);
    store.restore(&snapshot).unwrap();
    lifetimes.expire(&mut store, 10);
    let bucket = store.find("b").unwrap();
    assert!(store.exists(bucket, "k"));
}

#[test]
fn a_snapshot_carries_running_lifetimes_in_version_3_and_a_load_gives_them_back() {
    let (mut store, bucket) = store_with_bucket();
    let mut lifetimes = Lifetimes::default();
    for key in ["a", "brief", "rewritten", "z"] {
        store.set(bucket, key, key.as_bytes().to_vec()).unwrap();
    }
    store
        .push(bucket, "list", items(&["x"]), End::Back)
        .unwrap();
    lifetimes.start(&store, "b", bucket, "brief", 1_700_000_000_123);
    lifetimes.start(&store, "b", bucket, "rewritten", 5);
    store.set(bucket, "rewritten", b"again".to_vec()).unwrap();
    // Without a running lifetime the snapshot is version 2, byte for byte what `save` writes.
    assert_eq!(
        store.save_with(&Lifetimes::default()).unwrap(),
        store.save().unwrap()
    );
    let bytes = store.save_with(&lifetimes).unwrap();
    assert_eq!(bytes[8..12], SNAPSHOT_VERSION_3.to_le_bytes());
    assert_eq!(bytes.len(), store.save().unwrap().len() + 8);

    let (loaded, deadlines) = Store::load_with(&bytes).unwrap();
    assert_eq!(contents(&loaded), contents(&store));
    assert_eq!(
        loaded.usage(),
        store.usage(),
        "a deadline is charged nowhere"
    );
    assert_eq!(
        deadlines,
        [Deadline {
            bucket: "b".into(),
            key: "brief".into(),
            at: 1_700_000_000_123
        }]
    );
    let again = Lifetimes::loaded(&loaded, &deadlines);
    assert_eq!(
        loaded.save_with(&again).unwrap(),
        bytes,
        "the format is canonical"
    );

    // A store without a clock refuses it; one with a clock takes it, and its first expiry
    // after the deadline deletes the key, as if it had expired there.
    assert_eq!(
        Store::load(&bytes).unwrap_err(),
        SnapshotError::Lifetimes { keys: 1 }
    );
    let (mut other, _) = store_with_bucket();
    assert!(other.restore(&bytes).is_err());
    let mut lifetimes = other.restore_with(&bytes).unwrap();
    let bucket = other.find("b").unwrap();
    lifetimes.expire(&mut other, 1_700_000_000_122);
    assert!(other.exists(bucket, "brief"));
    lifetimes.expire(&mut other, 1_700_000_000_123);
    assert!(!other.exists(bucket, "brief"));
    assert_eq!(other.save_with(&lifetimes).unwrap()[8..12], [2, 0, 0, 0]);
}

#[test]
fn kind_3_is_malformed_outside_version_3_and_version_3_needs_a_lifetime() {
    let mut store = Store::new();
    let bucket = store.open("b").unwrap();
    store.set(bucket, "k", b"v".to_vec()).unwrap();
    let mut lifetimes = Lifetimes::default();
    lifetimes.start(&store, "b", bucket, "k", 7);
    let timed = store.save_with(&lifetimes).unwrap();
    // The body of each (after the length field, before the checksum), framed again.
    let body = |bytes: &[u8]| bytes[20..bytes.len() - 4].to_vec();
    let as_version = |version: u32, body: &[u8]| {
        let mut bytes = framed(body);
        bytes[8..12].copy_from_slice(&version.to_le_bytes());
        let end = bytes.len() - 4;
        let checksum = crc32fast::hash(&bytes[..end]);
        bytes[end..].copy_from_slice(&checksum.to_le_bytes());
        bytes
    };
    assert_eq!(as_version(3, &body(&timed)), timed);
    // The kind byte of `k` follows the header (56), the bucket (4 + 1 + 8) and the key (4 + 1).
    let kind_at = 56 + 13 + 5;
    assert_eq!(
        Store::load_with(&as_version(2, &body(&timed)))
            .unwrap_err()
            .to_string(),
        format!(
            "snapshot is malformed at byte {kind_at}: kind 3 (bytes with a lifetime) in a \
             version 2 snapshot"
        )
    );
    assert_eq!(
        Store::load_with(&as_version(3, &body(&store.save().unwrap())))
            .unwrap_err()
            .to_string(),
        "snapshot is malformed at byte 8: version 3 is for snapshots with lifetimes, and no key \
         has one"
    );
}
