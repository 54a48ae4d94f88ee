//! # wasmcloud-p3-client
//!
//! A wasmCloud 2.7 component's use of the store: `wasmcloud:keyvalue@0.2.0`, every function
//! `async`, bound with wit-bindgen from the WIT memkv vendors (wasmCloud's own files). `check`
//! walks through every function and compares each answer with wasmCloud's contract; the other
//! exports are single steps (a `set` with options, a `get` through two dialects, a listing page,
//! a version, a swap) for the rig to drive lifetimes, races and listings from outside.

#[cfg(target_arch = "wasm32")]
mod guest {
    mod bindings {
        wit_bindgen::generate!({
            path: ["../../../wit", "../../wit"],
            world: "memkv:fixtures/wasmcloud-p3-client",
            generate_all,
            additional_derives: [PartialEq],
        });
    }

    use bindings::exports::memkv::fixtures::wasmcloud_ops::Guest;
    use bindings::wasi::keyvalue0_2_0_draft::store as draft;
    use bindings::wasmcloud::keyvalue0_2_0::cas::{self, CasOptions, CasResult, Entry};
    use bindings::wasmcloud::keyvalue0_2_0::store::open;
    use bindings::wasmcloud::keyvalue0_2_0::types::{Bucket, Error, SetOptions};
    use bindings::wasmcloud::keyvalue0_2_0::{atomics, batch};

    /// `Err` naming the call if `got` is not `want`.
    fn expect<T: PartialEq + std::fmt::Debug>(call: &str, got: T, want: T) -> Result<(), String> {
        if got == want {
            Ok(())
        } else {
            Err(format!("{call}: got {got:?}, expected {want:?}"))
        }
    }

    /// What a call that failed reports: the call, and the error.
    fn failed(call: &'static str) -> impl Fn(Error) -> String {
        move |error| format!("{call}: {error:?}")
    }

    /// The options of a plain `set`, and of one that writes only a new key.
    const PLAIN: Option<SetOptions> = None;
    const IF_NEW: Option<SetOptions> = Some(SetOptions {
        ttl_ms: None,
        if_not_exists: true,
    });

    fn requiring(version: Option<String>, value: Option<Vec<u8>>) -> CasOptions {
        CasOptions {
            require_version: version,
            require_value: value,
        }
    }

    async fn check(name: String) -> Result<(), String> {
        let bucket = open(name.clone()).await.map_err(failed("open"))?;
        expect(
            "get of a missing key",
            bucket.get("k".into()).await,
            Ok(None),
        )?;
        expect(
            "exists of a missing key",
            bucket.exists("k".into()).await,
            Ok(false),
        )?;
        let listed = bucket
            .list_keys(None, None)
            .await
            .map_err(failed("list-keys"))?;
        expect(
            "list-keys of an empty bucket",
            listed.keys,
            Vec::<String>::new(),
        )?;

        bucket
            .set("k".into(), b"v".to_vec(), PLAIN)
            .await
            .map_err(failed("set"))?;
        expect("get", bucket.get("k".into()).await, Ok(Some(b"v".to_vec())))?;
        expect("exists", bucket.exists("k".into()).await, Ok(true))?;
        expect(
            "set if-not-exists of a key that exists",
            bucket.set("k".into(), b"w".to_vec(), IF_NEW).await,
            Err(Error::PreconditionFailed),
        )?;
        expect(
            "get after a refused set",
            bucket.get("k".into()).await,
            Ok(Some(b"v".to_vec())),
        )?;
        expect(
            "set if-not-exists of a new key",
            bucket.set("new".into(), b"n".to_vec(), IF_NEW).await,
            Ok(()),
        )?;

        // One bucket, whichever dialect reads or writes it.
        let drafted = draft::open(&name).map_err(|error| format!("draft open: {error:?}"))?;
        expect(
            "the draft's get of a key set through wasmCloud's store",
            drafted.get("k").map_err(|error| format!("{error:?}")),
            Ok(Some(b"v".to_vec())),
        )?;

        // Bad input is `invalid-argument`; a limit is `quota-exceeded`.
        expect(
            "get of the empty key",
            bucket.get(String::new()).await,
            Err(Error::InvalidArgument),
        )?;
        expect(
            "set of the empty key",
            bucket.set(String::new(), b"v".to_vec(), PLAIN).await,
            Err(Error::InvalidArgument),
        )?;
        expect(
            "set of a 70,000-byte key",
            bucket.set("x".repeat(70_000), b"v".to_vec(), PLAIN).await,
            Err(Error::QuotaExceeded),
        )?;

        bucket
            .delete("missing".into())
            .await
            .map_err(failed("delete of a missing key"))?;
        bucket
            .delete("new".into())
            .await
            .map_err(failed("delete"))?;
        expect(
            "get of a deleted key",
            bucket.get("new".into()).await,
            Ok(None),
        )?;

        check_listing(&bucket).await?;
        check_counters(&bucket).await?;
        check_cas(&bucket, &drafted).await?;
        check_batch(&bucket).await
    }

