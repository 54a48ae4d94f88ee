// memkv in JavaScript: `memkv.wasm`, and the `kv-client` guest composed with it, transpiled by
// jco (`--instantiation async`, so every test gets a fresh instance) into the directory named by
// MEMKV_JS. host-test's `js.rs` writes the components, transpiles them and runs this file; by
// hand, see README "In JavaScript".

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const root = process.env.MEMKV_JS;
assert.ok(root, 'MEMKV_JS names the directory of the transpiled components (run via cargo test)');

/** A fresh instance of the transpiled component `name`. */
async function instance(name) {
  const dir = join(root, name);
  const { instantiate } = await import(pathToFileURL(join(dir, `${name}.js`)).href);
  const getCoreModule = async (file) => WebAssembly.compile(await readFile(join(dir, file)));
  return instantiate(getCoreModule, {});
}

const bytes = (text) => new TextEncoder().encode(text);
const text = (value) => new TextDecoder().decode(value);

/** What `f` throws: jco's ComponentError, whose payload is the WIT error. */
function thrown(f) {
  try {
    f();
  } catch (error) {
    assert.equal(error.constructor.name, 'ComponentError');
    return error.payload;
  }
  assert.fail('expected an error');
}

test('golem:examples/api: set then get, missing is undefined', async () => {
  const memkv = await instance('memkv');
  memkv.api.set('b', 'k', bytes('v'));
  assert.equal(text(memkv.api.get('b', 'k')), 'v');
  assert.equal(memkv.api.get('b', 'missing'), undefined);
  assert.equal(memkv.api.get('other', 'k'), undefined);
});

test('draft store: set, get, exists, delete; one store seen through every interface', async () => {
  const memkv = await instance('memkv');
  const bucket = memkv.store.open('b');
  bucket.set('k', new Uint8Array([0, 1, 255]));
  assert.deepEqual(bucket.get('k'), new Uint8Array([0, 1, 255]));
  assert.equal(bucket.exists('k'), true);
  assert.deepEqual(memkv.api.get('b', 'k'), new Uint8Array([0, 1, 255]));
  const draft2 = memkv['wasi:keyvalue/store@0.2.0-draft2'].open('b');
  assert.deepEqual(draft2.get('k'), new Uint8Array([0, 1, 255]));
  bucket.delete('k');
  assert.equal(bucket.exists('k'), false);
  assert.equal(bucket.get('k'), undefined);
});

test('draft2 is reachable by its full name, and only so', async () => {
  const memkv = await instance('memkv');
  // The short names are the draft's: the same functions as the versioned draft names.
  assert.equal(memkv.store, memkv['wasi:keyvalue/store@0.2.0-draft']);
  assert.equal(memkv.atomics, memkv['wasi:keyvalue/atomics@0.2.0-draft']);
  assert.notEqual(memkv.store, memkv['wasi:keyvalue/store@0.2.0-draft2']);
  const bucket = memkv['wasi:keyvalue/store@0.2.0-draft2'].open('b');
  bucket.set('k', bytes('v'));
  assert.equal(text(bucket.get('k')), 'v');
  assert.deepEqual(bucket.listKeys(undefined), { keys: ['k'], cursor: undefined });
});

test('counters are BigInt: u64 in the draft, s64 in draft2, overflow an error that changes nothing', async () => {
  const memkv = await instance('memkv');
  const bucket = memkv.store.open('b');
  assert.equal(memkv.atomics.increment(bucket, 'n', 5n), 5n);
  assert.equal(memkv.atomics.increment(bucket, 'n', 2n ** 64n - 6n), 2n ** 64n - 1n);
  const overflow = thrown(() => memkv.atomics.increment(bucket, 'n', 1n));
  assert.equal(overflow.tag, 'other');
  assert.match(overflow.val, /overflow/);
  assert.equal(text(bucket.get('n')), '18446744073709551615');

  const atomics2 = memkv['wasi:keyvalue/atomics@0.2.0-draft2'];
  const signed = memkv['wasi:keyvalue/store@0.2.0-draft2'].open('s');
  assert.equal(atomics2.increment(signed, 'n', -5n), -5n);
  assert.equal(atomics2.increment(signed, 'n', -(2n ** 63n) + 5n), -(2n ** 63n));
  assert.equal(thrown(() => atomics2.increment(signed, 'n', -1n)).tag, 'other');
  assert.equal(text(signed.get('n')), '-9223372036854775808');
});

