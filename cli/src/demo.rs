//! `memkv demo`: load the component, show what it is, and call every interface it exports,
//! printing each call and what came back.

use std::io::Write;

use anyhow::{Result, anyhow};

use memkv_host::bindings::exports::wasi::keyvalue0_2_0_draft::store::Error;
use memkv_host::bindings::exports::wasi::keyvalue0_2_0_draft2::atomics::CasError;
use memkv_host::bindings::exports::wasmcloud::keyvalue::key_value::{
    ListAddRequest, ListRangeRequest,
};
use memkv_host::{Compiled, Entry, describe};

/// A value as a person reads it: quoted text when it is UTF-8, bytes otherwise.
fn show(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => format!("{text:?}"),
        Err(_) => format!("{bytes:?}"),
    }
}

fn show_option(value: Option<&[u8]>) -> String {
    value.map_or_else(|| "none".into(), |bytes| format!("some({})", show(bytes)))
}

fn show_result<T>(result: &Result<T, Error>, ok: impl FnOnce(&T) -> String) -> String {
    match result {
        Ok(value) => format!("ok({})", ok(value)),
        Err(error) => format!("error {}", describe(error)),
    }
}

/// One line of the walk-through: the call on the left, what came back on the right.
fn step(out: &mut dyn Write, call: &str, outcome: &str) -> Result<()> {
    writeln!(out, "    {call:<46} -> {outcome}")?;
    Ok(())
}

