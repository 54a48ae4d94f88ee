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
  local stamp = letter .. next_stamp():sub(2)
  redis.call('HSET', g, field(key), stamp)
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
    check_entries(nil, 1)
  end
  if create then
    create_bucket()
  end
  apply()
  mark(key, letter, charge + added)
  if not existed then
    redis.call('ZADD', key_index(), 0, key)
    add_usage('entries', 1)
  end
  add_usage('bytes', total - committed)
end

-- Take `freed` bytes of removed items off the collection under `key`, or remove the key if
-- `emptied` (its last item went), as a delete does.
local function shrink(key, letter, charge, freed, emptied)
  if emptied then
    redis.call('DEL', items_key(key))
    redis.call('HDEL', kinds(), key)
    redis.call('HDEL', g, field(key))
    redis.call('ZREM', key_index(), key)
    redis.call('HINCRBY', meta(), 'rm', 1)
    add_usage('bytes', -(#key + charge + ENTRY_OVERHEAD))
    add_usage('entries', -1)
    return
  end
  mark(key, letter, charge - freed)
  add_usage('bytes', -freed)
end

function ops.kind()
  return { 'ok', (entry_of(ARGV[3])) or '' }
end

-- ARGV: key, '1' to push at the front, then the items.
function ops.push()
  local key, front = ARGV[3], ARGV[4] == '1'
  local charge, existed = expect(key, 'list')
  local items = args_from(5)
  local native = items_key(key)
  if #items > 0 then
    local added = check_items(key, items)
    grow(key, existed, charge, added, 'L', function()
      batched(front and 'LPUSH' or 'RPUSH', native, items)
    end)
  end
  return { 'ok', redis.call('LLEN', native) }
end

-- The answer of `command` on the native list or set of the key in ARGV[3], with `...` after
-- it, once the key is known to be absent or to hold a `kind`.
local function read(kind, command, ...)
  local key = ARGV[3]
  expect(key, kind)
  return { 'ok', redis.call(command, items_key(key), ...) }
end

-- ARGV: key, start, stop.
function ops.range()
  return read('list', 'LRANGE', ARGV[4], ARGV[5])
end

function ops.llen()
  return read('list', 'LLEN')
end

-- ARGV: key, item, '1' to remove every equal item.
function ops.lrem()
  local key, item = ARGV[3], ARGV[4]
  local charge, existed = expect(key, 'list')
  if not existed then
    return { 'ok', 0 }
  end
  local native = items_key(key)
  local removed = redis.call('LREM', native, ARGV[5] == '1' and 0 or 1, item)
  if removed > 0 then
    local freed = removed * (#item + ITEM_OVERHEAD)
    shrink(key, 'L', charge, freed, redis.call('LLEN', native) == 0)
  end
  return { 'ok', removed }
end

-- ARGV: key, the kind to remove ('list' or 'set').
function ops.clear()
  local key, wanted = ARGV[3], ARGV[4]
  local charge, existed = expect(key, wanted)
  if existed then
    shrink(key, '', charge, charge, true)
  end
  return { 'ok', existed and 1 or 0 }
end

-- ARGV: key, then the members.
function ops.sadd()
  local key = ARGV[3]
  local charge, existed = expect(key, 'set')
  local members = args_from(4)
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
  local key = ARGV[3]
  local charge, existed = expect(key, 'set')
  if not existed then
    return { 'ok', 0 }
  end
  local native = items_key(key)
  local gone = distinct_where(native, args_from(4), true)
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
  return read('set', 'SISMEMBER', ARGV[4])
end

function ops.scard()
  return read('set', 'SCARD')
end

-- SUNION or SINTER of the sets under the keys in ARGV from 4 on (a missing one is empty): one
-- command per slice of keys (`in_slices`), the slices' answers combined here.
local function combine(command)
  local natives = {}
  for n = 3, #ARGV do
    expect(ARGV[n], 'set')
    table.insert(natives, items_key(ARGV[n]))
  end
  local result = {}
  in_slices(natives, function(first, ...)
    local part = redis.call(command, ...)
    if first then
      result = part
    else
      local seen = {}
      if command == 'SUNION' then
        for _, member in ipairs(result) do
          seen[member] = true
        end
        for _, member in ipairs(part) do
          if not seen[member] then
            seen[member] = true
            table.insert(result, member)
          end
        end
      else
        for _, member in ipairs(part) do
          seen[member] = true
        end
        local kept = {}
        for _, member in ipairs(result) do
          if seen[member] then
            table.insert(kept, member)
          end
        end
        result = kept
      end
    end
  end)
  return { 'ok', result }
end

function ops.sunion()
  return combine('SUNION')
end

function ops.sinter()
  return combine('SINTER')
end
