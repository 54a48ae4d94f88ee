//! # spin-v3-client
//!
//! A Spin guest as Spin 6 and 7 apps are written: `spin_sdk::key_value::Store` from the published
//! spin-sdk 7.0.0, which imports the async `spin:key-value/key-value@3.0.0`, called from an async
//! `wasi:cli/run@0.3.0` `run` (a sync `main` blocking on the calls would trap). `run` walks
//! through every function on the store `default` (expected empty), lists 10,000 keys through
//! `get-keys`' stream, and compares each answer with Spin's contract. It leaves `written-by` =
//! `spin-sdk 7.0.0` in the store for the host to read through another dialect; if an answer
//! differs, it also leaves `check-failed` = what differed, and `run` returns `err`.

#[cfg(target_arch = "wasm32")]
mod guest {
    use spin_sdk::key_value::{Error, Store};

    /// How many keys `get-keys` lists.
    const KEYS: usize = 10_000;

    /// `Err` naming the call if `got` is not `want`.
    fn expect<T: PartialEq + std::fmt::Debug>(call: &str, got: T, want: T) -> Result<(), String> {
        if got == want {
            Ok(())
        } else {
            Err(format!("{call}: got {got:?}, expected {want:?}"))
        }
    }

    /// What a call that failed reports: the call, and Spin's error.
    fn failed(call: &'static str) -> impl Fn(Error) -> String {
        move |error| format!("{call}: {error:?}")
    }

    /// Every function, in the order a Spin app uses them.
    async fn check(store: &Store) -> Result<(), String> {
        expect(
            "get of a missing key",
            store.get("k").await.map_err(failed("get"))?,
            None,
        )?;
        expect(
            "exists of a missing key",
            store.exists("k").await.map_err(failed("exists"))?,
            false,
        )?;
        expect(
            "get-keys of an empty store",
            store
                .get_keys()
                .await
                .collect()
                .await
                .map_err(failed("get-keys"))?,
            Vec::<String>::new(),
        )?;
        store.set("k", b"v").await.map_err(failed("set"))?;
        expect(
            "get",
            store.get("k").await.map_err(failed("get"))?,
            Some(b"v".to_vec()),
        )?;
        expect(
            "exists",
            store.exists("k").await.map_err(failed("exists"))?,
            true,
        )?;
        store.set("k", b"w").await.map_err(failed("set over"))?;
        expect(
            "get after set over",
            store.get("k").await.map_err(failed("get"))?,
            Some(b"w".to_vec()),
        )?;
        // A second handle on the same label sees the same data.
        let again = Store::open("default").await.map_err(failed("open again"))?;
        expect(
            "get through a second handle",
            again.get("k").await.map_err(failed("get"))?,
            Some(b"w".to_vec()),
        )?;
        store.delete("k").await.map_err(failed("delete"))?;
        store
            .delete("k")
            .await
            .map_err(failed("delete of a missing key"))?;
        expect(
            "exists after delete",
            store.exists("k").await.map_err(failed("exists"))?,
            false,
        )?;

        // get-keys streams every key once, in byte order, then completes with ok.
        let mut want: Vec<String> = (0..KEYS).map(|i| format!("key-{i}")).collect();
        for key in &want {
            store.set(key, b"").await.map_err(failed("set"))?;
        }
        want.sort();
        let mut keys = store.get_keys().await;
        let mut got = Vec::with_capacity(KEYS);
        while let Some(key) = keys.next().await {
            got.push(key);
        }
        keys.result().await.map_err(failed("get-keys' result"))?;
        expect("get-keys: how many", got.len(), KEYS)?;
        expect("get-keys: every key once, in byte order", got == want, true)?;
        for key in &want {
            store.delete(key).await.map_err(failed("delete"))?;
        }
        store
            .set("written-by", b"spin-sdk 7.0.0")
            .await
            .map_err(failed("set"))?;
        Ok(())
    }

    struct App;

    impl spin_sdk::wasip3::exports::cli::run::Guest for App {
        async fn run() -> Result<(), ()> {
            let Ok(store) = Store::open("default").await else {
                return Err(());
            };
            match check(&store).await {
                Ok(()) => Ok(()),
                Err(message) => {
                    let _ = store.set("check-failed", message.as_bytes()).await;
                    Err(())
                }
            }
        }
    }

    spin_sdk::wasip3::cli::command::export!(App);
}
