//! memkv in JavaScript: `memkv.wasm` and the `kv-client` guest composed with it, transpiled by
//! the pinned jco and run by Node's test runner (`host-test/js/memkv.test.mjs`).

use host_test::{compose, js};

#[test]
fn transpiled_by_jco_memkv_passes_the_node_tests() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    js::transpile(dir.path(), "memkv", memkv_artifacts::MEMKV, &[])?;
    let client = compose(memkv_artifacts::KV_CLIENT, memkv_artifacts::MEMKV)?;
    assert_eq!(client.unsatisfied, Vec::<String>::new());
    js::transpile(dir.path(), "kv-client", &client.bytes, &[])?;
    let report = js::node_test("memkv.test.mjs", dir.path())?;
    // Every test the file declares ran and passed (a file that declared none would pass too).
    assert!(report.contains("# pass 10"), "{report}");
    assert!(report.contains("# fail 0"), "{report}");
    Ok(())
}
