-- append: one state-changing event (send, note, claim, close) applied
-- exactly once: checks the idempotency key and the sender's rights,
-- assigns the next sequence number, stores, stamps Redis TIME and
-- publishes, all in one step so publish order is sequence order.
-- KEYS: 1 meta hash, 2 event stream, 3 idempotency hash, 4 open index,
--       5 the sender's agent index
-- ARGV: 1 op, 2 sender id, 3 sender role, 4 event prefix (unterminated
--       JSON), 5 conv id, 6 feed prefix or '', 7 sender name,
--       8 idempotency ttl seconds (counted from the close),
--       9 idempotency field (sender and client id)
-- Returns {duplicate 0|1, seq, ts} or an error reply naming the protocol
-- error code.
-- Redis CPU is the limit of the whole system under load, so this does as
-- few calls as it can: one HMGET for the state and the sequence, one HSET
-- for both, and idempotency records as fields of one hash per
-- conversation rather than a key with its own expiry per message.
local dup = redis.call('HGET', KEYS[3], ARGV[9])
if dup then
  local s, t = string.match(dup, '^(%d+) (%d+)$')
  return {1, tonumber(s), tonumber(t)}
end

local op, sender, role = ARGV[1], ARGV[2], ARGV[3]
local m = redis.call('HMGET', KEYS[1], 'status', 'customer', 'agent',
  'assigned_seq', 'assigned_at', 'seq')
local status, customer, agent = m[1], m[2], m[3]
if not status then
  return redis.error_reply('not_found')
end
if role == 'customer' then
  if customer ~= sender or (op ~= 'send' and op ~= 'close') then
    return redis.error_reply('forbidden')
  end
end
if status == 'closed' then
  return redis.error_reply('conversation_closed')
end
if op == 'send' and role ~= 'customer' and agent ~= sender then
  return redis.error_reply('not_assigned')
end
if op == 'claim' and agent then
  if agent ~= sender then
    return redis.error_reply('already_assigned')
  end
  return {1, tonumber(m[4]), tonumber(m[5])}
end

-- Numbers become strings once, with %d: Lua's own conversion (and Redis's
-- for numeric arguments) goes through floating-point printf, which showed
-- in Redis's profile.
local seq = string.format('%d', tonumber(m[6]) + 1)
local t = redis.call('TIME')
local ts = t[1] .. string.format('%03d', math.floor(t[2] / 1000))
local tail = ',"seq":' .. seq .. ',"ts":' .. ts .. '}'
local event = ARGV[4] .. tail

redis.call('XADD', KEYS[2], '0-' .. seq, 'e', event)
redis.call('HSET', KEYS[3], ARGV[9], seq .. ' ' .. ts)
redis.call('HSET', KEYS[1], 'seq', seq, 'last_at', ts)
if op == 'claim' then
  redis.call('HSET', KEYS[1], 'agent', sender, 'agent_name', ARGV[7],
    'status', 'assigned', 'assigned_seq', seq, 'assigned_at', ts)
  redis.call('ZADD', KEYS[5], ts, ARGV[5])
elseif op == 'close' then
  redis.call('HSET', KEYS[1], 'status', 'closed', 'closed_at', ts)
  redis.call('ZREM', KEYS[4], ARGV[5])
  redis.call('EXPIRE', KEYS[3], ARGV[8])
end
redis.call('PUBLISH', 'c:' .. ARGV[5], event)
if ARGV[6] ~= '' then
  local feed = ARGV[6] .. tail
  redis.call('PUBLISH', 'u:' .. customer, feed)
  if op == 'claim' then
    redis.call('PUBLISH', 'u:' .. sender, feed)
  elseif agent then
    redis.call('PUBLISH', 'u:' .. agent, feed)
  end
  redis.call('PUBLISH', 'agents', feed)
end
return {0, tonumber(seq), tonumber(ts)}
