// memkv in Node.js: the `kv-bench` guest composed with memkv, transpiled by jco, timed from
// JavaScript. Run by `cargo bench -p host-test --bench node`, which transpiles the composition
// into MEMKV_JS/<variant>/ (jco's default output, and `--multi-memory`) and runs this file with
// the Node.js named by NODE. Prints one line per measurement; BENCHMARKS.md has the table.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const root = process.env.MEMKV_JS;
const variants = (process.env.MEMKV_JS_VARIANTS ?? 'default,multi-memory').split(',');
const large = Number(process.env.MEMKV_LARGE ?? 100000);

async function instance(variant) {
  const dir = join(root, variant, 'kv-bench');
  const { instantiate } = await import(pathToFileURL(join(dir, 'kv-bench.js')).href);
  const getCoreModule = async (file) => WebAssembly.compile(await readFile(join(dir, file)));
  return (await instantiate(getCoreModule, {})).bench;
}

/** Nanoseconds per operation of `f`, which runs `count` operations. */
function per(count, f) {
  const start = performance.now();
  f();
  return ((performance.now() - start) * 1e6) / count;
}

function report(variant, what, ns) {
  const shown = ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
  console.log(`${variant.padEnd(13)} ${what.padEnd(44)} ${shown}`);
}

console.log(`node ${process.version}`);
for (const variant of variants) {
  // 100 B values over 10^4 keys: the guest's loops, each a call into the composition.
  const small = await instance(variant);
  small.setup('small', 10000, 100);
  const loops = 100000;
  small.getLoop(1000);
  const empty = per(loops, () => small.emptyLoop(loops));
  report(variant, 'get, 100 B', per(loops, () => small.getLoop(loops)) - empty);
  report(variant, 'set, 100 B', per(loops, () => small.setLoop(loops)) - empty);
  report(variant, 'exists', per(loops, () => small.existsLoop(loops)) - empty);
  report(variant, 'get-many of 100, per key', per(100 * 1000, () => small.getManyLoop(1000, 100)));

  // `large` new 10 KiB values, then the same keys overwritten: what a growing memory costs.
  const big = await instance(variant);
  const insert = per(large, () => big.setup('large', large, 10240));
  const overwrite = per(large, () => big.setLoop(large));
  report(variant, `insert ${large} new 10 KiB values, each`, insert);
  report(variant, `overwrite them, each`, overwrite);
  console.log(`${variant.padEnd(13)} ${'insert / overwrite'.padEnd(44)} ${(insert / overwrite).toFixed(2)}×`);
}
