//! memkv in JavaScript: `memkv.wasm` and the `kv-client` guest composed with it, transpiled by
//! the pinned jco and run by Node's test runner (`host-test/js/memkv.test.mjs`): jco's default
//! output in the machine's Node.js, and its `--multi-memory` output (what the README advises for
//! composed guests) in Node 22.

use std::path::Path;

use host_test::{compose, js};

/// Transpile memkv and the composed `kv-client` with `flags`, and run the Node tests in `node`.
fn node_tests_pass(node: &Path, flags: &[&str]) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    js::transpile(dir.path(), "memkv", memkv_artifacts::MEMKV, flags)?;
    let client = compose(memkv_artifacts::KV_CLIENT, memkv_artifacts::MEMKV)?;
    assert_eq!(client.unsatisfied, Vec::<String>::new());
    js::transpile(dir.path(), "kv-client", &client.bytes, flags)?;
    let report = js::node_test(node, "memkv.test.mjs", dir.path())?;
    // Every test the file declares ran and passed (a file that declared none would pass too).
    assert!(report.contains("# pass 10"), "{report}");
    assert!(report.contains("# fail 0"), "{report}");
    Ok(())
}

#[test]
fn transpiled_by_jco_memkv_passes_the_node_tests() -> anyhow::Result<()> {
    node_tests_pass(Path::new("node"), &[])
}

#[test]
fn transpiled_with_multi_memory_memkv_passes_the_node_tests_in_node_22() -> anyhow::Result<()> {
    node_tests_pass(&js::node22()?, &["--multi-memory"])
}
