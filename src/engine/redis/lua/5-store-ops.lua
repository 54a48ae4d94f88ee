-- The whole store: limits, and snapshots out and in.

-- ARGV: the six limits in decimal, in the order of LIMITS.
function ops.set_limits()
  purge_all()
  local new = {}
  for n, name in ipairs(LIMITS) do
    new[name] = ARGV[2 + n]
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
  for _, name in ipairs(redis.call('ZRANGE', registry(), 0, -1)) do
    over('name', #name, new.lk)
    local index = bucket_key(name, 'i')
    over('entries', redis.call('ZCARD', index), new.le)
    if lowered then
      local longest_key, longest_value = 0, 0
      local kinds_of = bucket_key(name, 'k')
      for _, key in ipairs(redis.call('ZRANGE', index, 0, -1)) do
        longest_key = math.max(longest_key, #key)
        local info = redis.call('HGET', kinds_of, key)
        if info then
          for _, item in ipairs(collection_items(items_key_of(name, key), info)) do
            longest_value = math.max(longest_value, #item)
          end
        else
          local len = redis.call('HSTRLEN', g, field_of(name, key)) - STAMP
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
    put_field(name, new[name])
  end
  return { 'ok' }
end

-- Every bucket's name and entries, for a snapshot: {'ok', limits, {name, {key, value, ...}}...},
-- where a list's or set's value is {letter, items...} and a value with a lifetime is
-- {'E', deadline, bytes} (expired ones are gone first).
function ops.dump()
  purge_all()
  local limits = {}
  for _, name in ipairs(LIMITS) do
    table.insert(limits, limit(name))
  end
  local out = { 'ok', limits }
  for _, name in ipairs(redis.call('ZRANGE', registry(), 0, -1)) do
    -- Its keys and values, in the index's order: {key, raw value, ...}.
    local keys = redis.call('ZRANGE', bucket_key(name, 'i'), 0, -1)
    local entries = {}
    in_slices(keys, function(_, ...)
      local part = { ... }
      for n, raw in ipairs(redis.call('HMGET', g, unpack(fields_in(name, part)))) do
        entries[#entries + 1] = part[n]
        entries[#entries + 1] = raw
      end
    end)
    for n = 2, #entries, 2 do
      local raw = entries[n]
      if marked(raw) then
        local letter = raw:sub(1, 1)
        local items = collection_items(items_key_of(name, entries[n - 1]), letter)
        table.insert(items, 1, letter)
        entries[n] = items
      elseif raw:sub(1, 1) == 'E' then
        entries[n] = { 'E', raw:sub(STAMP + 1, STAMP + DEADLINE), payload(raw) }
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
-- bucket its name and its number of entries, and per entry its key, its kind (`b`, `E`, `L` or
-- `S`) and its value (bytes), or (`E`) its deadline and value, or its number of items and the
-- items. Keys whose deadline has passed are written, then removed as if they had expired here.
function ops.load()
  for _, name in ipairs(redis.call('ZRANGE', registry(), 0, -1)) do
    local kinds_of = bucket_key(name, 'k')
    for _, key in ipairs(redis.call('HKEYS', kinds_of)) do
      redis.call('DEL', items_key_of(name, key))
    end
    batched('HDEL', g, fields_in(name, redis.call('ZRANGE', bucket_key(name, 'i'), 0, -1)))
    redis.call('DEL', bucket_key(name, 'i'), bucket_key(name, 'm'), kinds_of, bucket_key(name, 'x'))
  end
  redis.call('DEL', registry(), cursors())
  for n, name in ipairs(LIMITS) do
    put_field(name, ARGV[2 + n])
  end
  put_field('bytes', ARGV[9])
  put_field('entries', ARGV[10])
  put_field('buckets', ARGV[11])
  put_field('gen', dec(number('gen') + 1))
  -- Every loaded value has the stamp 1, the last the store issued.
  put_field('st', '0000000000000001')
  local lifetimes = false
  local n = 12
  while n <= #ARGV do
    local name, count = ARGV[n], tonumber(ARGV[n + 1])
    n = n + 2
    redis.call('ZADD', registry(), 0, name)
    local index = bucket_key(name, 'i')
    for _ = 1, count do
      local key, kind = ARGV[n], ARGV[n + 1]
      redis.call('ZADD', index, 0, key)
      if kind == 'b' then
        redis.call('HSET', g, field_of(name, key), '0000000000000001' .. ARGV[n + 2])
        n = n + 3
      elseif kind == 'E' then
        local deadline = math.min(tonumber(ARGV[n + 2]), 9999999999999)
        redis.call('HSET', g, field_of(name, key),
          'E000000000000001' .. string.format('%013d', deadline) .. ARGV[n + 3])
        redis.call('ZADD', bucket_key(name, 'x'), deadline, key)
        lifetimes = true
        n = n + 4
      else
        local items, charge = {}, 0
        for i = 1, tonumber(ARGV[n + 2]) do
          local item = ARGV[n + 2 + i]
          table.insert(items, item)
          charge = charge + #item + ITEM_OVERHEAD
        end
        n = n + 3 + #items
        batched(kind == 'L' and 'RPUSH' or 'SADD', items_key_of(name, key), items)
        redis.call('HSET', g, field_of(name, key), kind .. '000000000000001')
        redis.call('HSET', bucket_key(name, 'k'), key, kind .. dec(charge))
      end
    end
    redis.call('HSET', bucket_key(name, 'm'), 'rm', 0)
  end
  put_field('x', lifetimes and '1' or '0')
  purge_all()
  return { 'ok' }
end
