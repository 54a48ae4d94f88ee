-- The store's fields, limits and usage; key names; what a key holds.

local function refuse(...)
  error({ refusal = { ... } })
end

local function dec(n)
  return string.format('%.0f', n)
end

local LIMITS = { 'lk', 'lv', 'lt', 'le', 'lb', 'lp' }

-- The store's hash `g` holds, beside the limits: the usage (`bytes`, `entries`, `buckets`), the
-- last write stamp issued in the store (`st`), whether any key has had a lifetime (`x`, '1'),
-- the generation (`gen`, bumped by every load), the draft's next cursor (`cursor`) and the ring
-- of recent writes' answers (`q000` to `qfff`, `7-run.lua`).

-- A store written before the stamp was the store's: its buckets' stamps count from 1 in each
-- bucket, so the store's count starts above any of them (2^52: Lua's doubles count exactly to
-- 2^53).
local FIRST_STORE_STAMP = '0010000000000000'

-- The fields of `g` every call reads (HOT: a set of a key that exists needs no other), and the
-- rest (COLD), read the first time a call needs one; where each is in its list, and its text
-- when the store has none (`st`, the last stamp issued, is 16 hex digits). (Loops by number:
-- the library's loading has no `ipairs`.)
local HOT = { 'st', 'x', 'bytes', 'lk', 'lv', 'lt' }
local COLD = { 'entries', 'buckets', 'gen', 'le', 'lb', 'lp' }
local AT, ABSENT = {}, {}
for n = 1, #HOT do
  AT[HOT[n]], ABSENT[HOT[n]] = n, DEFAULTS[HOT[n]] or '0'
end
for n = 1, #COLD do
  AT[COLD[n]], ABSENT[COLD[n]] = #HOT + n, DEFAULTS[COLD[n]] or '0'
end
-- HOT and, after them, the field of the key a call reads ahead (its slot is set before every
-- use, so a call that fails midway leaves nothing behind for the next).
local HOT_AND_KEY = {}
for n = 1, #HOT do
  HOT_AND_KEY[n] = HOT[n]
end
ABSENT.st = '0000000000000000'
local HOTS = #HOT

-- The limits and the store's state as read at the start of every call (`HOT`, then `COLD`
-- once needed; a field the call changed put in its place), those the call needed as numbers,
-- and the fields the call changed, names and values, written with one command at its end
-- (`write_fields`): a set of a key that exists sends the store's hash one read and one write.
-- Lua converts text to numbers slowly, so only what a call uses is converted, and a limit only
-- when a length comes near it (`within`); and it makes tables slowly, so the changes are the
-- first `changes` items of one table, emptied after each call.
local stored, cold_read, numbers = nil, false, nil
local CHANGED, changes = {}, 0
-- Whether the call's store was written by a memkv-redis from before (`read_fields`).
local from_before = false

local function limit(name)
  local at = AT[name]
  local text = stored[at]
  if text then
    return text
  end
  if at > HOTS and not cold_read then
    local cold = redis.call('HMGET', g, unpack(COLD))
    for n = 1, #COLD do
      -- A cold field the call has already changed keeps its new value.
      if stored[HOTS + n] == nil then
        stored[HOTS + n] = cold[n]
      end
    end
    cold_read = true
  end
  return stored[at] or ABSENT[name]
end

-- A limit or a state field as a number.
local function number(name)
  numbers = numbers or {}
  local n = numbers[name]
  if not n then
    n = tonumber(limit(name))
    numbers[name] = n
  end
  return n
end

-- Change the field `name` of `g` (written at the end of the call, in order: a field changed
-- twice gets its last value).
local function change(name, value)
  CHANGED[changes + 1], CHANGED[changes + 2] = name, value
  changes = changes + 2
end

local function put_field(name, value)
  stored[AT[name]] = value
  if numbers then
    numbers[name] = nil
  end
  change(name, value)
end

-- The old value of the key an operation names (`key`, PREFETCH in `7-run.lua`), read with the
-- store's fields: the raw value, or false if the key is absent; nil for any other key.
local prefetch_key, prefetch_raw, prefetch_field = nil, nil, nil

local function prefetched(key)
  if key == prefetch_key then
    return prefetch_raw
  end
  return nil
end

local function read_fields(key)
  cold_read, numbers, changes, prefetch_key, prefetch_raw = false, nil, 0, nil, nil
  if key then
    prefetch_field = values .. key
    HOT_AND_KEY[HOTS + 1] = prefetch_field
    stored = redis.call('HMGET', g, unpack(HOT_AND_KEY))
    prefetch_key, prefetch_raw = key, stored[HOTS + 1]
    stored[HOTS + 1] = nil
  else
    stored = redis.call('HMGET', g, unpack(HOT))
  end
  -- `bytes` without `st`: a store from before; its keys may have lifetimes, its values are in
  -- a hash per bucket (`run` moves them), and its record of answers was a key of its own (`q`),
  -- whose records stay behind.
  from_before = stored[AT.bytes] and not stored[AT.st]
  if from_before then
    put_field('st', FIRST_STORE_STAMP)
    put_field('x', '1')
  end