    async fn check_listing(bucket: &Bucket) -> Result<(), String> {
        for key in ["a/1", "a/2", "b/1"] {
            bucket
                .set(key.into(), b"x".to_vec(), PLAIN)
                .await
                .map_err(failed("set"))?;
        }
        let listed = bucket
            .list_keys(Some("a/".into()), None)
            .await
            .map_err(failed("list-keys with a prefix"))?;
        expect(
            "list-keys with a prefix",
            listed.keys,
            vec!["a/1".into(), "a/2".into()],
        )?;
        expect("its cursor", listed.cursor, None)?;
        let listed = bucket
            .list_keys(Some("a/".into()), Some("a/1".into()))
            .await
            .map_err(failed("list-keys after a cursor"))?;
        expect("list-keys after a cursor", listed.keys, vec!["a/2".into()])?;
        expect(
            "list-keys with a cursor outside the prefix",
            bucket
                .list_keys(Some("a/".into()), Some("b/1".into()))
                .await
                .map(|listed| listed.keys),
            Err(Error::InvalidArgument),
        )?;
        let listed = bucket
            .list_keys(None, None)
            .await
            .map_err(failed("list-keys"))?;
        expect(
            "list-keys of every key, in byte order",
            listed.keys,
            vec!["a/1".into(), "a/2".into(), "b/1".into(), "k".into()],
        )
    }

    async fn check_counters(bucket: &Bucket) -> Result<(), String> {
        expect(
            "increment of a new key",
            atomics::increment(bucket, "n".into(), 5).await,
            Ok(5),
        )?;
        expect(
            "a negative increment",
            atomics::increment(bucket, "n".into(), -7).await,
            Ok(-2),
        )?;
        expect(
            "get of the counter",
            bucket.get("n".into()).await,
            Ok(Some(b"-2".to_vec())),
        )?;
        bucket
            .set("max".into(), i64::MAX.to_string().into_bytes(), PLAIN)
            .await
            .map_err(failed("set"))?;
        match atomics::increment(bucket, "max".into(), 1).await {
            Err(Error::Other(message)) if message.contains("overflow") => Ok(()),
            other => Err(format!("increment past s64: got {other:?}")),
        }
    }

    async fn check_cas(bucket: &Bucket, drafted: &draft::Bucket) -> Result<(), String> {
        expect(
            "current of a missing key",
            cas::current(bucket, "c".into()).await,
            Ok(None),
        )?;
        bucket
            .set("c".into(), b"1".to_vec(), PLAIN)
            .await
            .map_err(failed("set"))?;
        let Some(Entry {
            value,
            version: first,
        }) = cas::current(bucket, "c".into())
            .await
            .map_err(failed("current"))?
        else {
            return Err("current of a key just set: none".into());
        };
        expect("current's value", value, b"1".to_vec())?;
        let swap = |value: &[u8], options| cas::swap(bucket, "c".into(), value.to_vec(), options);
        expect(
            "swap from the current version",
            swap(b"2", requiring(Some(first.clone()), None)).await,
            Ok(CasResult::Swapped),
        )?;
        match swap(b"3", requiring(Some(first.clone()), None)).await {
            Ok(CasResult::Stale(Some(Entry { value, version })))
                if value == b"2" && version != first => {}
            other => return Err(format!("swap from a stale version: got {other:?}")),
        }
        expect(
            "swap requiring the current value",
            swap(b"3", requiring(None, Some(b"2".to_vec()))).await,
            Ok(CasResult::Swapped),
        )?;
        expect(
            "swap requiring another value",
            swap(b"4", requiring(None, Some(b"2".to_vec())))
                .await
                .map(|result| matches!(result, CasResult::Stale(Some(_)))),
            Ok(true),
        )?;
        expect(
            "swap with no precondition",
            swap(b"4", requiring(None, None)).await.map(|_| ()),
            Err(Error::InvalidArgument),
        )?;
        // A write through another dialect makes the version stale.
        let Some(Entry { version, .. }) = cas::current(bucket, "c".into())
            .await
            .map_err(failed("current"))?
        else {
            return Err("current: none".into());
        };
        drafted
            .set("c", b"3")
            .map_err(|error| format!("draft set: {error:?}"))?;
        match swap(b"5", requiring(Some(version.clone()), None)).await {
            Ok(CasResult::Stale(Some(Entry { version: now, .. }))) if now != version => {}
            other => return Err(format!("swap after the draft's write: got {other:?}")),
        }
        expect(
            "swap of a missing key",
            cas::swap(
                bucket,
                "gone".into(),
                b"v".to_vec(),
                requiring(None, Some(b"v".to_vec())),
            )
            .await,
            Ok(CasResult::Stale(None)),
        )
    }

