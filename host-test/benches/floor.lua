#!lua name=memkv_floor
-- The least a set can do in a Redis Function and still check the limits, keep the usage, give
-- the value a new stamp and record its answer for a retry: one read and one write, every value
-- and the store's fields in one hash (KEYS[1]). memkv.lua does more (a bucket's values in a hash
-- of their own, so a read of the old value's length of its own); this measures the floor under
-- any layout. ARGV: key, value, request id.

redis.register_function('floor_empty', function()
  return { 'ok' }
end)

redis.register_function('floor_set', function(keys, args)
  local key, value, request = args[1], args[2], args[3]
  local field = 'v' .. key
  local f = redis.call('HMGET', keys[1], field, 'lk', 'lv', 'lt', 'bytes', 'st')
  if #key > tonumber(f[2] or 65536) or #value > tonumber(f[3] or 16777216) then
    return { 'quota' }
  end
  local old, bytes = f[1], tonumber(f[5] or 0)
  local total = bytes + #value + (old and 16 - #old or #key + 64)
  if total > bytes and total > tonumber(f[4] or 1073741824) then
    return { 'quota' }
  end
  local stamp = string.format('%016x', tonumber(f[6] or '0', 16) + 1)
  redis.call('HSET', keys[1], field, stamp .. value, 'st', stamp, 'bytes', total,
    'q' .. request:sub(-3), request)
  return { 'ok' }
end)