end

-- Every field of `g` the call changed, in one `HSET`.
local function write_fields()
  if changes > 0 then
    redis.call('HSET', g, unpack(CHANGED, 1, changes))
    for n = 1, changes do
      CHANGED[n] = nil
    end
    changes = 0
  end
end

-- Add `delta` to the usage field `name`.
local function add_usage(name, delta)
  if delta ~= 0 then
    put_field(name, dec(number(name) + delta))
  end
end

-- The next write stamp of the store: 16 hex digits, different from every stamp before it.
-- `following_stamp` works it out; `next_stamp` also records it as the last one issued.
local function following_stamp()
  return string.format('%016x', tonumber(limit('st'), 16) + 1)
end

local function next_stamp()
  local stamp = following_stamp()
  put_field('st', stamp)
  return stamp
end

-- LEAST[d]: the least number of d digits.
local LEAST = {}
for d = 1, 21 do
  LEAST[d] = 10 ^ (d - 1)
end

-- Whether `n` is at most the limit `name`: at once if it has fewer digits.
local function within(n, name)
  return n < LEAST[#limit(name)] or n <= number(name)
end

-- Refuse `needed` if it is over the limit `name`.
local function check(code, needed, name)
  if not within(needed, name) then
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

-- `make` kept from call to call, for names of up to 64 bytes, and at most 64 of them, then all
-- forgotten at once: bucket names' hex and value-field prefixes (Lua converts a number to text
-- slowly, and a name to hex more slowly). Kept small: Redis steps Lua's garbage collector every
-- 50 calls, and a step takes longer the more the library holds, for every call of every
-- function (an empty call took 2.0 µs beside a library holding 680 KB, 1.1 µs beside 128 KB).
local function remembered(make)
  local kept, count = {}, 0
  return function(name)
    local made = kept[name]
    if not made then
      made = make(name)
      if #name <= 64 then
        if count == 64 then
          kept, count = {}, 0
        end
        kept[name], count = made, count + 1
      end
    end
    return made
  end
end

-- The fields of `g` that hold the values of bucket `name` start with `v`, the name's length
-- (so no two buckets' fields meet) and the name; then comes the key. The field of `key` in
-- bucket `name`, and of `key` in the call's bucket.
local function values_of(name)
  return 'v' .. #name .. ':' .. name
end

local function field_of(name, key)
  return values_of(name) .. key
end

local function field(key)
  return values .. key
end

local values_for = remembered(values_of)
local name_hex = remembered(hex)

-- The fields of `keys` in bucket `name`, and in the call's bucket.
local function fields_in(name, keys)
  local start, out = values_of(name), {}
  for n = 1, #keys do
    out[n] = start .. keys[n]
  end
  return out
end

local function fields_of(keys)
  return fields_in(bucket, keys)
end

-- The store's key `suffix`: `g`'s name with another last letter. Its registry of buckets and
-- its cursor table.
local function store_key(suffix)
  store_base = store_base or g:sub(1, -2)
  return store_base .. suffix
end

local function registry()
  return store_key('n')
end

local function cursors()
  return store_key('c')
end

-- The key `suffix` of bucket `name`.
local function bucket_key(name, suffix)
  return store_key('b' .. name_hex(name) .. ':' .. suffix)
end

-- The native list or set of the key `key` of bucket `name`.
local function items_key_of(name, key)
  return bucket_key(name, 'e' .. hex(key))
end

-- The call's bucket's key `suffix`: its index, meta and kinds hash, the native list or set of
-- its key `key`, and its deadlines.
local function own_key(suffix)
  base = base or bucket_key(bucket, '')
  return base .. suffix
end

local function key_index()
  return own_key('i')
end

local function meta()
  return own_key('m')
end

local function kinds()
  return own_key('k')
end

local function items_key(key)
  return own_key('e' .. hex(key))
end

local function deadlines()
  return own_key('x')
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
-- (A set reads its key's old value with the store's fields: `prefetched`.)
local function entry_of(key)
  local len
  local raw = prefetched(key)
  if raw ~= nil then
    if not raw then
      return nil
    end
    len = #raw
    if len > STAMP and raw:sub(1, 1) == 'E' then
      return 'bytes', len - STAMP - DEADLINE
    end
  else
    len = redis.call('HSTRLEN', g, field(key))
    if len == 0 then
      return nil
    end
    if has_deadlines and len > STAMP and redis.call('ZSCORE', deadlines(), key) then
      return 'bytes', len - STAMP - DEADLINE
    end
  end
  if len == STAMP then
    local info = redis.call('HGET', kinds(), key)
    if info then
      return KIND_OF_LETTER[info:sub(1, 1)], tonumber(info:sub(2))
    end
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
