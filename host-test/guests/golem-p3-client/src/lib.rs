//! # golem-p3-client
//!
//! A Golem guest as golem-rust 3.x components use key-value: the raw bindings of Golem's current
//! `wasi:keyvalue@0.1.0` (golem-rust has no wrapper; its WIT, which memkv vendors byte for byte,
//! is bound here with wit-bindgen). `check` walks through every function of `eventual`,
//! `eventual-batch` and `cache`, comparing each answer with what Golem's host answers, and reads
//! and writes the same bucket through `wasi:keyvalue/store@0.2.0-draft` to check that both
//! dialects see one bucket. `list-many` lists a large bucket.

#[cfg(target_arch = "wasm32")]
mod guest {
    mod bindings {
        wit_bindgen::generate!({
            path: ["../../../wit", "../../wit"],
            world: "memkv:fixtures/golem-p3-client",
            generate_all,
        });
    }

    use bindings::wasi::keyvalue0_1_0::cache::{self, GetOrSetEntry};
    use bindings::wasi::keyvalue0_1_0::types::{Bucket, IncomingValue, OutgoingValue};
    use bindings::wasi::keyvalue0_1_0::wasi_keyvalue_error::Error;
    use bindings::wasi::keyvalue0_1_0::{eventual, eventual_batch};
    use bindings::wasi::keyvalue0_2_0_draft::store;

    /// `Err` naming the call if `got` is not `want`.
    fn expect<T: PartialEq + std::fmt::Debug>(call: &str, got: T, want: T) -> Result<(), String> {
        if got == want {
            Ok(())
        } else {
            Err(format!("{call}: got {got:?}, expected {want:?}"))
        }
    }

    /// What a call that failed reports: the call, and the error's trace.
    fn failed(call: &'static str) -> impl Fn(Error) -> String {
        move |error| format!("{call}: {}", error.trace())
    }

    /// An outgoing value whose body is `parts`, written one `write-body-sync` each.
    fn outgoing(parts: &[&[u8]]) -> Result<OutgoingValue, String> {
        let value = OutgoingValue::new_outgoing_value();
        for part in parts {
            value
                .outgoing_value_write_body_sync(part)
                .map_err(failed("outgoing-value-write-body-sync"))?;
        }
        Ok(value)
    }

    /// The body of `value`, consumed.
    fn consume(value: Option<IncomingValue>) -> Result<Option<Vec<u8>>, String> {
        value
            .map(|value| {
                value
                    .incoming_value_consume_sync()
                    .map_err(failed("incoming-value-consume-sync"))
            })
            .transpose()
    }

    /// `eventual.get` of `key`, consumed.
    fn get(bucket: &Bucket, key: &str) -> Result<Option<Vec<u8>>, String> {
        consume(eventual::get(bucket, key).map_err(failed("get"))?)
    }

