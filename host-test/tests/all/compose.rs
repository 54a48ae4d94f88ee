//! Plugging memkv into guests: `compose()` and `memkv compose`, and the guests running on both
//! providers.

use host_test::{Guests, Provider, Side, component_names, compose};
use memkv_artifacts::{KV_BENCH, KV_CLIENT, MEMKV};

use crate::cli::memkv_command;

const STORE: &str = "wasi:keyvalue/store@0.2.0-draft";
const ATOMICS: &str = "wasi:keyvalue/atomics@0.2.0-draft";
const BATCH: &str = "wasi:keyvalue/batch@0.2.0-draft";
const CLOCK: &str = "wasi:clocks/monotonic-clock@0.2.0";
const FOREIGN: &str = "example:other/thing";

/// A guest that imports `golem:examples/api` (which memkv exports) and a clock (which it does not).
fn guest_importing_api_and_clock() -> Vec<u8> {
    wat::parse_str(
        r#"(component
            (import "golem:examples/api" (instance
                (export "get" (func (param "bucket" string) (param "key" string) (result (option (list u8)))))
                (export "set" (func (param "bucket" string) (param "key" string) (param "value" (list u8))))
            ))
            (import "wasi:clocks/monotonic-clock@0.2.0" (instance
                (export "now" (func (result u64)))
            ))
        )"#,
    )
    .unwrap()
}

/// A guest that imports `golem:examples/api` and an interface that is neither memkv's nor WASI's.
fn guest_importing_api_and_a_foreign_interface() -> Vec<u8> {
    wat::parse_str(
        r#"(component
            (import "golem:examples/api" (instance
                (export "get" (func (param "bucket" string) (param "key" string) (result (option (list u8)))))
            ))
            (import "example:other/thing" (instance
                (export "now" (func (result u64)))
            ))
        )"#,
    )
    .unwrap()
}

/// A guest that imports only a clock.
fn guest_importing_only_a_clock() -> Vec<u8> {
    wat::parse_str(
        r#"(component
            (import "wasi:clocks/monotonic-clock@0.2.0" (instance
                (export "now" (func (result u64)))
            ))
        )"#,
    )
    .unwrap()
}

#[test]
fn client_imports_the_store_and_exports_the_api() {
    let client = KV_CLIENT;
    assert_eq!(component_names(client, Side::Imports).unwrap(), [STORE]);
    assert_eq!(
        component_names(client, Side::Exports).unwrap(),
        ["golem:examples/api"]
    );
}

#[test]
fn composed_client_imports_nothing_and_still_exports_the_api() {
    let composition = compose(KV_CLIENT, MEMKV).unwrap();
    assert_eq!(composition.unsatisfied, Vec::<String>::new());
    assert_eq!(
        component_names(&composition.bytes, Side::Imports).unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        component_names(&composition.bytes, Side::Exports).unwrap(),
        ["golem:examples/api"]
    );
}

#[test]
fn memkv_satisfies_store_atomics_and_batch_at_once() {
    let bench = KV_BENCH;
    assert_eq!(
        component_names(bench, Side::Imports).unwrap(),
        [STORE, ATOMICS, BATCH]
    );
    let composition = compose(bench, MEMKV).unwrap();
    assert_eq!(composition.unsatisfied, Vec::<String>::new());
}

#[test]
fn compose_lists_the_imports_memkv_cannot_satisfy() {
    let composition = compose(&guest_importing_api_and_clock(), MEMKV).unwrap();
    assert_eq!(composition.unsatisfied, [CLOCK]);
}

#[test]
fn compose_of_a_guest_importing_none_of_memkvs_exports_is_an_error() {
    let error = compose(&guest_importing_only_a_clock(), MEMKV).unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("imports none of the interfaces memkv exports"),
        "{message}"
    );
    assert!(message.contains(CLOCK), "{message}");
    assert!(message.contains(STORE), "{message}");
}

#[test]
fn compose_of_a_core_module_is_an_error() {
    let module = wat::parse_str("(module)").unwrap();
    let error = compose(&module, MEMKV).unwrap_err();
    assert!(
        format!("{error:#}").contains("not a binary-encoded WebAssembly component"),
        "{error:#}"
    );
}

