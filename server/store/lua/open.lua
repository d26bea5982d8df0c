-- open: creates a conversation exactly once and announces it.
-- The conversation id is derived from (customer, client_id), so a retried
-- open finds the conversation it created and returns the original ack.
-- KEYS: 1 meta hash, 2 event stream, 3 customer index, 4 open index,
--       5 org index (optional), 6 site index (optional)
-- ARGV: 1 conv id, 2 event prefix (unterminated JSON), 3 feed prefix,
--       4 customer id, 5 customer name, 6 context, 7 org, 8 site, 9 tier,
--       10 summary, 11 environment
-- Returns {duplicate 0|1, seq, ts}.
if redis.call('EXISTS', KEYS[1]) == 1 then
  local m = redis.call('HMGET', KEYS[1], 'customer', 'opened_at')
  if m[1] ~= ARGV[4] then
    return redis.error_reply('forbidden')
  end
  return {1, 1, tonumber(m[2])}
end

local t = redis.call('TIME')
local ts = string.format('%.0f', t[1] * 1000 + math.floor(t[2] / 1000))
local tail = ',"seq":1,"ts":' .. ts .. '}'
local event = ARGV[2] .. tail

redis.call('HSET', KEYS[1], 'seq', 1, 'status', 'waiting',
  'customer', ARGV[4], 'customer_name', ARGV[5], 'context', ARGV[6],
  'org', ARGV[7], 'site', ARGV[8], 'tier', ARGV[9], 'summary', ARGV[10],
  'environment', ARGV[11], 'opened_at', ts, 'last_at', ts)
redis.call('XADD', KEYS[2], '0-1', 'e', event)
redis.call('ZADD', KEYS[3], ts, ARGV[1])
redis.call('ZADD', KEYS[4], ts, ARGV[1])
for i = 5, #KEYS do
  redis.call('ZADD', KEYS[i], ts, ARGV[1])
end
redis.call('PUBLISH', 'c:' .. ARGV[1], event)
local feed = ARGV[3] .. tail
redis.call('PUBLISH', 'u:' .. ARGV[4], feed)
redis.call('PUBLISH', 'agents', feed)
return {0, 1, tonumber(ts)}
