-- read: moves a participant's read position forward (never back), capped
-- at the conversation's last sequence, and relays it to the watchers.
-- KEYS: 1 meta hash, 2 read-position hash
-- ARGV: 1 reader id, 2 '1' when the reader must be the customer, 3 seq,
--       4 conversation channel, 5 relay payload (ends just before the seq
--       value)
-- Returns the reader's read position after the call.
local m = redis.call('HMGET', KEYS[1], 'customer', 'seq')
if not m[2] then
  return redis.error_reply('not_found')
end
if ARGV[2] == '1' and m[1] ~= ARGV[1] then
  return redis.error_reply('forbidden')
end
local want = math.min(tonumber(ARGV[3]), tonumber(m[2]))
local cur = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if want <= cur then
  return cur
end
redis.call('HSET', KEYS[2], ARGV[1], want)
redis.call('SPUBLISH', ARGV[4], ARGV[5] .. want .. '}')
return want