test('listings: draft u64 cursors and draft2 string cursors page through every key in order', async () => {
  const memkv = await instance('memkv');
  const limits = memkv.limits.getLimits();
  memkv.limits.setLimits({ ...limits, pageSize: 3 });
  const keys = Array.from({ length: 10 }, (_, i) => `key${i}`);
  const bucket = memkv.store.open('b');
  for (const key of [...keys].reverse()) bucket.set(key, bytes(key));

  const pages = [];
  let cursor;
  do {
    const page = memkv.store.open('b').listKeys(cursor);
    pages.push(page.keys);
    cursor = page.cursor;
    if (cursor !== undefined) assert.equal(typeof cursor, 'bigint');
  } while (cursor !== undefined);
  assert.deepEqual(pages.map((page) => page.length), [3, 3, 3, 1]);
  assert.deepEqual(pages.flat(), keys);

  const draft2 = memkv['wasi:keyvalue/store@0.2.0-draft2'].open('b');
  const listed = [];
  let after;
  do {
    const page = draft2.listKeys(after);
    listed.push(...page.keys);
    after = page.cursor;
    if (after !== undefined) assert.equal(typeof after, 'string');
  } while (after !== undefined);
  assert.deepEqual(listed, keys);

  assert.equal(thrown(() => bucket.listKeys(999n)).tag, 'other');
});

test('draft2 compare-and-swap: swaps when nothing wrote, fails with a fresh handle when something did', async () => {
  const memkv = await instance('memkv');
  const { Cas, swap } = memkv['wasi:keyvalue/atomics@0.2.0-draft2'];
  const bucket = memkv['wasi:keyvalue/store@0.2.0-draft2'].open('b');
  bucket.set('k', bytes('1'));

  const cas = Cas.new(bucket, 'k');
  assert.equal(text(cas.current()), '1');
  swap(cas, bytes('2'));
  assert.equal(text(bucket.get('k')), '2');

  const stale = Cas.new(bucket, 'k');
  bucket.set('k', bytes('3'));
  const failed = thrown(() => swap(stale, bytes('4')));
  assert.equal(failed.tag, 'cas-failed');
  assert.equal(text(bucket.get('k')), '3');
  assert.equal(text(failed.val.current()), '3');
  swap(failed.val, bytes('5'));
  assert.equal(text(bucket.get('k')), '5');
});

test('batch: get-many in request order, set-many, delete-many', async () => {
  const memkv = await instance('memkv');
  const bucket = memkv.store.open('b');
  memkv.batch.setMany(bucket, [['a', bytes('1')], ['b', bytes('2')]]);
  const got = memkv.batch.getMany(bucket, ['b', 'missing', 'a']);
  assert.deepEqual(got.map((entry) => entry && [entry[0], text(entry[1])]), [['b', '2'], undefined, ['a', '1']]);
  memkv.batch.deleteMany(bucket, ['a', 'missing']);
  assert.equal(bucket.exists('a'), false);
  assert.equal(bucket.exists('b'), true);
});

test('snapshots: save, change, load restores; bad bytes are refused and change nothing', async () => {
  const memkv = await instance('memkv');
  memkv.api.set('b', 'k', bytes('saved'));
  const snapshot = memkv.saveSnapshot.save();
  assert.ok(snapshot instanceof Uint8Array);
  memkv.api.set('b', 'k', bytes('changed'));
  memkv.api.set('b', 'new', bytes('x'));
  memkv.loadSnapshot.load(snapshot);
  assert.equal(text(memkv.api.get('b', 'k')), 'saved');
  assert.equal(memkv.api.get('b', 'new'), undefined);

  const fresh = await instance('memkv');
  fresh.loadSnapshot.load(snapshot);
  assert.equal(text(fresh.api.get('b', 'k')), 'saved');

  const refused = thrown(() => memkv.loadSnapshot.load(bytes('not a snapshot')));
  assert.match(refused, /not a memkv snapshot/);
  assert.equal(text(memkv.api.get('b', 'k')), 'saved');
});

test('errors: a write over a limit is error::other naming the limit, and changes nothing', async () => {
  const memkv = await instance('memkv');
  memkv.limits.setLimits({ ...memkv.limits.getLimits(), maxValueBytes: 4 });
  const bucket = memkv.store.open('b');
  const refused = thrown(() => bucket.set('k', bytes('too long')));
  assert.equal(refused.tag, 'other');
  assert.match(refused.val, /quota exceeded/);
  assert.equal(bucket.exists('k'), false);
  assert.equal(memkv.limits.getUsage().entries, 0n);
  // setLimits returns a string error: the payload is the message.
  assert.match(thrown(() => memkv.limits.setLimits({ ...memkv.limits.getLimits(), pageSize: 0 })), /page/);
});

test('a guest composed with memkv: kv-client stores through its imported wasi:keyvalue', async () => {
  const client = await instance('kv-client');
  assert.deepEqual(Object.keys(client).sort(), ['api', 'golem:examples/api']);
  client.api.set('b', 'k', bytes('through the guest'));
  assert.equal(text(client.api.get('b', 'k')), 'through the guest');
  const large = new Uint8Array(10240).map((_, i) => i % 251);
  client.api.set('b', 'large', large);
  assert.deepEqual(client.api.get('b', 'large'), large);
  assert.equal(client.api.get('b', 'missing'), undefined);
});