    async fn check(name: &str) -> Result<(), String> {
        let bucket = Bucket::open_bucket(name).map_err(failed("open-bucket"))?;
        expect("get of a missing key", get(&bucket, "k")?, None)?;
        expect(
            "exists of a missing key",
            eventual::exists(&bucket, "k").map_err(failed("exists"))?,
            false,
        )?;
        expect(
            "keys of an empty bucket",
            eventual_batch::keys(&bucket).map_err(failed("keys"))?,
            Vec::<String>::new(),
        )?;

        // Bodies: write-body-sync appends; a consume hands the body over once.
        eventual::set(&bucket, "k", &outgoing(&[b"hel", b"lo"])?).map_err(failed("set"))?;
        expect(
            "exists",
            eventual::exists(&bucket, "k").map_err(failed("exists"))?,
            true,
        )?;
        let value = eventual::get(&bucket, "k")
            .map_err(failed("get"))?
            .ok_or("get of a key just set: none")?;
        expect(
            "incoming-value-size",
            value.incoming_value_size().map_err(failed("size"))?,
            5,
        )?;
        expect(
            "incoming-value-consume-sync",
            value
                .incoming_value_consume_sync()
                .map_err(failed("consume"))?,
            b"hello".to_vec(),
        )?;
        expect(
            "a second consume",
            value
                .incoming_value_consume_sync()
                .map_err(failed("consume"))?,
            Vec::new(),
        )?;
        expect(
            "incoming-value-size after a consume",
            value.incoming_value_size().map_err(failed("size"))?,
            0,
        )?;
        // The stream bodies are refused, saying which function to use instead; nothing changes.
        let value = eventual::get(&bucket, "k")
            .map_err(failed("get"))?
            .ok_or("get of a key just set: none")?;
        match value.incoming_value_consume_async() {
            Err(error) if error.trace().contains("consume-sync") => {}
            Err(error) => return Err(format!("consume-async: {}", error.trace())),
            Ok(_) => return Err("consume-async: accepted".into()),
        }
        expect(
            "consume-sync after a refused consume-async",
            value
                .incoming_value_consume_sync()
                .map_err(failed("consume"))?,
            b"hello".to_vec(),
        )?;
        let (_writer, reader) = bindings::wit_stream::new::<u8>();
        let refused = OutgoingValue::new_outgoing_value().outgoing_value_write_body_async(reader);
        match refused {
            Err(error) if error.trace().contains("write-body-sync") => {}
            Err(error) => return Err(format!("write-body-async: {}", error.trace())),
            Ok(()) => return Err("write-body-async: accepted".into()),
        }
        eventual::set(&bucket, "empty", &OutgoingValue::new_outgoing_value())
            .map_err(failed("set of an empty body"))?;
        expect("get of an empty body", get(&bucket, "empty")?, Some(vec![]))?;

        // One bucket, whichever dialect reads or writes it.
        let draft = store::open(name).map_err(|error| format!("draft open: {error:?}"))?;
        expect(
            "the draft's get of a key set through eventual",
            draft
                .get("k")
                .map_err(|error| format!("draft get: {error:?}"))?,
            Some(b"hello".to_vec()),
        )?;
        draft
            .set("from-draft", b"d")
            .map_err(|error| format!("draft set: {error:?}"))?;
        expect(
            "get of a key set through the draft",
            get(&bucket, "from-draft")?,
            Some(b"d".to_vec()),
        )?;

        eventual::delete(&bucket, "missing").map_err(failed("delete of a missing key"))?;
        eventual::delete(&bucket, "from-draft").map_err(failed("delete"))?;
        expect("get of a deleted key", get(&bucket, "from-draft")?, None)?;

        // Batches: answers in request order, none for a missing key.
        let (a, c) = (outgoing(&[b"1"])?, outgoing(&[b"3"])?);
        eventual_batch::set_many(&bucket, &[("a".into(), &a), ("c".into(), &c)])
            .map_err(failed("set-many"))?;
        let found = eventual_batch::get_many(&bucket, &["c".into(), "b".into(), "a".into()])
            .map_err(failed("get-many"))?;
        let found: Vec<Option<Vec<u8>>> =
            found.into_iter().map(consume).collect::<Result<_, _>>()?;
        expect(
            "get-many",
            found,
            vec![Some(b"3".to_vec()), None, Some(b"1".to_vec())],
        )?;
        expect(
            "keys",
            eventual_batch::keys(&bucket).map_err(failed("keys"))?,
            vec!["a".into(), "c".into(), "empty".into(), "k".into()],
        )?;
        eventual_batch::delete_many(&bucket, &["a".into(), "b".into(), "k".into()])
            .map_err(failed("delete-many"))?;
        expect(
            "keys after delete-many",
            eventual_batch::keys(&bucket).map_err(failed("keys"))?,
            vec!["c".into(), "empty".into()],
        )?;

        // Refusals: an error with the reason, nothing changed.
        let long = "x".repeat(70_000);
        match eventual::set(&bucket, &long, &outgoing(&[b"v"])?) {
            Err(error) if error.trace().contains("key") => {}
            Err(error) => return Err(format!("set of a 70,000-byte key: {}", error.trace())),
            Ok(()) => return Err("set of a 70,000-byte key: accepted".into()),
        }
        expect(
            "keys after a refused set",
            eventual_batch::keys(&bucket).map_err(failed("keys"))?,
            vec!["c".into(), "empty".into()],
        )?;

        check_cache().await
    }

