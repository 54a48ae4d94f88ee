-- The one function: set the call's state, run the operation, answer or refuse.

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
