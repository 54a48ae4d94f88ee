//! The part of wasmtime's `test-programs` crate that its `keyvalue_main` uses: bindings of the
//! `wasi:keyvalue@0.2.0-draft` imports, by the same paths (`test_programs::wasi::keyvalue`),
//! generated from memkv's vendored copy of that WIT (the one wasmtime ships). wasmtime's crate
//! also includes WASI CLI, HTTP, config and TLS, which this program does not use.
//!
//! `src/bin/keyvalue_main.rs` is wasmtime's file, unmodified (PROVENANCE.md).

#![allow(missing_docs, reason = "generated bindings")]

wit_bindgen::generate!({
    inline: "
        package wasmtime:test;

        world test {
            include wasi:keyvalue/imports@0.2.0-draft;
        }
    ",
    path: ["../../../wit/deps/keyvalue"],
    world: "wasmtime:test/test",
    generate_all,
});
