-- Values: open, set, delete, counters, compare-and-swap, listings.

-- The bytes under `key`, or nil; refused if the key holds a list or a set.
local function value_of(key)
  local raw = prefetched(key)
  if raw == nil then
    raw = redis.call('HGET', g, field(key))
  end
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
  local removed, freed = {}, 0
  for n, key in ipairs(expired) do
    removed[n] = field_of(name, key)
    freed = freed + #key + redis.call('HSTRLEN', g, removed[n]) - STAMP - DEADLINE + ENTRY_OVERHEAD
  end
  -- A value read ahead may be one of them.
  prefetch_key = nil
  batched('HDEL', g, removed)
  batched('ZREM', bucket_key(name, 'i'), expired)
  batched('ZREM', x, expired)
  redis.call('HINCRBY', bucket_key(name, 'm'), 'rm', #expired)
  add_usage('bytes', -freed)
  add_usage('entries', -#expired)
end

-- Purge every bucket, if any key of the store has had a lifetime.
local function purge_all()
  if limit('x') ~= '1' then
    return
  end
  for _, name in ipairs(redis.call('ZRANGE', registry(), 0, -1)) do
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
  set_one(ARGV[3], ARGV[4])
  return OK
end

-- `E`, as `string.byte` gives it.
local E = 69

-- The most common write, `set` of a key that holds bytes without a lifetime, in a store whose
-- keys never had one (so no bucket has deadlines), with a key, a value and a total within their
-- limits: what `run` and `set_one` do for it, as one step, which `run` tries first (their
-- general steps cost a set ~15% of its Lua time; BENCHMARKS.md). It answers nil, having changed
-- nothing, when any of that is not so; the call then takes the general path, which gives the
-- same answer (or the refusal). `record` is the field of the request's record.
local function quick_set(key, value, record, request)
  local raw = prefetch_raw
  if not raw or #raw <= STAMP or raw:byte(1) == E or limit('x') == '1' or from_before then
    return nil
  end
  if not sizes_within(key, value) then
    return nil
  end
  local grows = #value + STAMP - #raw
  local stamp = following_stamp()
  if grows == 0 then
    redis.call('HSET', g, prefetch_field, stamp .. value, 'st', stamp, record, request)
    return OK
  end
  local total = number('bytes') + grows
  if grows > 0 and not within(total, 'lt') then
    return nil
  end
  redis.call('HSET', g, prefetch_field, stamp .. value, 'st', stamp, record, request, 'bytes',
    dec(total))
  return OK
end

-- The deadline of a lifetime of `ttl_ms` milliseconds from now. The deadline is charged
-- nowhere: the entry's charge stays its value's length. It is kept in 13 digits, so a lifetime
-- past the year 2286 ends then.
local function deadline_in(ttl_ms)
  return math.min(now_ms() + ttl_ms, 9999999999999)
end

-- waSCC's `set` with a lifetime. ARGV: key, value, seconds (at least 1).
function ops.set_ex()
  set_one(ARGV[3], ARGV[4], deadline_in(tonumber(ARGV[5]) * 1000))
  return { 'ok' }
end

-- wasmCloud 0.2's `set` with options. ARGV: key, value, the lifetime in milliseconds ('' for
-- none), '1' to write only if the key does not exist. Answers 1 if it wrote, 0 if the key
-- existed (expired keys are gone by then: `run` purges first).
function ops.set_opts()
  local key = ARGV[3]
  if ARGV[6] == '1' and entry_of(key) then
    return { 'ok', 0 }
  end
  set_one(key, ARGV[4], ARGV[5] ~= '' and deadline_in(tonumber(ARGV[5])) or nil)
  return { 'ok', 1 }
end

function ops.set_many()
  local w = start_write()
  for n = 3, #ARGV, 2 do
    check_sizes(ARGV[n], ARGV[n + 1])
  end
  for n = 3, #ARGV, 2 do
    plan(w, ARGV[n], ARGV[n + 1])
  end
  commit(w)
  return { 'ok' }
end

function ops.delete()
  -- Every key once, with what removing it frees; then one command of each kind removes them.
  local removed, gone, freed, collections = {}, {}, 0, {}
  for n = 3, #ARGV do
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
    batched('HDEL', g, fields_of(removed))
    batched('ZREM', key_index(), removed)
    if has_deadlines then
      batched('ZREM', deadlines(), removed)
    end
    redis.call('HINCRBY', meta(), 'rm', #removed)
    add_usage('bytes', -freed)
    add_usage('entries', -#removed)
  end
  return { 'ok', #removed }
end

-- ARGV: key, delta (decimal), type ('u64' or 's64').
function ops.increment()
  local key, ty = ARGV[3], ARGV[5]
  local w = start_write()
  local current = { neg = false, mag = '0' }
  local text = value_of(key)
  if text then
    current = parse(text, ty)
    if not current then
      refuse('not-a-counter', ty)
    end
  end
  local delta = parse(ARGV[4], ty)
  local sum = signed_add(current, delta)
  if not fits(sum, ty) then
    refuse('overflow', show(current), ARGV[4], ty)
  end
  local value = show(sum)
  check_sizes(key, value)
  plan(w, key, value)
  commit(w)
  return { 'ok', value }
end

-- Where a key stands, for compare-and-swap: generation, stamp ('' if absent), deletions, value,
-- and the kind of collection it holds, if it holds one (its marker is then its stamp).
local function version(key)
  local raw = prefetched(key)
  if raw == nil then
    raw = redis.call('HGET', g, field(key))
  end
  local stamp, value, kind = '', false, nil
  if raw then
    stamp, value, kind = raw:sub(1, STAMP), payload(raw), marked(raw)
  end
  return limit('gen'), stamp, redis.call('HGET', meta(), 'rm') or '0', value, kind
end

function ops.observe()
  local generation, stamp, removals, value, kind = version(ARGV[3])
  if kind then
    refuse('wrong-kind', kind, 'bytes')
  end
  return { 'ok', generation, stamp, removals, value }
end

-- ARGV: key, generation, stamp ('' if absent), deletions, value.
function ops.swap()
  local key = ARGV[3]
  local generation, stamp, removals = version(key)
  if generation ~= ARGV[4] or stamp ~= ARGV[5] or (stamp == '' and removals ~= ARGV[6]) then
    return { 'ok', 0 }
  end
  set_one(key, ARGV[7])
  return { 'ok', 1 }
end

-- One page of the keys in the lexical range from `start` to `stop` of the index: the keys, and
-- whether more follow.
local function page_of(start, stop)
  local size = tonumber(limit('lp'))
  local keys = redis.call('ZRANGE', key_index(), start, stop, 'BYLEX', 'LIMIT', 0, size + 1)
  local more = #keys > size
  if more then
    table.remove(keys)
  end
  return keys, more
end

-- One page of keys after `after` (nil: from the start): the keys, and whether more follow.
local function page(after)
  return page_of(after and ('(' .. after) or '-', '+')
end

-- draft2's and wasmCloud 0.2's listings (after a key, with a prefix). ARGV: the first and last
-- bound of a lexical range of the index (`[` or `(` and a key), worked out by the client: one
-- page of it, and whether more follow.
function ops.page_range()
  local keys, more = page_of(ARGV[3], ARGV[4])
  return { 'ok', keys, more and 1 or 0 }
end

-- The draft's numbered cursors. ARGV: the cursor in decimal, or ''.
function ops.list()
  local after = nil
  local id = ARGV[3]
  if id ~= '' then
    local record = redis.call('HGET', cursors(), id)
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
    redis.call('HSET', cursors(), next_id, #bucket .. ':' .. bucket .. keys[#keys])
    if n > CURSORS then
      redis.call('HDEL', cursors(), dec(n - CURSORS))
    end
    redis.call('HSET', g, 'cursor', dec(n + 1))
  end
  return { 'ok', keys, next_id }
end