#[test]
fn memkv_compose_writes_a_self_contained_component() {
    let dir = tempfile::TempDir::new().unwrap();
    let guest = dir.path().join("client.wasm");
    std::fs::write(&guest, KV_CLIENT).unwrap();
    let out = dir.path().join("composed.wasm");
    let printed = memkv_command(&[
        "compose".as_ref(),
        guest.as_ref(),
        "-o".as_ref(),
        out.as_ref(),
    ])
    .expect("memkv compose succeeds");
    let composed = std::fs::read(&out).unwrap();
    assert_eq!(
        component_names(&composed, Side::Imports).unwrap(),
        Vec::<String>::new()
    );
    let printed = String::from_utf8(printed).unwrap();
    assert!(printed.contains("imports left     none"), "{printed}");
}

#[test]
fn memkv_compose_leaves_wasi_imports_to_the_runtime_without_being_asked() {
    let dir = tempfile::TempDir::new().unwrap();
    let guest = dir.path().join("guest.wasm");
    std::fs::write(&guest, guest_importing_api_and_clock()).unwrap();
    let out = dir.path().join("out.wasm");
    let printed = memkv_command(&[
        "compose".as_ref(),
        guest.as_ref(),
        "-o".as_ref(),
        out.as_ref(),
    ])
    .expect("a WASI import passes through");
    assert!(
        String::from_utf8_lossy(&printed).contains(&format!("imports left     {CLOCK}")),
        "{}",
        String::from_utf8_lossy(&printed)
    );
    assert_eq!(
        component_names(&std::fs::read(&out).unwrap(), Side::Imports).unwrap(),
        [CLOCK]
    );
}

#[test]
fn memkv_compose_refuses_and_names_an_import_neither_memkv_nor_wasi_serves() {
    let dir = tempfile::TempDir::new().unwrap();
    let guest = dir.path().join("guest.wasm");
    std::fs::write(&guest, guest_importing_api_and_a_foreign_interface()).unwrap();
    let out = dir.path().join("out.wasm");
    let args = [
        "compose".as_ref(),
        guest.as_ref(),
        "-o".as_ref(),
        out.as_ref(),
    ];
    let error = memkv_command(&args).expect_err("composition is refused");
    assert!(error.contains(FOREIGN), "{error}");
    assert!(error.contains("--allow-imports"), "{error}");
    assert!(
        !out.exists(),
        "nothing is written when composition is refused"
    );

    let mut allowed = args.to_vec();
    allowed.push("--allow-imports".as_ref());
    memkv_command(&allowed).expect("--allow-imports writes the composition");
    assert_eq!(
        component_names(&std::fs::read(&out).unwrap(), Side::Imports).unwrap(),
        [FOREIGN]
    );
}

#[test]
fn bench_guest_loops_do_real_work_on_both_providers() -> anyhow::Result<()> {
    for provider in Provider::ALL {
        let mut bench = Guests::shared().bench(provider)?;
        let bucket = if provider == Provider::HostStore {
            ""
        } else {
            "bench"
        };
        bench.setup(bucket, 1_000, 100)?;
        assert_eq!(bench.get_loop(2_500)?, 2_500, "{}", provider.name());
        assert_eq!(bench.set_loop(2_500)?, 2_500, "{}", provider.name());
        assert_eq!(bench.exists_loop(2_500)?, 2_500, "{}", provider.name());
        assert_eq!(bench.empty_loop(2_500)?, 2_500, "{}", provider.name());
        assert_eq!(bench.exists_empty_loop(10)?, 10, "{}", provider.name());
        assert_eq!(bench.get_many_loop(30, 100)?, 3_000, "{}", provider.name());
        assert_eq!(bench.set_many_loop(30, 100)?, 30, "{}", provider.name());
        assert_eq!(bench.list_all()?, 1_000, "{}", provider.name());
        // 2,000 increments over 1,000 counters: each counter reaches 2.
        assert_eq!(bench.increment_loop(2_000)?, 2, "{}", provider.name());
    }
    Ok(())
}

