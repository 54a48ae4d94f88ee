-- The write path: every check against the limits, then the writes.

-- The checks of opening the bucket for a write: returns the store's bytes with a bucket created
-- for it charged, and whether it must be created.
local function open_for_write()
  if redis.call('ZSCORE', registry(), bucket) then
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
  redis.call('ZADD', registry(), 0, bucket)
  add_usage('buckets', 1)
  add_usage('bytes', #bucket + BUCKET_OVERHEAD)
end

-- Refuse a new entry in the call's bucket, which holds `len` entries (nil: not read yet), if it
-- would pass the limit of entries per bucket; returns the bucket's entry count once read. The
-- store's count bounds the bucket's: only a limit below it needs the bucket's counted.
local function check_entries(len, added)
  if len == nil and within(number('entries') + added, 'le') then
    return nil
  end
  len = len or redis.call('ZCARD', key_index())
  check('entries', len + added, 'le')
  return len
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

-- Whether `key` and `value` are within the key and value limits (`sizes_within`); refuse them
-- if not (`check_sizes`).
local function sizes_within(key, value)
  return within(#key, 'lk') and within(#value, 'lv')
end

local function check_sizes(key, value)
  if not sizes_within(key, value) then
    check('key', #key, 'lk')
    check('value', #value, 'lv')
  end
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
    w.len = check_entries(w.len, w.added + 1)
    w.total = total
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
  -- Every value the call writes gets the same stamp, the store's next: a stamp only has to
  -- differ from every stamp the key had before. All values go in one HSET (a key written twice
  -- keeps its last value), the new keys into the index in one ZADD.
  local stamp = next_stamp()
  -- Bytes replace a list or set: its items go.
  for _, key in ipairs(w.drop) do
    redis.call('DEL', items_key(key))
    redis.call('HDEL', kinds(), key)
  end
  local flat, written = w.flat, {}
  for n = 1, #flat, 2 do
    if has_deadlines then
      written[#written + 1] = flat[n]
    end
    flat[n], flat[n + 1] = values .. flat[n], stamp .. flat[n + 1]
  end
  batched('HSET', g, flat)
  if has_deadlines then
    batched('ZREM', deadlines(), written)
  end
  if #w.new > 0 then
    local members = {}
    for _, key in ipairs(w.new) do
      table.insert(members, 0)
      table.insert(members, key)
    end
    batched('ZADD', key_index(), members)
  end
  add_usage('bytes', w.total - w.committed)
  add_usage('entries', w.added)
end

-- The write of one key (`set`, its lifetime and if-absent variants, `swap`): the checks and
-- writes `plan` and `commit` make for one pair, in their order, without their tables (every
-- plain set runs this), and with the key's lifetime when `deadline` (milliseconds since the
-- epoch) is given. A key that exists proves its bucket does: only a new key looks the bucket up.
local function set_one(key, value, deadline)
  local kind, old = entry_of(key)
  local committed, create = nil, false
  if not old then
    committed, create = open_for_write()
  end
  check_sizes(key, value)
  -- What the store grows by; a value of the same length as the one it replaces changes no usage.
  local grows = old and #value - old or #key + #value + ENTRY_OVERHEAD
  if grows > 0 then
    check('total', (committed or number('bytes')) + grows, 'lt')
  end
  if not old then
    check_entries(nil, 1)
  end
  if create then
    create_bucket()
  end
  local stamp = next_stamp()
  if kind and kind ~= 'bytes' then
    redis.call('DEL', items_key(key))
    redis.call('HDEL', kinds(), key)
  end
  if deadline then
    -- A value with a lifetime: `E` and the stamp's last 15 digits, then the deadline.
    change(field(key), 'E' .. stamp:sub(2) .. string.format('%013d', deadline) .. value)
    redis.call('ZADD', deadlines(), deadline, key)
    has_deadlines = true
    if limit('x') ~= '1' then
      put_field('x', '1')
    end
  else
    -- The value goes out with the store's fields, in one `HSET` at the end of the call.
    change(key == prefetch_key and prefetch_field or field(key), stamp .. value)
    if has_deadlines then
      redis.call('ZREM', deadlines(), key)
    end
  end
  if not old then
    redis.call('ZADD', key_index(), 0, key)
    add_usage('entries', 1)
  end
  add_usage('bytes', grows)
end
