-- memkv-redis: every operation that touches more than one key, as one atomic call of one Redis
-- Function. This folder's files, joined in order, are `memkv.lua`; memkv-redis loads it as a
-- function library (`FUNCTION LOAD`) the first time a server lacks it, with lines in front: the
-- library's name, `local FUNCTION = 'memkv_<hash>'` (so two versions never mix), and the
-- constants it shares with memkv's core, which Rust writes (`library()` in `../mod.rs`):
-- ENTRY_OVERHEAD, BUCKET_OVERHEAD, ITEM_OVERHEAD, STAMP, DEADLINE, CURSORS, DEFAULTS (the
-- default limits by field) and READS (the operations that change nothing, by name). Then it
-- calls `FCALL memkv_<hash> 1 g ARGV…`: the helpers below are defined once, when the library
-- loads, not per call.
--
-- The one key a call names is the store's hash `g`: the limits, the usage, the last write
-- stamp, whether keys have had lifetimes, the generation, the next cursor, the record of recent
-- writes' answers (`1-store.lua`, `7-run.lua`), and every bucket's values, each in the field
-- `v<length of the bucket's name>:<name><key>` as 16 hex digits of write stamp followed by the
-- value. The store's other keys are named as `g` is, with another last letter: the registry
-- `n` (a sorted set of bucket names) and the cursor table `c`; and a bucket's with `b`, the hex
-- of its name and `:` before it (`bucket_key`): its index `i` (a sorted set of its keys, all
-- with score 0, for byte-ordered paging) and meta `m` (`rm`, how many deletions). A call reads
-- `g` once, at its start (with the old value of the key a set names), and writes it once, at
-- its end (with the value a set writes): a set of a key that exists runs two commands. A key
-- holding a list or a set has, as its value, a marker of 16 characters (`L` or `S` and 15 hex
-- digits of stamp), in the bucket's kinds hash `k` its kind letter and charge (`L123`), and its
-- items in a native Redis list or set `e<hex of the key>` beside the bucket's other keys. A
-- value written with a lifetime (wasmCloud's `set` with `expires`) has a stamp starting with
-- `E` followed by its deadline (13 digits of milliseconds since the epoch, by the server's
-- clock) before the value, and its key is in the bucket's deadlines `x` (a sorted set scored by
-- deadline); once a key of the store has had a lifetime, every call first removes the keys of
-- its bucket whose deadline has passed, as a delete would, and any other write of a key ends
-- its lifetime, as Redis's SET does. Every key of a store carries the store's hash tag, so all
-- the keys a call touches are in the slot of `g`, on one server or one Redis Cluster node.
-- ARGV: 1 the operation, 2 the bucket's name, then the operation's own, and last the call's
-- request id.
--
-- Answers are tables: {'ok', ...} or a refusal {code, ...}, which the client turns into the same
-- error memkv's in-memory engine gives. A refused operation changes nothing: every check comes
-- before the first write.

-- The call in progress: its store's hash `g` and its arguments (set by `run` at the start of
-- every call).
local g, ARGV = nil, {}
local op, bucket
-- The call's bucket's values' field names in `g` without their key: `v<length>:<name>`.
local values
-- The names of the store's keys and of the bucket's without their last letter, `P:{P}:` and
-- `P:{P}:b<hex>:`, once the call has needed one (`store_key`, `own_key`).
local store_base, base
-- Whether the call's bucket has values with a lifetime (its deadlines `x` exist).
local has_deadlines
-- Defined with the collections, used earlier by set_limits and dump.
local collection_items

local KIND_OF_LETTER = { L = 'list', S = 'set' }

-- The answer most writes give (a record of the request id alone stands for it: `7-run.lua`).
local OK = { 'ok' }