#[test]
fn memkv_compose_chooses_the_golem_build_for_a_guest_of_golems_dialect() {
    let dir = tempfile::TempDir::new().unwrap();
    let guest = dir.path().join("golem-example.wasm");
    std::fs::write(&guest, memkv_artifacts::GOLEM_EXAMPLE).unwrap();
    let out = dir.path().join("composed.wasm");
    let args = [
        "compose".as_ref(),
        guest.as_ref(),
        "-o".as_ref(),
        out.as_ref(),
    ];
    let printed = memkv_command(&args).expect("memkv-golem.wasm is chosen, no flag needed");
    let printed = String::from_utf8(printed).unwrap();
    assert!(
        printed.contains("memkv artifact   memkv-golem.wasm"),
        "{printed}"
    );
    let imports = component_names(&std::fs::read(&out).unwrap(), Side::Imports).unwrap();
    assert!(!imports.is_empty());
    assert!(
        imports.iter().all(|name| name.starts_with("wasi:io/")),
        "{imports:?}"
    );

    // --redis asks for a Redis-backed artifact, and none serves Golem's dialect.
    let mut redis = args.to_vec();
    redis.push("--redis".as_ref());
    let refused = memkv_command(&redis).expect_err("memkv-redis does not export readwrite");
    assert!(
        refused.contains("wasi:keyvalue/readwrite (memkv-golem.wasm)"),
        "{refused}"
    );
}

#[test]
fn memkv_compose_of_a_golem_p3_guest_chooses_its_artifact_and_leaves_its_host_import() {
    let dir = tempfile::TempDir::new().unwrap();
    let guest = dir.path().join("golem-p3-client.wasm");
    std::fs::write(&guest, memkv_artifacts::GOLEM_P3_CLIENT).unwrap();
    let out = dir.path().join("composed.wasm");
    let args = [
        "compose".as_ref(),
        guest.as_ref(),
        "-o".as_ref(),
        out.as_ref(),
        "--expose".as_ref(),
    ];
    let printed = memkv_command(&args).expect("memkv-golem-p3.wasm is chosen, no flag needed");
    let printed = String::from_utf8(printed).unwrap();
    assert!(
        printed.contains("memkv artifact   memkv-golem-p3.wasm"),
        "{printed}"
    );
    let composed = std::fs::read(&out).unwrap();
    // What memkv imports itself is left to Golem, without --allow-imports: the host's type, and
    // the wall clock (for wasmCloud's lifetimes).
    assert_eq!(
        component_names(&composed, Side::Imports).unwrap(),
        ["wasi:clocks/wall-clock@0.2.12", "golem:api/host@1.5.0"]
    );
    let exports = component_names(&composed, Side::Exports).unwrap();
    for exposed in [
        "golem:api/save-snapshot@1.5.0",
        "golem:api/load-snapshot@1.5.0",
        "memkv:store/limits",
    ] {
        assert!(exports.iter().any(|name| name == exposed), "{exports:?}");
    }
    assert!(
        !exports.iter().any(|name| name.ends_with("@1.1.7")),
        "{exports:?}"
    );
}

