-- memkv-redis: every operation that touches more than one key, as one atomic call of one Redis
-- Function. memkv-redis loads this file as a function library (`FUNCTION LOAD`) the first time
-- a server lacks it, with two lines in front: the library's name and `local FUNCTION =`
-- `'memkv_<hash of this file>'`, so two versions never mix. Then it calls `FCALL memkv_<hash>
-- 6 KEYS… ARGV…`: the helpers below are defined once, when the library loads, not per call.
--
-- KEYS: 1 the store's hash `g` (limits, usage, generation, next cursor), 2 the registry `n` (a
-- sorted set of bucket names), 3 the cursor table `c`, then the bucket's 4 values `v` (a hash
-- of key -> 16 hex digits of write stamp followed by the value), 5 index `i` (a sorted set of
-- its keys, all with score 0, for byte-ordered paging) and 6 meta `m` (`st`, the last stamp
-- issued; `rm`, how many deletions). A key holding a list or a set has, in `v`, a marker of 16
-- characters instead (`L` or `S` and 15 hex digits of stamp), in the bucket's kinds hash `k`
-- its kind letter and charge (`L123`), and its items in a native Redis list or set `e<hex of
-- the key>` beside the bucket's other keys. A value written with a lifetime (wasmCloud's `set`
-- with `expires`) has a stamp starting with `E` followed by its deadline (13 digits of
-- milliseconds since the epoch, by the server's clock) before the value, and its key is in the
-- bucket's deadlines `x` (a sorted set scored by deadline); every call first removes the keys of
-- its bucket whose deadline has passed, as a delete would, and any other write of a key ends its
-- lifetime, as Redis's SET does. Every key of a store carries the store's hash tag, so the
-- keys a call names here, or finds from a bucket's name (`bucket_key`), are in one slot, on
-- one server or one Redis Cluster node.
-- ARGV: 1 the operation, 2 the bucket's name, 3 the key prefix, then the operation's own.
--
-- Answers are tables: {'ok', ...} or a refusal {code, ...}, which the client turns into the same
-- error memkv's in-memory engine gives. A refused operation changes nothing: every check comes
-- before the first write.

-- The call in progress: its keys and arguments (set by `run` at the start of every call).
local KEYS, ARGV = {}, {}
local g, reg, cur, vals, idx, meta
-- The bucket's keys without their last letter: `P:{P}:b<hex>:`.
local base
local op, bucket, prefix
-- Whether the call's bucket has values with a lifetime (its deadlines `x` exist).
local has_deadlines
-- Defined with the collections, used earlier by set_limits and dump.
local collection_items

local ENTRY_OVERHEAD, BUCKET_OVERHEAD, ITEM_OVERHEAD, STAMP = 96, 256, 48, 16
-- Digits of an expiring value's deadline, after its stamp.
local DEADLINE = 13
local KIND_OF_LETTER = { L = 'list', S = 'set' }
local CURSORS = 256
local DEFAULTS = {
  lk = '65536', lv = '16777216', lt = '1073741824',
  le = '18446744073709551615', lb = '4294967295', lp = '1000',
}

local function refuse(...)
  error({ refusal = { ... } })
end

local function dec(n)
  return string.format('%.0f', n)
end

local LIMITS = { 'lk', 'lv', 'lt', 'le', 'lb', 'lp' }
local USAGE = { 'bytes', 'buckets' }

-- The limits in force and the store's usage, read with one command the first time a call needs
-- one of them (every call reads them before its first write).
local fields, numbers = nil, nil

local function read_fields()
  fields, numbers = {}, {}
  local names = { unpack(LIMITS) }
  for _, name in ipairs(USAGE) do
    table.insert(names, name)
  end
  local stored = redis.call('HMGET', g, unpack(names))
  for n, name in ipairs(names) do
    fields[name] = stored[n] or DEFAULTS[name] or '0'
    numbers[name] = tonumber(fields[name])
  end
end

local function limit(name)
  if not fields then
    read_fields()
  end
  return fields[name]
end

-- A limit or a usage field as a number.
local function number(name)
  if not fields then
    read_fields()
  end
  return numbers[name]
end

-- Refuse `needed` if it is over the limit `name`.
local function check(code, needed, name)
  if needed > number(name) then
    refuse('quota', code, dec(needed), limit(name))
  end
end

-- Refuse growing the store to `needed` bytes, unless that is no more than it holds now.
local function check_total(needed, committed)
  if needed > committed then
    check('total', needed, 'lt')
  end
end

local function hex(text)
  return (text:gsub('.', function(c)
    return string.format('%02x', c:byte())
  end))
end

local function bucket_key(name, suffix)
  return prefix .. ':{' .. prefix .. '}:b' .. hex(name) .. ':' .. suffix
end

-- The native list or set of the key `key` of bucket `name`.
local function items_key_of(name, key)
  return bucket_key(name, 'e' .. hex(key))
end

-- The call's bucket's kinds hash, and the native list or set of its key `key`.
local function kinds()
  return base .. 'k'
end

local function items_key(key)
  return base .. 'e' .. hex(key)
end

local function deadlines()
  return base .. 'x'
end

-- The value of a stored raw string: after the stamp, and after the deadline of an expiring one.
local function payload(raw)
  if raw:sub(1, 1) == 'E' then
    return raw:sub(STAMP + DEADLINE + 1)
  end
  return raw:sub(STAMP + 1)
end

-- The server's clock, in milliseconds since the epoch.
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- What `key` holds in this bucket: nil if it is absent, else 'bytes', 'list' or 'set', and the
-- bytes its value is charged (a list's or set's items with their overhead).
local function entry_of(key)
  local len = redis.call('HSTRLEN', vals, key)
  if len == 0 then
    return nil
  end
  if len == STAMP then
    local info = redis.call('HGET', kinds(), key)
    if info then
      return KIND_OF_LETTER[info:sub(1, 1)], tonumber(info:sub(2))
    end
  end
  if has_deadlines and redis.call('ZSCORE', deadlines(), key) then
    return 'bytes', len - STAMP - DEADLINE
  end
  return 'bytes', len - STAMP
end

-- The kind of collection a raw stored value marks, or nil for bytes.
local function marked(raw)
  if #raw == STAMP then
    return KIND_OF_LETTER[raw:sub(1, 1)]
  end
  return nil
end

-- The checks of opening the bucket for a write: returns the store's bytes with a bucket created
-- for it charged, and whether it must be created.
local function open_for_write()
  if redis.call('ZSCORE', reg, bucket) then
    return number('bytes'), false
  end
  check('name', #bucket, 'lk')
  check('buckets', number('buckets') + 1, 'lb')
  local bytes = number('bytes')
  local total = bytes + #bucket + BUCKET_OVERHEAD
  check_total(total, bytes)
  return total, true
end

local function create_bucket()
  redis.call('ZADD', reg, 0, bucket)
  redis.call('HINCRBY', g, 'buckets', 1)
  redis.call('HINCRBY', g, 'bytes', #bucket + BUCKET_OVERHEAD)
end

-- A write in progress: checked pair by pair against the totals as memkv applies them, then
-- applied only if every check passed.
local function start_write()
  local committed, create = open_for_write()
  -- `len`, the bucket's entry count, is read when a new key needs it.
  return {
    committed = committed, total = committed, create = create,
    len = nil, added = 0, pending = {}, flat = {}, new = {}, drop = {},
  }
end

local function check_sizes(key, value)
  check('key', #key, 'lk')
  check('value', #value, 'lv')
end

local function plan(w, key, value)
  local old = w.pending[key]
  if old == nil then
    local kind
    kind, old = entry_of(key)
    if kind and kind ~= 'bytes' then
      table.insert(w.drop, key)
    end
  end
  if old then
    local total = w.total - old + #value
    check_total(total, w.committed)
    w.total = total
  else
    local total = w.total + #key + #value + ENTRY_OVERHEAD
    check_total(total, w.committed)
    w.len = w.len or redis.call('ZCARD', idx)
    check('entries', w.len + 1, 'le')
    w.total = total
    w.len = w.len + 1
    w.added = w.added + 1
    table.insert(w.new, key)
  end
  w.pending[key] = #value
  local flat = w.flat
  flat[#flat + 1] = key
  flat[#flat + 1] = value
end

-- Run `command` on `key` with `args`, in slices short enough for `unpack`.
local function batched(command, key, args)
  local step = 2000
  for first = 1, #args, step do
    redis.call(command, key, unpack(args, first, math.min(first + step - 1, #args)))
  end
end

local function commit(w)
  if w.create then
    create_bucket()
  end
  -- Every value the call writes gets the same stamp, the bucket's next: a stamp only has to
  -- differ from every stamp the key had before. All values go in one HSET (a key written twice
  -- keeps its last value), the new keys into the index in one ZADD.
  local stamp = string.format('%016x', redis.call('HINCRBY', meta, 'st', 1))
  -- Bytes replace a list or set: its items go.
  for _, key in ipairs(w.drop) do
    redis.call('DEL', items_key(key))
    redis.call('HDEL', kinds(), key)
  end
  local flat = w.flat
  for n = 2, #flat, 2 do
    flat[n] = stamp .. flat[n]
  end
  batched('HSET', vals, flat)
  if has_deadlines then
    local written = {}
    for n = 1, #flat, 2 do
      written[#written + 1] = flat[n]
    end
    batched('ZREM', deadlines(), written)
  end
  if #w.new > 0 then
    local members = {}
    for _, key in ipairs(w.new) do
      table.insert(members, 0)
      table.insert(members, key)
    end
    batched('ZADD', idx, members)
  end
  if w.total ~= w.committed then
    redis.call('HINCRBY', g, 'bytes', dec(w.total - w.committed))
  end
  if w.added > 0 then
    redis.call('HINCRBY', g, 'entries', w.added)
  end
end

local function set_one(key, value)
  local w = start_write()
  check_sizes(key, value)
  plan(w, key, value)
  commit(w)
end

-- Decimal counters: digit strings compared and added without Lua's doubles, which cannot hold
-- a u64.
local U64_MAX, S64_MAX, S64_MIN = '18446744073709551615', '9223372036854775807', '9223372036854775808'
local S32_MAX, S32_MIN = '2147483647', '2147483648'

-- The largest magnitude of a counter of type `ty`, negative or not.
local function max_of(ty, negative)
  if ty == 'u64' then
    return U64_MAX
  elseif ty == 's32' then
    return negative and S32_MIN or S32_MAX
  end
  return negative and S64_MIN or S64_MAX
end

local function strip(digits)
  local s = digits:gsub('^0+', '')
  if s == '' then
    return '0'
  end
  return s
end

local function less(a, b)
  if #a ~= #b then
    return #a < #b
  end
  return a < b
end

local function add(a, b)
  local out, carry, i, j = {}, 0, #a, #b
  while i > 0 or j > 0 or carry > 0 do
    local d = carry + (i > 0 and a:byte(i) - 48 or 0) + (j > 0 and b:byte(j) - 48 or 0)
    table.insert(out, 1, string.char(48 + d % 10))
    carry = math.floor(d / 10)
    i, j = i - 1, j - 1
  end
  return strip(table.concat(out))
end

-- a - b for a >= b.
local function sub(a, b)
  local out, borrow, i, j = {}, 0, #a, #b
  while i > 0 do
    local d = a:byte(i) - 48 - borrow - (j > 0 and b:byte(j) - 48 or 0)
    if d < 0 then
      d, borrow = d + 10, 1
    else
      borrow = 0
    end
    table.insert(out, 1, string.char(48 + d))
    i, j = i - 1, j - 1
  end
  return strip(table.concat(out))
end

-- A counter as sign and magnitude, or nil if `text` is not one of type `ty`.
local function parse(text, ty)
  local negative, digits = false, text
  if ty ~= 'u64' and text:sub(1, 1) == '-' then
    negative, digits = true, text:sub(2)
  end
  if digits == '' or digits:find('[^0-9]') then
    return nil
  end
  local mag = strip(digits)
  if less(max_of(ty, negative), mag) then
    return nil
  end
  return { neg = negative and mag ~= '0', mag = mag }
end

local function signed_add(x, y)
  if x.neg == y.neg then
    return { neg = x.neg, mag = add(x.mag, y.mag) }
  end
  if less(x.mag, y.mag) then
    return { neg = y.neg, mag = sub(y.mag, x.mag) }
  end
  local mag = sub(x.mag, y.mag)
  return { neg = x.neg and mag ~= '0', mag = mag }
end

local function show(n)
  return (n.neg and '-' or '') .. n.mag
end

local function fits(n, ty)
  if ty == 'u64' and n.neg then
    return false
  end
  return not less(max_of(ty, n.neg), n.mag)
end

-- The bytes under `key`, or nil; refused if the key holds a list or a set.
local function value_of(key)
  local raw = redis.call('HGET', vals, key)
  if not raw then
    return nil
  end
  local kind = marked(raw)
  if kind then
    refuse('wrong-kind', kind, 'bytes')
  end
  return payload(raw)
end

-- Remove the keys of bucket `name` whose deadline has passed, as a delete does (only values
-- with a lifetime are in its deadlines: any other write of a key takes it out).
local function purge(name)
  local x = bucket_key(name, 'x')
  local expired = redis.call('ZRANGE', x, '-inf', now_ms(), 'BYSCORE')
  if #expired == 0 then
    return
  end
  local values, freed = bucket_key(name, 'v'), 0
  for _, key in ipairs(expired) do
    freed = freed + #key + redis.call('HSTRLEN', values, key) - STAMP - DEADLINE + ENTRY_OVERHEAD
  end
  batched('HDEL', values, expired)
  batched('ZREM', bucket_key(name, 'i'), expired)
  batched('ZREM', x, expired)
  redis.call('HINCRBY', bucket_key(name, 'm'), 'rm', #expired)
  redis.call('HINCRBY', g, 'bytes', dec(-freed))
  redis.call('HINCRBY', g, 'entries', -#expired)
end

local function purge_all()
  for _, name in ipairs(redis.call('ZRANGE', reg, 0, -1)) do
    purge(name)
  end
end

local ops = {}

function ops.open()
  local total, create = open_for_write()
  if create then
    create_bucket()
  end
  return { 'ok' }
end

function ops.set()
  set_one(ARGV[4], ARGV[5])
  return { 'ok' }
end

-- wasmCloud's `set` with a lifetime. ARGV: key, value, seconds (at least 1).
function ops.set_ex()
  local key = ARGV[4]
  set_one(key, ARGV[5])
  local deadline = now_ms() + tonumber(ARGV[6]) * 1000
  local raw = redis.call('HGET', vals, key)
  local stamp = 'E' .. raw:sub(2, STAMP) .. string.format('%013d', deadline)
  redis.call('HSET', vals, key, stamp .. raw:sub(STAMP + 1))
  redis.call('ZADD', deadlines(), deadline, key)
  -- The deadline is charged nowhere: the entry's charge stays its value's length.
  return { 'ok' }
end

function ops.set_many()
  local w = start_write()
  for n = 4, #ARGV, 2 do
    check_sizes(ARGV[n], ARGV[n + 1])
  end
  for n = 4, #ARGV, 2 do
    plan(w, ARGV[n], ARGV[n + 1])
  end
  commit(w)
  return { 'ok' }
end

function ops.delete()
  -- Every key once, with what removing it frees; then one command of each kind removes them.
  local removed, gone, freed, collections = {}, {}, 0, {}
  for n = 4, #ARGV do
    local key = ARGV[n]
    local kind, len = nil, nil
    if not gone[key] then
      kind, len = entry_of(key)
    end
    if kind then
      gone[key] = true
      table.insert(removed, key)
      freed = freed + #key + len + ENTRY_OVERHEAD
      if kind ~= 'bytes' then
        table.insert(collections, key)
      end
    end
  end
  for _, key in ipairs(collections) do
    redis.call('DEL', items_key(key))
    redis.call('HDEL', kinds(), key)
  end
  if #removed > 0 then
    batched('HDEL', vals, removed)
    batched('ZREM', idx, removed)
    if has_deadlines then
      batched('ZREM', deadlines(), removed)
    end
    redis.call('HINCRBY', meta, 'rm', #removed)
    redis.call('HINCRBY', g, 'bytes', dec(-freed))
    redis.call('HINCRBY', g, 'entries', -#removed)
  end
  return { 'ok', #removed }
end

-- ARGV: key, delta (decimal), type ('u64' or 's64').
function ops.increment()
  local key, ty = ARGV[4], ARGV[6]
  local w = start_write()
  local current = { neg = false, mag = '0' }
  local text = value_of(key)
  if text then
    current = parse(text, ty)
    if not current then
      refuse('not-a-counter', ty)
    end
  end
  local delta = parse(ARGV[5], ty)
  local sum = signed_add(current, delta)
  if not fits(sum, ty) then
    refuse('overflow', show(current), ARGV[5], ty)
  end
  local value = show(sum)
  check_sizes(key, value)
  plan(w, key, value)
  commit(w)
  return { 'ok', value }
end

-- Golem's compare-and-swap of a u64 counter. ARGV: key, old, new.
function ops.cas_counter()
  local key = ARGV[4]
  local text = value_of(key)
  if not text then
    return { 'ok', 'absent' }
  end
  local current = parse(text, 'u64')
  if not current then
    refuse('not-a-counter', 'u64')
  end
  if current.mag ~= ARGV[5] then
    return { 'ok', 'different' }
  end
  set_one(key, ARGV[6])
  return { 'ok', 'swapped' }
end

-- Where a key stands, for compare-and-swap: generation, stamp ('' if absent), deletions, value,
-- and the kind of collection it holds, if it holds one (its marker is then its stamp).
local function version(key)
  local raw = redis.call('HGET', vals, key)
  local stamp, value, kind = '', false, nil
  if raw then
    stamp, value, kind = raw:sub(1, STAMP), payload(raw), marked(raw)
  end
  return redis.call('HGET', g, 'gen') or '0', stamp, redis.call('HGET', meta, 'rm') or '0', value,
    kind
end

function ops.observe()
  local generation, stamp, removals, value, kind = version(ARGV[4])
  if kind then
    refuse('wrong-kind', kind, 'bytes')
  end
  return { 'ok', generation, stamp, removals, value }
end

-- ARGV: key, generation, stamp ('' if absent), deletions, value.
function ops.swap()
  local key = ARGV[4]
  local generation, stamp, removals = version(key)
  if generation ~= ARGV[5] or stamp ~= ARGV[6] or (stamp == '' and removals ~= ARGV[7]) then
    return { 'ok', 0 }
  end
  set_one(key, ARGV[8])
  return { 'ok', 1 }
end

-- One page of keys after `after` (nil: from the start): the keys, and whether more follow.
local function page(after)
  local size = tonumber(limit('lp'))
  local start = after and ('(' .. after) or '-'
  local keys = redis.call('ZRANGE', idx, start, '+', 'BYLEX', 'LIMIT', 0, size + 1)
  local more = #keys > size
  if more then
    table.remove(keys)
  end
  return keys, more
end

-- draft2: ARGV: '' for the first page, or '>' followed by the last key of the previous one.
function ops.page_after()
  local after = nil
  if ARGV[4] ~= '' then
    after = ARGV[4]:sub(2)
  end
  local keys, more = page(after)
  return { 'ok', keys, more and 1 or 0 }
end

-- The draft's numbered cursors. ARGV: the cursor in decimal, or ''.
function ops.list()
  local after = nil
  local id = ARGV[4]
  if id ~= '' then
    local record = redis.call('HGET', cur, id)
    if record then
      local colon = record:find(':', 1, true)
      local len = tonumber(record:sub(1, colon - 1))
      if record:sub(colon + 1, colon + len) ~= bucket then
        refuse('cursor-of-another-bucket', id)
      end
      after = record:sub(colon + len + 1)
    elseif id == '0' or not less(id, redis.call('HGET', g, 'cursor') or '1') then
      refuse('unknown-cursor', id)
    else
      refuse('expired-cursor', id)
    end
  end
  local keys, more = page(after)
  local next_id = ''
  if more then
    next_id = redis.call('HGET', g, 'cursor') or '1'
    local n = tonumber(next_id)
    redis.call('HSET', cur, next_id, #bucket .. ':' .. bucket .. keys[#keys])
    if n > CURSORS then
      redis.call('HDEL', cur, dec(n - CURSORS))
    end
    redis.call('HSET', g, 'cursor', dec(n + 1))
  end
  return { 'ok', keys, next_id }
end

-- ARGV: the six limits in decimal, in the order of LIMITS.
function ops.set_limits()
  purge_all()
  local new = {}
  for n, name in ipairs(LIMITS) do
    new[name] = ARGV[3 + n]
  end
  if new.lp == '0' then
    refuse('page-size-zero')
  end
  local function over(code, needed, max)
    if needed > tonumber(max) then
      refuse('stored', code, dec(needed), max)
    end
  end
  over('total', number('bytes'), new.lt)
  over('buckets', number('buckets'), new.lb)
  local max_key, max_value = tonumber(new.lk), tonumber(new.lv)
  local lowered = max_key < tonumber(limit('lk')) or max_value < tonumber(limit('lv'))
  for _, name in ipairs(redis.call('ZRANGE', reg, 0, -1)) do
    over('name', #name, new.lk)
    local index = bucket_key(name, 'i')
    over('entries', redis.call('ZCARD', index), new.le)
    if lowered then
      local values, longest_key, longest_value = bucket_key(name, 'v'), 0, 0
      local kinds_of = bucket_key(name, 'k')
      for _, key in ipairs(redis.call('ZRANGE', index, 0, -1)) do
        longest_key = math.max(longest_key, #key)
        local info = redis.call('HGET', kinds_of, key)
        if info then
          for _, item in ipairs(collection_items(items_key_of(name, key), info)) do
            longest_value = math.max(longest_value, #item)
          end
        else
          local len = redis.call('HSTRLEN', values, key) - STAMP
          if redis.call('ZSCORE', bucket_key(name, 'x'), key) then
            len = len - DEADLINE
          end
          longest_value = math.max(longest_value, len)
        end
      end
      over('key', longest_key, new.lk)
      over('value', longest_value, new.lv)
    end
  end
  for _, name in ipairs(LIMITS) do
    redis.call('HSET', g, name, new[name])
  end
  return { 'ok' }
end

-- Every bucket's name and entries, for a snapshot: {'ok', limits, {name, {key, value, ...}}...}.
function ops.dump()
  purge_all()
  local limits = {}
  for _, name in ipairs(LIMITS) do
    table.insert(limits, limit(name))
  end
  local out = { 'ok', limits }
  for _, name in ipairs(redis.call('ZRANGE', reg, 0, -1)) do
    local entries = redis.call('HGETALL', bucket_key(name, 'v'))
    for n = 2, #entries, 2 do
      local raw = entries[n]
      if marked(raw) then
        local letter = raw:sub(1, 1)
        local items = collection_items(items_key_of(name, entries[n - 1]), letter)
        table.insert(items, 1, letter)
        entries[n] = items
      else
        entries[n] = payload(raw)
      end
    end
    table.insert(out, { name, entries })
  end
  return out
end

-- Replace the whole store with a snapshot's, which the client has already checked completely:
-- remove every bucket and cursor, start a new generation, and write what the snapshot holds.
-- ARGV: the six limits (as set_limits), the usage (bytes, entries, buckets), then for each
-- bucket its name and its number of entries, and per entry its key, its kind (`b`, `L` or
-- `S`) and its value (bytes), or its number of items and the items.
function ops.load()
  for _, name in ipairs(redis.call('ZRANGE', reg, 0, -1)) do
    local kinds_of = bucket_key(name, 'k')
    for _, key in ipairs(redis.call('HKEYS', kinds_of)) do
      redis.call('DEL', items_key_of(name, key))
    end
    redis.call('DEL', bucket_key(name, 'v'), bucket_key(name, 'i'), bucket_key(name, 'm'), kinds_of,
      bucket_key(name, 'x'))
  end
  redis.call('DEL', reg, cur)
  for n, name in ipairs(LIMITS) do
    redis.call('HSET', g, name, ARGV[3 + n])
  end
  redis.call('HSET', g, 'bytes', ARGV[10], 'entries', ARGV[11], 'buckets', ARGV[12])
  redis.call('HINCRBY', g, 'gen', 1)
  local n = 13
  while n <= #ARGV do
    local name, count = ARGV[n], tonumber(ARGV[n + 1])
    n = n + 2
    redis.call('ZADD', reg, 0, name)
    local values, index = bucket_key(name, 'v'), bucket_key(name, 'i')
    for _ = 1, count do
      local key, kind = ARGV[n], ARGV[n + 1]
      redis.call('ZADD', index, 0, key)
      if kind == 'b' then
        redis.call('HSET', values, key, '0000000000000001' .. ARGV[n + 2])
        n = n + 3
      else
        local items, charge = {}, 0
        for i = 1, tonumber(ARGV[n + 2]) do
          local item = ARGV[n + 2 + i]
          table.insert(items, item)
          charge = charge + #item + ITEM_OVERHEAD
        end
        n = n + 3 + #items
        batched(kind == 'L' and 'RPUSH' or 'SADD', items_key_of(name, key), items)
        redis.call('HSET', values, key, kind .. '000000000000001')
        redis.call('HSET', bucket_key(name, 'k'), key, kind .. dec(charge))
      end
    end
    redis.call('HSET', bucket_key(name, 'm'), 'st', 1, 'rm', 0)
  end
  return { 'ok' }
end

-- Lists and sets.

-- Every item of the list or set at `native`, whose kind `info` starts with (`L` or `S`).
function collection_items(native, info)
  if info:sub(1, 1) == 'L' then
    return redis.call('LRANGE', native, 0, -1)
  end
  return redis.call('SMEMBERS', native)
end

-- Refuse unless `key` is absent or holds `wanted`; returns its charge (0 if absent) and whether
-- it exists.
local function expect(key, wanted)
  local kind, charge = entry_of(key)
  if kind and kind ~= wanted then
    refuse('wrong-kind', kind, wanted, key)
  end
  return charge or 0, kind ~= nil
end

-- ARGV from `first` on, as a table.
local function args_from(first)
  local out = {}
  for n = first, #ARGV do
    out[#out + 1] = ARGV[n]
  end
  return out
end

-- What the limits charge for `items`.
local function charge_of(items)
  local charge = 0
  for _, item in ipairs(items) do
    charge = charge + #item + ITEM_OVERHEAD
  end
  return charge
end

-- Check `key` and `items` against the key and value limits; returns the items' charge.
local function check_items(key, items)
  check('key', #key, 'lk')
  for _, item in ipairs(items) do
    check('value', #item, 'lv')
  end
  return charge_of(items)
end

-- The distinct members of `members` that are (`present` true) or are not in the set `native`.
local function distinct_where(native, members, present)
  local out, seen = {}, {}
  for _, member in ipairs(members) do
    if not seen[member] then
      seen[member] = true
      if (redis.call('SISMEMBER', native, member) == 1) == present then
        table.insert(out, member)
      end
    end
  end
  return out
end

-- Mark `key` as holding a collection of kind `letter` charged `charge` bytes, with a new stamp:
-- every change to a list or set is a write of its key.
local function mark(key, letter, charge)
  local stamp = letter .. string.format('%015x', redis.call('HINCRBY', meta, 'st', 1))
  redis.call('HSET', vals, key, stamp)
  redis.call('HSET', kinds(), key, letter .. dec(charge))
end

-- Check that the store may grow by `added` bytes of items under `key` (a new entry, if it does
-- not exist); then `apply()` the change to the native list or set, and record the key's kind
-- `letter`, its new charge and a new stamp.
local function grow(key, existed, charge, added, letter, apply)
  local committed, create = number('bytes'), false
  local total = committed + added
  if not existed then
    committed, create = open_for_write()
    total = committed + #key + added + ENTRY_OVERHEAD
  end
  check_total(total, committed)
  if not existed then
    check('entries', redis.call('ZCARD', idx) + 1, 'le')
  end
  if create then
    create_bucket()
  end
  apply()
  mark(key, letter, charge + added)
  if not existed then
    redis.call('ZADD', idx, 0, key)
    redis.call('HINCRBY', g, 'entries', 1)
  end
  redis.call('HINCRBY', g, 'bytes', dec(total - committed))
end

-- Take `freed` bytes of removed items off the collection under `key`, or remove the key if
-- `emptied` (its last item went), as a delete does.
local function shrink(key, letter, charge, freed, emptied)
  if emptied then
    redis.call('DEL', items_key(key))
    redis.call('HDEL', kinds(), key)
    redis.call('HDEL', vals, key)
    redis.call('ZREM', idx, key)
    redis.call('HINCRBY', meta, 'rm', 1)
    redis.call('HINCRBY', g, 'bytes', dec(-(#key + charge + ENTRY_OVERHEAD)))
    redis.call('HINCRBY', g, 'entries', -1)
    return
  end
  mark(key, letter, charge - freed)
  redis.call('HINCRBY', g, 'bytes', dec(-freed))
end

function ops.kind()
  return { 'ok', (entry_of(ARGV[4])) or '' }
end

-- ARGV: key, '1' to push at the front, then the items.
function ops.push()
  local key, front = ARGV[4], ARGV[5] == '1'
  local charge, existed = expect(key, 'list')
  local items = args_from(6)
  local native = items_key(key)
  if #items > 0 then
    local added = check_items(key, items)
    grow(key, existed, charge, added, 'L', function()
      batched(front and 'LPUSH' or 'RPUSH', native, items)
    end)
  end
  return { 'ok', redis.call('LLEN', native) }
end

-- The answer of `command` on the native list or set of the key in ARGV[4], with `...` after
-- it, once the key is known to be absent or to hold a `kind`.
local function read(kind, command, ...)
  local key = ARGV[4]
  expect(key, kind)
  return { 'ok', redis.call(command, items_key(key), ...) }
end

-- ARGV: key, start, stop.
function ops.range()
  return read('list', 'LRANGE', ARGV[5], ARGV[6])
end

function ops.llen()
  return read('list', 'LLEN')
end

-- ARGV: key, item, '1' to remove every equal item.
function ops.lrem()
  local key, item = ARGV[4], ARGV[5]
  local charge, existed = expect(key, 'list')
  if not existed then
    return { 'ok', 0 }
  end
  local native = items_key(key)
  local removed = redis.call('LREM', native, ARGV[6] == '1' and 0 or 1, item)
  if removed > 0 then
    local freed = removed * (#item + ITEM_OVERHEAD)
    shrink(key, 'L', charge, freed, redis.call('LLEN', native) == 0)
  end
  return { 'ok', removed }
end

-- ARGV: key, the kind to remove ('list' or 'set').
function ops.clear()
  local key, wanted = ARGV[4], ARGV[5]
  local charge, existed = expect(key, wanted)
  if existed then
    shrink(key, '', charge, charge, true)
  end
  return { 'ok', existed and 1 or 0 }
end

-- ARGV: key, then the members.
function ops.sadd()
  local key = ARGV[4]
  local charge, existed = expect(key, 'set')
  local members = args_from(5)
  if #members == 0 then
    return { 'ok', 0 }
  end
  check_items(key, members)
  local native = items_key(key)
  local new = distinct_where(native, members, false)
  if #new > 0 then
    grow(key, existed, charge, charge_of(new), 'S', function()
      batched('SADD', native, new)
    end)
  end
  return { 'ok', #new }
end

-- ARGV: key, then the members.
function ops.srem()
  local key = ARGV[4]
  local charge, existed = expect(key, 'set')
  if not existed then
    return { 'ok', 0 }
  end
  local native = items_key(key)
  local gone = distinct_where(native, args_from(5), true)
  if #gone > 0 then
    batched('SREM', native, gone)
    shrink(key, 'S', charge, charge_of(gone), redis.call('SCARD', native) == 0)
  end
  return { 'ok', #gone }
end

-- ARGV: key, then for `sismember` the member. Answers in no order (the client sorts).
function ops.smembers()
  return read('set', 'SMEMBERS')
end

function ops.sismember()
  return read('set', 'SISMEMBER', ARGV[5])
end

function ops.scard()
  return read('set', 'SCARD')
end

-- SUNION or SINTER of the sets under the keys in ARGV from 4 on (a missing one is empty).
local function combine(command)
  local natives = {}
  for n = 4, #ARGV do
    expect(ARGV[n], 'set')
    table.insert(natives, items_key(ARGV[n]))
  end
  if #natives == 0 then
    return { 'ok', {} }
  end
  return { 'ok', redis.call(command, unpack(natives)) }
end

function ops.sunion()
  return combine('SUNION')
end

function ops.sinter()
  return combine('SINTER')
end

local function run(keys, args)
  KEYS, ARGV = keys, args
  g, reg, cur, vals, idx, meta = keys[1], keys[2], keys[3], keys[4], keys[5], keys[6]
  base = vals:sub(1, -2)
  op, bucket, prefix = args[1], args[2], args[3]
  fields, numbers = nil, nil
  has_deadlines = redis.call('EXISTS', deadlines()) == 1
  if has_deadlines then
    purge(bucket)
    has_deadlines = redis.call('EXISTS', deadlines()) == 1
  end
  local ok, answer = pcall(ops[op])
  if ok then
    return answer
  end
  if type(answer) == 'table' and answer.refusal then
    return answer.refusal
  end
  error(answer)
end

redis.register_function(FUNCTION, run)
