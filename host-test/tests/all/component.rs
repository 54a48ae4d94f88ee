//! The built component as a whole: what it imports and exports, and instance isolation.

use host_test::Harness;
use wasmtime::Result;

#[test]
fn component_imports_nothing() {
    assert_eq!(Harness::shared().import_names(), Vec::<String>::new());
}

#[test]
fn component_exports_exactly_the_api_both_drafts_limits_collections_wasmcloud_snapshots_and_spin_2()
{
    assert_eq!(
        Harness::shared().export_names(),
        [
            "golem:api/save-snapshot@1.1.7",
            "golem:api/load-snapshot@1.1.7",
            "golem:examples/api",
            "wasi:keyvalue/store@0.2.0-draft",
            "wasi:keyvalue/atomics@0.2.0-draft",
            "wasi:keyvalue/batch@0.2.0-draft",
            "wasi:keyvalue/store@0.2.0-draft2",
            "wasi:keyvalue/atomics@0.2.0-draft2",
            "wasi:keyvalue/batch@0.2.0-draft2",
            "memkv:store/limits",
            "memkv:store/collections",
            "wasmcloud:keyvalue/key-value",
            "fermyon:spin/key-value@2.0.0",
        ]
    );
}

#[test]
fn the_async_artifact_imports_a_wall_clock_and_exports_the_sync_ones_spin_3_and_wasmcloud_0_2()
-> anyhow::Result<()> {
    use memkv_host::{Side, component_names};
    let p3 = memkv_artifacts::MEMKV_P3;
    // For lifetimes (wasmCloud's `ttl-ms`): the only import.
    assert_eq!(
        component_names(p3, Side::Imports)?,
        ["wasi:clocks/wall-clock@0.2.12"]
    );
    let sorted = |mut names: Vec<String>| {
        names.sort();
        names
    };
    let mut expected = Harness::shared().export_names();
    expected.push("spin:key-value/key-value@3.0.0".into());
    for interface in ["types", "store", "atomics", "cas", "batch"] {
        expected.push(format!("wasmcloud:keyvalue/{interface}@0.2.0"));
    }
    let expected = sorted(expected);
    assert_eq!(sorted(component_names(p3, Side::Exports)?), expected);
    // The Redis twin: the same exports.
    let redis_p3 = memkv_artifacts::MEMKV_REDIS_P3;
    assert_eq!(sorted(component_names(redis_p3, Side::Exports)?), expected);
    // The sync engine refuses it (the async ABI needs concurrency support on); the async one
    // takes it.
    let sync = memkv_host::engine(memkv_host::CacheUse::Off)?;
    assert!(wasmtime::component::Component::new(&sync, p3).is_err());
    let concurrent = memkv_host::async_engine(memkv_host::CacheUse::Off)?;
    wasmtime::component::Component::new(&concurrent, p3)?;
    Ok(())
}

#[test]
fn the_golem_artifacts_export_one_version_of_each_snapshot_interface_and_golems_dialect()
-> anyhow::Result<()> {
    use memkv_host::{Side, component_names};
    for artifact in [
        memkv_artifacts::MEMKV_GOLEM_P3,
        memkv_artifacts::MEMKV_REDIS_GOLEM_P3,
    ] {
        let exports = component_names(artifact, Side::Exports)?;
        // Golem refuses a component with two versions of either ("Duplicate save snapshot
        // export"): exactly one of each, at 1.5.0.
        let named = |prefix: &str| -> Vec<&String> {
            exports
                .iter()
                .filter(|name| name.starts_with(prefix))
                .collect()
        };
        assert_eq!(
            named("golem:api/save-snapshot"),
            ["golem:api/save-snapshot@1.5.0"]
        );
        assert_eq!(
            named("golem:api/load-snapshot"),
            ["golem:api/load-snapshot@1.5.0"]
        );
        for interface in [
            "wasi:keyvalue/types@0.1.0",
            "wasi:keyvalue/wasi-keyvalue-error@0.1.0",
            "wasi:keyvalue/eventual@0.1.0",
            "wasi:keyvalue/eventual-batch@0.1.0",
            "wasi:keyvalue/cache@0.1.0",
            "spin:key-value/key-value@3.0.0",
            "wasi:keyvalue/store@0.2.0-draft",
            "fermyon:spin/key-value@2.0.0",
        ] {
            assert!(exports.iter().any(|name| name == interface), "{interface}");
        }
        // The snapshot record's type is `golem:api/host@1.5.0`'s: the one import besides WASI.
        let imports = component_names(artifact, Side::Imports)?;
        let not_wasi: Vec<&String> = imports
            .iter()
            .filter(|name| !memkv_host::is_wasi(name))
            .collect();
        assert_eq!(not_wasi, ["golem:api/host@1.5.0"]);
    }
    Ok(())
}

#[test]
fn component_file_is_a_component_not_a_core_module() {
    let bytes = memkv_artifacts::MEMKV;
    // A component's preamble: magic, then version 0x0d and layer 1 (a core module has layer 0).
    assert_eq!(&bytes[..8], b"\0asm\x0d\0\x01\0");
}

#[test]
fn fresh_instances_share_nothing() -> Result<()> {
    let mut first = Harness::shared().instantiate()?;
    let mut second = Harness::shared().instantiate()?;
    first.api().set("b", "k", b"v")?;
    assert_eq!(second.api().get("b", "k")?, None);
    assert_eq!(first.api().get("b", "k")?, Some(b"v".to_vec()));
    Ok(())
}

#[test]
fn memkv_redis_exports_what_memkv_does_and_imports_only_wasi_0_2() {
    let redis = Harness::redis();
    assert_eq!(redis.export_names(), Harness::shared().export_names());
    let imports = redis.import_names();
    assert!(
        imports
            .iter()
            .any(|name| name.starts_with("wasi:sockets/tcp@0.2.")),
        "{imports:?}"
    );
    assert!(
        imports
            .iter()
            .all(|name| name.starts_with("wasi:") && name.contains("@0.2.")),
        "{imports:?}"
    );
}