    async fn check_batch(bucket: &Bucket) -> Result<(), String> {
        batch::set_many(
            bucket,
            vec![("x".into(), b"1".to_vec()), ("y".into(), b"2".to_vec())],
        )
        .await
        .map_err(failed("set-many"))?;
        expect(
            "get-many",
            batch::get_many(bucket, vec!["y".into(), "z".into(), "x".into()]).await,
            Ok(vec![
                Some(("y".into(), b"2".to_vec())),
                None,
                Some(("x".into(), b"1".to_vec())),
            ]),
        )?;
        batch::delete_many(bucket, vec!["x".into(), "z".into()])
            .await
            .map_err(failed("delete-many"))?;
        expect(
            "get after delete-many",
            bucket.get("x".into()).await,
            Ok(None),
        )?;
        expect(
            "get-many with the empty key",
            batch::get_many(bucket, vec![String::new()]).await,
            Err(Error::InvalidArgument),
        )
    }

    struct Ops;

    impl Guest for Ops {
        async fn check(bucket: String) -> Result<(), String> {
            check(bucket).await
        }

        async fn put(
            bucket: String,
            key: String,
            value: Vec<u8>,
            ttl_ms: Option<u64>,
            if_not_exists: bool,
        ) -> Result<bool, String> {
            let bucket = open(bucket).await.map_err(failed("open"))?;
            let options = SetOptions {
                ttl_ms,
                if_not_exists,
            };
            match bucket.set(key, value, Some(options)).await {
                Ok(()) => Ok(true),
                Err(Error::PreconditionFailed) => Ok(false),
                Err(error) => Err(format!("set: {error:?}")),
            }
        }

        async fn get_both(
            bucket: String,
            key: String,
        ) -> Result<(Option<Vec<u8>>, Option<Vec<u8>>), String> {
            let drafted = draft::open(&bucket).map_err(|error| format!("draft open: {error:?}"))?;
            let bucket = open(bucket).await.map_err(failed("open"))?;
            let ours = bucket.get(key.clone()).await.map_err(failed("get"))?;
            let drafts = drafted
                .get(&key)
                .map_err(|error| format!("draft get: {error:?}"))?;
            Ok((ours, drafts))
        }

        async fn list_page(
            bucket: String,
            prefix: Option<String>,
            cursor: Option<String>,
        ) -> Result<(Vec<String>, Option<String>), String> {
            let bucket = open(bucket).await.map_err(failed("open"))?;
            let page = bucket
                .list_keys(prefix, cursor)
                .await
                .map_err(failed("list-keys"))?;
            Ok((page.keys, page.cursor))
        }

        async fn version(bucket: String, key: String) -> Result<Option<String>, String> {
            let bucket = open(bucket).await.map_err(failed("open"))?;
            let entry = cas::current(&bucket, key)
                .await
                .map_err(failed("current"))?;
            Ok(entry.map(|entry| entry.version))
        }

        async fn swap_from(
            bucket: String,
            key: String,
            version: String,
            value: Vec<u8>,
        ) -> Result<bool, String> {
            let bucket = open(bucket).await.map_err(failed("open"))?;
            let swapped = cas::swap(&bucket, key, value, requiring(Some(version), None))
                .await
                .map_err(failed("swap"))?;
            Ok(matches!(swapped, CasResult::Swapped))
        }
    }

    bindings::export!(Ops with_types_in bindings);
}