    /// The cache: each future answers what its call did.
    async fn check_cache() -> Result<(), String> {
        let missing = cache::get("ck").get().await.map_err(failed("cache get"))?;
        expect("cache get of a missing key", consume(missing)?, None)?;
        expect(
            "cache exists of a missing key",
            cache::exists("ck")
                .get()
                .await
                .map_err(failed("cache exists"))?,
            false,
        )?;
        cache::set("ck", &outgoing(&[b"cv"])?, Some(60_000))
            .get()
            .await
            .map_err(failed("cache set"))?;
        let got = cache::get("ck");
        let first = got.get().await.map_err(failed("cache get"))?;
        expect("cache get", consume(first)?, Some(b"cv".to_vec()))?;
        expect(
            "cache exists",
            cache::exists("ck")
                .get()
                .await
                .map_err(failed("cache exists"))?,
            true,
        )?;
        match cache::get_or_set("ck")
            .get()
            .await
            .map_err(failed("get-or-set"))?
        {
            GetOrSetEntry::Occupied(value) => expect(
                "get-or-set occupied",
                consume(Some(value))?,
                Some(b"cv".to_vec()),
            )?,
            GetOrSetEntry::Vacant(_) => return Err("get-or-set of a cached key: vacant".into()),
        }
        match cache::get_or_set("fresh")
            .get()
            .await
            .map_err(failed("get-or-set"))?
        {
            GetOrSetEntry::Vacant(vacancy) => {
                let value = vacancy.vacancy_fill(None);
                value
                    .outgoing_value_write_body_sync(b"filled")
                    .map_err(failed("write-body-sync of a vacancy's value"))?;
                expect(
                    "cache get before the vacancy's value is dropped",
                    consume(cache::get("fresh").get().await.map_err(failed("get"))?)?,
                    None,
                )?;
                drop(value);
            }
            GetOrSetEntry::Occupied(_) => {
                return Err("get-or-set of a missing key: occupied".into());
            }
        }
        expect(
            "cache get of a filled vacancy",
            consume(cache::get("fresh").get().await.map_err(failed("get"))?)?,
            Some(b"filled".to_vec()),
        )?;
        cache::delete("ck")
            .get()
            .await
            .map_err(failed("cache delete"))?;
        expect(
            "cache get after delete",
            consume(cache::get("ck").get().await.map_err(failed("get"))?)?,
            None,
        )
    }

    fn list_many(name: &str, count: u32) -> Result<(), String> {
        let bucket = Bucket::open_bucket(name).map_err(failed("open-bucket"))?;
        let keys: Vec<String> = (0..count).map(|i| format!("key-{i:06}")).collect();
        let value = outgoing(&[b"v"])?;
        let pairs: Vec<(String, &OutgoingValue)> =
            keys.iter().map(|key| (key.clone(), &value)).collect();
        eventual_batch::set_many(&bucket, &pairs).map_err(failed("set-many"))?;
        let listed = eventual_batch::keys(&bucket).map_err(failed("keys"))?;
        if listed != keys {
            return Err(format!(
                "keys of {count} keys: {} listed, first differences at {:?}",
                listed.len(),
                listed.iter().zip(&keys).position(|(a, b)| a != b)
            ));
        }
        Ok(())
    }

    struct Guest;

    impl bindings::Guest for Guest {
        async fn check(bucket: String) -> Result<(), String> {
            check(&bucket).await
        }

        fn list_many(bucket: String, count: u32) -> Result<(), String> {
            list_many(&bucket, count)
        }
    }

    bindings::export!(Guest with_types_in bindings);
}