pub(crate) fn run(compiled: &Compiled, out: &mut dyn Write) -> Result<()> {
    writeln!(out, "memkv component")?;
    writeln!(
        out,
        "  file     memkv.wasm, embedded in this binary ({} bytes)",
        memkv_host::MEMKV.len()
    )?;
    let engine = compiled.engine();
    let ty = compiled.component().component_type();
    let imports: Vec<&str> = ty.imports(engine).map(|(name, _)| name).collect();
    writeln!(
        out,
        "  imports  {}",
        if imports.is_empty() {
            "none".into()
        } else {
            imports.join(", ")
        }
    )?;
    for (i, export) in ty.exports(engine).map(|(name, _)| name).enumerate() {
        writeln!(out, "  {:<8} {export}", if i == 0 { "exports" } else { "" })?;
    }

    let mut memkv = compiled.instantiate()?;

    writeln!(out, "\n1. golem:examples/api: get and set by bucket name")?;
    memkv.api().set("demo", "greeting", b"hello")?;
    step(out, r#"api.set("demo", "greeting", "hello")"#, "()")?;
    let value = memkv.api().get("demo", "greeting")?;
    step(
        out,
        r#"api.get("demo", "greeting")"#,
        &show_option(value.as_deref()),
    )?;
    let value = memkv.api().get("demo", "missing")?;
    step(
        out,
        r#"api.get("demo", "missing")"#,
        &show_option(value.as_deref()),
    )?;

    writeln!(
        out,
        "\n2. wasi:keyvalue/store@0.2.0-draft: the same bucket as a resource"
    )?;
    let bucket = memkv.draft().open("demo")?;
    step(
        out,
        r#"store.open("demo")"#,
        &show_result(&bucket, |_| "bucket".into()),
    )?;
    let bucket = bucket.map_err(|error| anyhow::anyhow!("open failed: {}", describe(&error)))?;
    let value = memkv.draft().get(bucket, "greeting")?;
    step(
        out,
        r#"bucket.get("greeting")   (set via api)"#,
        &show_result(&value, |value| show_option(value.as_deref())),
    )?;
    let done = memkv.draft().set(bucket, "greeting", b"hi")?;
    step(
        out,
        r#"bucket.set("greeting", "hi")"#,
        &show_result(&done, |_| "()".into()),
    )?;
    let value = memkv.api().get("demo", "greeting")?;
    step(
        out,
        r#"api.get("demo", "greeting")"#,
        &show_option(value.as_deref()),
    )?;
    let exists = memkv.draft().exists(bucket, "greeting")?;
    step(
        out,
        r#"bucket.exists("greeting")"#,
        &show_result(&exists, bool::to_string),
    )?;

    writeln!(
        out,
        "\n3. wasi:keyvalue/atomics@0.2.0-draft: counters stored as decimal text"
    )?;
    for delta in [1, 41] {
        let count = memkv.draft().increment(bucket, "visits", delta)?;
        step(
            out,
            &format!(r#"increment(bucket, "visits", {delta})"#),
            &show_result(&count, u64::to_string),
        )?;
    }
    let value = memkv.draft().get(bucket, "visits")?;
    step(
        out,
        r#"bucket.get("visits")"#,
        &show_result(&value, |value| show_option(value.as_deref())),
    )?;
    let refused = memkv.draft().increment(bucket, "greeting", 1)?;
    step(
        out,
        r#"increment(bucket, "greeting", 1)"#,
        &show_result(&refused, u64::to_string),
    )?;

    writeln!(
        out,
        "\n4. wasi:keyvalue/batch@0.2.0-draft: many keys per call"
    )?;
    let entries: Vec<Entry> = [("a", "1"), ("b", "2"), ("c", "3")]
        .iter()
        .map(|&(key, value)| (key.to_owned(), value.as_bytes().to_vec()))
        .collect();
    let done = memkv.draft().set_many(bucket, &entries)?;
    step(
        out,
        r#"set-many(bucket, [a=1, b=2, c=3])"#,
        &show_result(&done, |_| "()".into()),
    )?;
    let keys = ["a", "zz", "c"].map(String::from);
    let got = memkv.draft().get_many(bucket, &keys)?;
    step(
        out,
        r#"get-many(bucket, ["a", "zz", "c"])"#,
        &show_result(&got, |got| {
            let shown: Vec<String> = got
                .iter()
                .map(|pair| match pair {
                    Some((key, value)) => format!("some(({key:?}, {}))", show(value)),
                    None => "none".into(),
                })
                .collect();
            format!("[{}]", shown.join(", "))
        }),
    )?;
    let done = memkv
        .draft()
        .delete_many(bucket, &["a", "zz"].map(String::from))?;
    step(
        out,
        r#"delete-many(bucket, ["a", "zz"])"#,
        &show_result(&done, |_| "()".into()),
    )?;

    let page_size = memkv.limits().get()?.page_size;
    writeln!(
        out,
        "\n5. list-keys: ascending byte order, in pages of at most {page_size} (the page-size limit)"
    )?;
    let items: Vec<Entry> = (0..2500)
        .map(|i| (format!("item-{i:04}"), Vec::new()))
        .collect();
    memkv
        .draft()
        .set_many(bucket, &items)?
        .map_err(|error| anyhow::anyhow!(describe(&error)))?;
    step(out, "set-many(bucket, item-0000 .. item-2499)", "ok(())")?;
    let mut cursor = None;
    loop {
        let page = memkv.draft().list_keys(bucket, cursor)?;
        let call = format!(
            "list-keys({})",
            cursor.map_or("none".into(), |c| format!("some({c})"))
        );
        let page = match page {
            Ok(page) => page,
            Err(error) => {
                step(out, &call, &format!("error {}", describe(&error)))?;
                break;
            }
        };
        let range = match (page.keys.first(), page.keys.last()) {
            (Some(first), Some(last)) => format!("{first:?} .. {last:?}"),
            _ => "no keys".into(),
        };
        let next = page.cursor.map_or("none".into(), |c| format!("some({c})"));
        step(
            out,
            &call,
            &format!("{} keys, {range}, cursor {next}", page.keys.len()),
        )?;
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let stale = memkv.draft().list_keys(bucket, Some(424_242))?;
    step(
        out,
        "list-keys(some(424242))",
        &show_result(&stale, |_| "page".into()),
    )?;

    writeln!(out, "\n6. memkv:store/limits: quotas instead of crashes")?;
    let mut limits = memkv.limits().get()?;
    step(
        out,
        "get-limits()",
        &format!(
            "max-key-bytes {}, max-value-bytes {}, max-total-bytes {}, page-size {}",
            limits.max_key_bytes, limits.max_value_bytes, limits.max_total_bytes, limits.page_size
        ),
    )?;
    limits.max_value_bytes = 8;
    memkv.limits().set(limits)?.map_err(anyhow::Error::msg)?;
    step(out, "set-limits(max-value-bytes: 8)", "ok(())")?;
    let refused = memkv.draft().set(bucket, "greeting", b"far too long")?;
    step(
        out,
        r#"bucket.set("greeting", "far too long")"#,
        &show_result(&refused, |_| "()".into()),
    )?;
    let value = memkv.draft().get(bucket, "greeting")?;
    step(
        out,
        r#"bucket.get("greeting")"#,
        &show_result(&value, |value| show_option(value.as_deref())),
    )?;
    let usage = memkv.limits().usage()?;
    step(
        out,
        "get-usage()",
        &format!(
            "{} bytes in {} entries, {} bucket(s)",
            usage.total_bytes, usage.entries, usage.buckets
        ),
    )?;

    memkv.draft().drop_bucket(bucket)?;

    writeln!(
        out,
        "\n7. wasi:keyvalue@0.2.0-draft2: string cursors and compare-and-swap"
    )?;
    let mut draft2 = memkv.draft2();
    let bucket = draft2.open("demo")?.map_err(|error| anyhow!("{error:?}"))?;
    let page = draft2
        .list_keys(bucket, Some("item-2497"))?
        .map_err(|error| anyhow!("{error:?}"))?;
    step(
        out,
        r#"list-keys(some("item-2497"))"#,
        &format!("keys {:?}, cursor {:?}", page.keys, page.cursor),
    )?;
    let cas = draft2
        .cas(bucket, "greeting")?
        .map_err(|error| anyhow!("{error:?}"))?;
    let current = draft2.current(cas)?.map_err(|error| anyhow!("{error:?}"))?;
    step(
        out,
        r#"cas.new(bucket, "greeting").current()"#,
        &show_option(current.as_deref()),
    )?;
    draft2
        .set(bucket, "greeting", b"changed")?
        .map_err(|error| anyhow!("{error:?}"))?;
    step(out, r#"bucket.set("greeting", "changed")"#, "ok(())")?;
    let swapped = draft2.swap(cas, b"swapped")?;
    let swapped = match swapped {
        Ok(()) => "ok(())".to_owned(),
        Err(CasError::CasFailed(fresh)) => {
            let current = draft2
                .current(fresh)?
                .map_err(|error| anyhow!("{error:?}"))?;
            let retried = draft2.swap(fresh, b"swapped")?;
            format!(
                "cas-failed(fresh, which sees {}); swap(fresh, \"swapped\") -> {retried:?}",
                show_option(current.as_deref())
            )
        }
        Err(error) => format!("{error:?}"),
    };
    step(out, r#"swap(cas, "swapped")"#, &swapped)?;
    draft2.drop_bucket(bucket)?;

    writeln!(
        out,
        "\n8. memkv:store/collections and wasmcloud:keyvalue/key-value: lists and sets"
    )?;
    let bucket = memkv
        .draft()
        .open("demo")?
        .map_err(|error| anyhow!("{error:?}"))?;
    let mut collections = memkv.collections();
    let pushed =
        collections.list_push(bucket, "queue", &[b"first".to_vec(), b"second".to_vec()])?;
    step(
        out,
        r#"list-push(bucket, "queue", ["first", "second"])"#,
        &show_result(&pushed, u64::to_string),
    )?;
    let added = collections.set_add(bucket, "tags", &[b"red".to_vec(), b"blue".to_vec()])?;
    step(
        out,
        r#"set-add(bucket, "tags", ["red", "blue"])"#,
        &show_result(&added, u64::to_string),
    )?;
    let members = collections.set_members(bucket, "tags")?;
    step(
        out,
        r#"set-members(bucket, "tags")"#,
        &show_result(&members, |members| {
            let shown: Vec<String> = members.iter().map(|member| show(member)).collect();
            format!("[{}]", shown.join(", "))
        }),
    )?;
    let wrong = collections.list_range(bucket, "tags", 0, -1)?;
    step(
        out,
        r#"list-range(bucket, "tags", 0, -1)"#,
        &show_result(&wrong, |items| format!("{} items", items.len())),
    )?;
    memkv.draft().drop_bucket(bucket)?;
    let mut wasmcloud = memkv.wasmcloud();
    let request = ListAddRequest {
        list_name: "visitors".into(),
        value: "ada".into(),
    };
    let len = wasmcloud.list_add(&request)?;
    step(
        out,
        r#"wasmcloud list-add({"visitors", "ada"})"#,
        &len.to_string(),
    )?;
    let query = wasmcloud.list_range(&ListRangeRequest {
        list_name: "visitors".into(),
        start: 0,
        stop: -1,
    })?;
    step(
        out,
        r#"wasmcloud list-range({"visitors", 0, -1})"#,
        &format!("{query:?}"),
    )?;

    writeln!(out, "\n9. golem:api snapshots: the whole store as bytes")?;
    let snapshot = memkv.snapshot().save()?;
    step(out, "save()", &format!("{} bytes", snapshot.len()))?;
    let mut upgraded = compiled.instantiate()?;
    let loaded = upgraded.snapshot().load(&snapshot)?;
    step(
        out,
        "load(bytes) into a fresh instance",
        &format!("{loaded:?}"),
    )?;
    let greeting = upgraded.api().get("demo", "greeting")?;
    step(
        out,
        r#"api.get("demo", "greeting") there"#,
        &show_option(greeting.as_deref()),
    )?;
    let refused = upgraded.snapshot().load(&snapshot[..snapshot.len() / 2])?;
    step(
        out,
        "load(first half of the bytes)",
        &format!("{refused:?}"),
    )?;

    writeln!(
        out,
        "\nEvery interface above read and wrote the same bucket map inside one instance."
    )?;
    Ok(())
}
