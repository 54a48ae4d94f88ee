-- The write path: every check against the limits, then the writes.

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

-- The most arguments one `unpack` is given: Lua's stack refuses ~8,000.
local SLICE = 2000

-- Call `f` with `args` unpacked, a slice of SLICE at a time; `f` is told whether the slice is
-- the first.
local function in_slices(args, f)
  for first = 1, #args, SLICE do
    f(first == 1, unpack(args, first, math.min(first + SLICE - 1, #args)))
  end
end

-- Run `command` on `key` with `args`, in slices short enough for `unpack` (as `in_slices`
-- cuts them, without making a function per call: every write runs this).
local function batched(command, key, args)
  for first = 1, #args, SLICE do
    redis.call(command, key, unpack(args, first, math.min(first + SLICE - 1, #args)))
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

-- The write of one key (`set`, its lifetime and if-absent variants, `swap`): the checks and
-- writes `plan` and `commit` make for one pair, in their order, without their tables (every
-- plain set runs this).
local function set_one(key, value)
  local committed, create = open_for_write()
  check_sizes(key, value)
  local kind, old = entry_of(key)
  local total = old and committed - old + #value or committed + #key + #value + ENTRY_OVERHEAD
  check_total(total, committed)
  if not old then
    check('entries', redis.call('ZCARD', idx) + 1, 'le')
  end
  if create then
    create_bucket()
  end
  local stamp = string.format('%016x', redis.call('HINCRBY', meta, 'st', 1))
  if kind and kind ~= 'bytes' then
    redis.call('DEL', items_key(key))
    redis.call('HDEL', kinds(), key)
  end
  redis.call('HSET', vals, key, stamp .. value)
  if has_deadlines then
    redis.call('ZREM', deadlines(), key)
  end
  if not old then
    redis.call('ZADD', idx, 0, key)
  end
  if total ~= committed then
    redis.call('HINCRBY', g, 'bytes', dec(total - committed))
  end
  if not old then
    redis.call('HINCRBY', g, 'entries', 1)
  end
end
