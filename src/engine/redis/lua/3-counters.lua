-- Decimal counters: digit strings compared and added without Lua's doubles, which cannot hold
-- a u64.
local U64_MAX, S64_MAX, S64_MIN = '18446744073709551615', '9223372036854775807', '9223372036854775808'
local S32_MAX, S32_MIN = '2147483647', '2147483648'

-- The largest magnitude of a counter of type `ty`, negative or not.
local function max_of(ty, negative)
  if ty == 'u64' then
    return U64_MAX
  elseif ty == 's32' then
    return negative and S32_MIN or S32_MAX
  end
  return negative and S64_MIN or S64_MAX
end

local function strip(digits)
  local s = digits:gsub('^0+', '')
  if s == '' then
    return '0'
  end
  return s
end

local function less(a, b)
  if #a ~= #b then
    return #a < #b
  end
  return a < b
end

local function add(a, b)
  local out, carry, i, j = {}, 0, #a, #b
  while i > 0 or j > 0 or carry > 0 do
    local d = carry + (i > 0 and a:byte(i) - 48 or 0) + (j > 0 and b:byte(j) - 48 or 0)
    table.insert(out, 1, string.char(48 + d % 10))
    carry = math.floor(d / 10)
    i, j = i - 1, j - 1
  end
  return strip(table.concat(out))
end

-- a - b for a >= b.
local function sub(a, b)
  local out, borrow, i, j = {}, 0, #a, #b
  while i > 0 do
    local d = a:byte(i) - 48 - borrow - (j > 0 and b:byte(j) - 48 or 0)
    if d < 0 then
      d, borrow = d + 10, 1
    else
      borrow = 0
    end
    table.insert(out, 1, string.char(48 + d))
    i, j = i - 1, j - 1
  end
  return strip(table.concat(out))
end

-- A counter as sign and magnitude, or nil if `text` is not one of type `ty`.
local function parse(text, ty)
  local negative, digits = false, text
  if ty ~= 'u64' and text:sub(1, 1) == '-' then
    negative, digits = true, text:sub(2)
  end
  if digits == '' or digits:find('[^0-9]') then
    return nil
  end
  local mag = strip(digits)
  if less(max_of(ty, negative), mag) then
    return nil
  end
  return { neg = negative and mag ~= '0', mag = mag }
end

local function signed_add(x, y)
  if x.neg == y.neg then
    return { neg = x.neg, mag = add(x.mag, y.mag) }
  end
  if less(x.mag, y.mag) then
    return { neg = y.neg, mag = sub(y.mag, x.mag) }
  end
  local mag = sub(x.mag, y.mag)
  return { neg = x.neg and mag ~= '0', mag = mag }
end

local function show(n)
  return (n.neg and '-' or '') .. n.mag
end

local function fits(n, ty)
  if ty == 'u64' and n.neg then
    return false
  end
  return not less(max_of(ty, n.neg), n.mag)
end
