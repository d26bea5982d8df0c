-- append: one state-changing event (send, note, claim, close) applied
-- exactly once: checks the idempotency record and what must hold
-- atomically with the write, assigns the next sequence number, stores,
-- stamps Redis TIME and publishes, all in one step so publish order is
-- sequence order. Who may do what was decided by the caller's policy;
-- this only enforces what must be atomic (the conversation exists and is
-- open, the customer owns it when ARGV[3] says so, the agent is assigned).
-- KEYS: 1 meta hash, 2 event stream, 3 idempotency hash, 4 open index,
--       5 the sender's agent index, 6 activity index, 7 read positions
-- ARGV: 1 op, 2 sender id, 3 '1' when the sender must be the customer,
--       4 event prefix (unterminated JSON), 5 conv id, 6 feed prefix or '',
--       7 sender name, 8 idempotency ttl seconds, 9 idempotency field,
--       10 request fingerprint, 11 header tag (audience, kind),
--       12 conversation channel, 13 user feed channel prefix,
--       14 agents channel, 15 retention of a closed conversation in
--       seconds (0 = forever), 16 '' or the last_at the server saw when it
--       decided the conversation was idle (a close by the server applies
--       only if nothing happened since)
-- Returns {duplicate 0|1, seq, ts} or an error reply naming the protocol
-- error code.
-- Redis CPU is the limit of the whole system under load, so this does as
-- few calls as it can: one HMGET for the state, one HSET for seq and
-- last_at, idempotency records as fields of one hash per conversation,
-- and the activity index and the records' expiry refreshed at most once a
-- minute per conversation.
local REFRESH_MS = 60000
local dup = redis.call('HGET', KEYS[3], ARGV[9])
if dup then
  local s, t, fp = string.match(dup, '^(%d+) (%d+) ?(%x*)$')
  if fp ~= '' and fp ~= ARGV[10] then
    return redis.error_reply('client_id_reused')
  end
  return {1, tonumber(s), tonumber(t)}
end

local op, sender = ARGV[1], ARGV[2]
local m = redis.call('HMGET', KEYS[1], 'status', 'customer', 'agent',
  'assigned_seq', 'assigned_at', 'seq', 'last_at', 'refreshed_at')
local status, customer, agent = m[1], m[2], m[3]
if not status then
  return redis.error_reply('not_found')
end
if ARGV[3] == '1' and customer ~= sender then
  return redis.error_reply('forbidden')
end
if status == 'closed' then
  return redis.error_reply('conversation_closed')
end
if ARGV[16] ~= '' and m[7] ~= ARGV[16] then
  return redis.error_reply('not_idle')
end
if op == 'send' and ARGV[3] ~= '1' and agent ~= sender then
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
local n = tonumber(m[6]) + 1
local seq = string.format('%d', n)
local t = redis.call('TIME')
local ts = t[1] .. string.format('%03d', math.floor(t[2] / 1000))
local tail = ',"seq":' .. seq .. ',"ts":' .. ts .. '}'
local event = 'E' .. ARGV[11] .. string.format('%016x', n) .. ' ' ..
  ARGV[4] .. tail

redis.call('XADD', KEYS[2], '0-' .. seq, 'e', event)
redis.call('HSET', KEYS[3], ARGV[9], seq .. ' ' .. ts .. ' ' .. ARGV[10])
-- cseq: the last sequence a customer can see (notes are not theirs).
-- refreshed_at: when the activity index and the records' expiry were
-- last brought up to date (at most once a minute, and on the first write).
local refresh = op ~= 'close' and
  tonumber(ts) - tonumber(m[8] or '0') >= REFRESH_MS
local meta = {'seq', seq, 'last_at', ts}
if string.sub(ARGV[11], 1, 1) == '*' then
  meta[#meta + 1] = 'cseq'
  meta[#meta + 1] = seq
end
if refresh then
  meta[#meta + 1] = 'refreshed_at'
  meta[#meta + 1] = ts
end
redis.call('HSET', KEYS[1], unpack(meta))
if op == 'claim' then
  redis.call('HSET', KEYS[1], 'agent', sender, 'agent_name', ARGV[7],
    'status', 'assigned', 'assigned_seq', seq, 'assigned_at', ts)
  redis.call('ZADD', KEYS[5], ts, ARGV[5])
end
if op == 'close' then
  redis.call('HSET', KEYS[1], 'status', 'closed', 'closed_at', ts)
  redis.call('ZREM', KEYS[4], ARGV[5])
  redis.call('ZREM', KEYS[6], ARGV[5])
  redis.call('EXPIRE', KEYS[3], ARGV[8])
  if ARGV[15] ~= '0' then
    redis.call('EXPIRE', KEYS[1], ARGV[15])
    redis.call('EXPIRE', KEYS[2], ARGV[15])
    redis.call('EXPIRE', KEYS[7], ARGV[15])
  end
elseif refresh then
  redis.call('ZADD', KEYS[6], ts, ARGV[5])
  redis.call('EXPIRE', KEYS[3], ARGV[8])
end
redis.call('PUBLISH', ARGV[12], event)
if ARGV[6] ~= '' then
  local feed = ARGV[6] .. tail
  redis.call('PUBLISH', ARGV[13] .. customer, feed)
  redis.call('PUBLISH', ARGV[14], feed)
end
return {0, n, tonumber(ts)}
