-- The one function: set the call's state, run the operation, answer or refuse.

-- The operations that change nothing (READS, from Rust's `READS`): sent again, they run again.
-- Every other operation's answer is recorded, with the call's request id (its last argument, 16
-- hex digits), in the store's hash `g`, in the field `q` and the id's last three digits (`q000`
-- to `qfff`): recent writes' answers in constant space, written with the call's other changes
-- to `g`. A call is sent again at once, on a new connection, with `R` in front of its id, and
-- only then is its record looked for: it is still there unless a write to the store in between
-- took the same slot (a chance of 1 in 4,096 per write in between); then it runs again. (The
-- draft's `list` writes only its cursor table: run again, it issues another cursor, and
-- recording its page of keys would cost the most.) The version before named the slots in
-- decimal (`q0` to `q4095`); a store it wrote keeps those fields. A retry never matches one (its
-- id differs), and a new record may take the place of one whose name is also three hex digits.

-- The operations whose key (ARGV[3]) is read with the store's fields: its old value comes in the
-- same `HMGET`.
local PREFETCH = { set = true, set_ex = true, set_opts = true, swap = true, observe = true,
  increment = true }

-- `R`, as `string.byte` gives it.
local R = 82

-- A store written before values moved into `g` kept each bucket's in a hash of its own
-- (`b<hex>:v`): move them, once, in the first call that finds one.
local function move_values_in()
  for _, name in ipairs(redis.call('ZRANGE', registry(), 0, -1)) do
    local old = bucket_key(name, 'v')
    local entries = redis.call('HGETALL', old)
    local start = values_of(name)
    for n = 1, #entries, 2 do
      entries[n] = start .. entries[n]
    end
    batched('HSET', g, entries)
    redis.call('DEL', old)
  end
  prefetch_key = nil
end

local function run(keys, args)
  local last = #args
  local request = args[last]
  args[last] = nil
  -- A call sent again after a lost connection has `R` in front of its id; only such a call can
  -- have been run already.
  local again = request:byte(1) == R
  if again then
    request = request:sub(2)
  end
  g, ARGV, op, bucket = keys[1], args, args[1], args[2]
  store_base, base = nil, nil
  values = values_for(bucket)
  read_fields(PREFETCH[op] and args[3] or nil)
  if from_before then
    move_values_in()
  end
  local record = nil
  if not READS[op] then
    record = 'q' .. request:sub(-3)
  end
  if op == 'set' and record and not again then
    local answer = quick_set(args[3], args[4], record, request)
    if answer then
      return answer
    end
  end
  -- A store whose keys never had a lifetime has no deadlines to look for.
  has_deadlines = limit('x') == '1' and redis.call('EXISTS', deadlines()) == 1
  if has_deadlines then
    purge(bucket)
    has_deadlines = redis.call('EXISTS', deadlines()) == 1
  end
  -- A write sent again after a lost connection: the answer it had, not a second run.
  if record and again then
    local recorded = redis.call('HGET', g, record)
    if recorded and recorded:sub(1, #request) == request then
      write_fields()
      if #recorded == #request then
        return OK
      end
      return cmsgpack.unpack(recorded:sub(#request + 1))
    end
  end
  local ok, answer = pcall(ops[op])
  if not ok then
    if type(answer) == 'table' and answer.refusal then
      answer = answer.refusal
    else
      -- What the call changed in the store's hash goes with what it wrote elsewhere.
      write_fields()
      error(answer)
    end
  end
  if record then
    -- The most common answer, a bare `ok`, is recorded as the request id alone.
    if answer == OK or #answer == 1 and answer[1] == 'ok' then
      change(record, request)
    else
      change(record, request .. cmsgpack.pack(answer))
    end
  end
  write_fields()
  return answer
end

redis.register_function(FUNCTION, run)