#[test]
fn the_choice_of_artifact_follows_the_guests_imports() -> anyhow::Result<()> {
    use memkv_host::choose;
    assert_eq!(choose(KV_CLIENT, false)?.name, "memkv.wasm");
    assert_eq!(choose(KV_CLIENT, true)?.name, "memkv-redis.wasm");
    assert_eq!(
        choose(memkv_artifacts::SPIN_V2_CLIENT, false)?.name,
        "memkv.wasm"
    );
    assert_eq!(
        choose(memkv_artifacts::GOLEM_EXAMPLE, false)?.name,
        "memkv-golem.wasm"
    );
    // A key-value interface no artifact serves is named, not ignored: here the `atomic` of
    // Golem's P2 variant of `wasi:keyvalue@0.1.0` (Golem 1.5.9 and before).
    let unserved = wat::parse_str(
        r#"(component
            (import "wasi:keyvalue/store@0.2.0-draft" (instance))
            (import "wasi:keyvalue/atomic@0.1.0" (instance))
        )"#,
    )?;
    let refused = format!("{:#}", choose(&unserved, false).unwrap_err());
    assert!(
        refused.contains("wasi:keyvalue/atomic@0.1.0 (no artifact)"),
        "{refused}"
    );
    assert!(
        refused.contains(
            "wasi:keyvalue/store@0.2.0-draft (memkv.wasm, memkv-golem.wasm, memkv-redis.wasm, \
             memkv-p3.wasm, memkv-redis-p3.wasm, memkv-golem-p3.wasm, memkv-redis-golem-p3.wasm)"
        ),
        "{refused}"
    );
    // An async dialect gets the async artifact; sync ones never do.
    let spin7 = memkv_artifacts::SPIN_V3_CLIENT;
    assert_eq!(choose(spin7, false)?.name, "memkv-p3.wasm");
    assert_eq!(choose(spin7, true)?.name, "memkv-redis-p3.wasm");
    assert!(!choose(KV_CLIENT, false)?.p3);
    // wasmCloud 2.7's async dialect: the async artifacts.
    let wasmcloud = memkv_artifacts::WASMCLOUD_P3_CLIENT;
    assert_eq!(choose(wasmcloud, false)?.name, "memkv-p3.wasm");
    assert_eq!(choose(wasmcloud, true)?.name, "memkv-redis-p3.wasm");
    // Golem's current dialect: only the Golem artifacts of today export it.
    let golem = memkv_artifacts::GOLEM_P3_CLIENT;
    assert_eq!(choose(golem, false)?.name, "memkv-golem-p3.wasm");
    assert_eq!(choose(golem, true)?.name, "memkv-redis-golem-p3.wasm");
    let error = format!(
        "{:#}",
        choose(&guest_importing_only_a_clock(), false).unwrap_err()
    );
    assert!(error.contains("no key-value interface"), "{error}");
    Ok(())
}

#[test]
fn memkv_compose_list_names_each_artifact_with_its_exports_and_imports() {
    let printed = memkv_command(&["compose".as_ref(), "--list".as_ref()]).unwrap();
    let printed = String::from_utf8(printed).unwrap();
    for artifact in [
        "memkv.wasm",
        "memkv-golem.wasm",
        "memkv-redis.wasm",
        "memkv-p3.wasm",
        "memkv-redis-p3.wasm",
        "memkv-golem-p3.wasm",
        "memkv-redis-golem-p3.wasm",
    ] {
        assert!(printed.contains(&format!("{artifact} (")), "{printed}");
    }
    assert!(
        printed.contains("fermyon:spin/key-value@2.0.0"),
        "{printed}"
    );
    assert!(printed.contains("  imports  nothing"), "{printed}");
    assert!(printed.contains("wasi:sockets/tcp@0.2."), "{printed}");
}

#[test]
fn the_demo_guest_composes_with_memkv_and_memkv_redis_leaving_only_wasi_imports() {
    for (name, memkv) in [
        ("memkv", MEMKV),
        ("memkv-redis", memkv_artifacts::MEMKV_REDIS),
    ] {
        let composition = compose(memkv_artifacts::COUNTER, memkv).unwrap();
        let left = &composition.unsatisfied;
        assert!(
            left.iter()
                .any(|import| import.starts_with("wasi:http/types@0.2.")),
            "{name}: {left:?}"
        );
        assert!(
            left.iter()
                .all(|import| import.starts_with("wasi:") && !import.starts_with("wasi:keyvalue/")),
            "{name}: {left:?}"
        );
        let exports = component_names(&composition.bytes, Side::Exports).unwrap();
        assert!(
            exports
                .iter()
                .any(|export| export.starts_with("wasi:http/incoming-handler@0.2.")),
            "{name}: {exports:?}"
        );
    }
}

/// A guest written against `wasmcloud:keyvalue/key-value` (waSCC's contract), composed with
/// memkv, checks every function from inside.
#[test]
fn a_wascc_guest_composed_with_memkv_passes_its_own_check_of_every_function() {
    let checked = Guests::shared()
        .check_wascc_client()
        .expect("wascc-client composes with memkv and runs");
    assert_eq!(checked, Ok(()));
}
