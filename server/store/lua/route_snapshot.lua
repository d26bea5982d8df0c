-- route_snapshot: the queue as one consistent picture, for the positions
-- nodes show their waiting customers: the version, the waiting
-- conversations in order with "class:customer", and how many of each
-- class were served in the service window.
-- KEYS: 1 the board
-- ARGV: 1 P, 2 service window (ms)
-- Returns {version, {conv, "class:customer", ...}, {class, served, ...}}.
local P = ARGV[1]
local now = route_now()
local who = {}
local all = redis.call('HGETALL', P .. 'wait')
for i = 1, #all, 2 do
  who[all[i]] = all[i + 1]
end
local order = {}
for _, c in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf',
    '(' .. ROUTE_HELD)) do
  order[#order + 1] = c
  order[#order + 1] = who[c] or ':'
end
local counts, served = {}, {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', P .. 'served',
    now - tonumber(ARGV[2]), '+inf')) do
  local class = string.match(m, '^[^:]*')
  counts[class] = (counts[class] or 0) + 1
end
for class, n in pairs(counts) do
  served[#served + 1] = class
  served[#served + 1] = n
end
return {tonumber(redis.call('GET', P .. 'v') or '0'), order, served}
