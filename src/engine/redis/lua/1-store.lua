-- The store's fields, limits and usage; key names; what a key holds.

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

-- The fields `read_fields` reads: the limits, then the usage.
local FIELDS = {}
for n = 1, #LIMITS do
  FIELDS[n] = LIMITS[n]
end
for n = 1, #USAGE do
  FIELDS[#LIMITS + n] = USAGE[n]
end

local function read_fields()
  fields, numbers = {}, {}
  local stored = redis.call('HMGET', g, unpack(FIELDS))
  for n, name in ipairs(FIELDS) do
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
