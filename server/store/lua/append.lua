-- append: one state-changing event (send, note, close) applied
-- exactly once: checks the idempotency record and what must hold
-- atomically with the write, assigns the next sequence number, stores,
-- stamps Redis TIME and publishes, all in one step so publish order is
-- sequence order. Who may do what was decided by the caller's policy;
-- this only enforces what must be atomic (the conversation exists and is
-- open, the customer owns it when ARGV[3] says so, the agent is assigned).
-- KEYS (all in the conversation's shard): 1 meta hash, 2 event stream,
--       3 idempotency hash; a close also 4 the shard's outbox
--       stream, a close also 5 the read positions
-- ARGV: 1 op, 2 sender id, 3 '1' when the sender must be the customer,
--       4 event prefix (unterminated JSON), 5 idempotency field,
--       6 request fingerprint, 7 header tag (audience, kind),
--       8 conversation channel, 9 "TTL RETENTION": seconds idempotency
--       records are kept after the last activity, and a closed
--       conversation (0 = forever);
--       only for a close: 10 conv id, 11 feed prefix,
--       12 sender name, 13 the shard's feed channel;
--       only for a close by the server: 14 the last_at it saw when it
--       decided the conversation was idle (the close applies only if
--       nothing happened since).
-- Every argument costs Redis CPU on every call, so a message passes only
-- the first nine.
-- A close writes an outbox entry: the indexes in other slots
-- (open, active, the routing state) follow from it.
-- Returns {duplicate 0|1, seq, ts, outbox entry fields or nothing} or an
-- error reply naming the protocol error code.
-- Redis CPU is the limit of the whole system under load, so this does as
-- few calls as it can: one HMGET for the state, one HSET for seq and
-- last_at, idempotency records as fields of one hash per conversation,
-- and the records' expiry refreshed without reading anything more.
-- Messages and notes go through append_batch, which applies them by the
-- same rules (_append_common.lua); this step serves closes,
-- and any single event.
local dup = redis.call('HGET', KEYS[3], ARGV[5])
if dup then
  return append_replay(dup, ARGV[6])
end

local op, sender, must_own = ARGV[1], ARGV[2], ARGV[3] == '1'
-- A note (an event agents only see, not '*') also reads and writes cseq
-- and nseq, in the same HMGET and HSET.
local note = string.byte(ARGV[7]) ~= 42
local m
if note then
  m = redis.call('HMGET', KEYS[1], 'status', 'customer', 'agent', 'seq',
    'cseq', 'nseq')
else
  m = redis.call('HMGET', KEYS[1], 'status', 'customer', 'agent', 'seq')
end
local customer, agent = m[2], m[3]
local refused = append_refused(m[1], customer, sender, must_own)
if refused then
  return redis.error_reply(refused)
end
if ARGV[14] and redis.call('HGET', KEYS[1], 'last_at') ~= ARGV[14] then
  return redis.error_reply('not_idle')
end
if append_unassigned(op, must_own, agent, sender) then
  return redis.error_reply('not_assigned')
end
local n = tonumber(m[4]) + 1
local seq = string.format('%d', n)
local ts = append_now()
local event, tail = append_event(ARGV[7], seq, ts, ARGV[4])

redis.call('XADD', KEYS[2], '0-' .. seq, 'e', event)
redis.call('HSET', KEYS[3], ARGV[5], seq .. ' ' .. ts .. ' ' .. ARGV[6])
if note then
  redis.call('HSET', KEYS[1], 'seq', seq, 'last_at', ts,
    'cseq', append_note_cseq(m[5], m[6], m[4]), 'nseq', seq)
else
  redis.call('HSET', KEYS[1], 'seq', seq, 'last_at', ts)
end
-- The activity index is not touched here: the idle sweep corrects it.
local refresh = op ~= 'close' and append_refresh_due(n)
local entry
if op == 'close' then
  redis.call('HSET', KEYS[1], 'status', 'closed', 'closed_at', ts)
  entry = {'k', 'x', 'c', ARGV[10], 't', ts}
  -- reopened conversations have an epoch: their close carries it
  local ep = redis.call('HGET', KEYS[1], 'ep')
  if ep then
    entry[#entry + 1] = 'ep'
    entry[#entry + 1] = ep
  end
  local ttl, keep = append_expiry(ARGV[9])
  redis.call('EXPIRE', KEYS[3], ttl)
  if keep ~= '0' then
    redis.call('EXPIRE', KEYS[1], keep)
    redis.call('EXPIRE', KEYS[2], keep)
    redis.call('EXPIRE', KEYS[5], keep)
  end
elseif refresh then
  redis.call('EXPIRE', KEYS[3], string.match(ARGV[9], '^%d+'))
end
redis.call('SPUBLISH', ARGV[8], event)
if entry then
  redis.call('XADD', KEYS[4], '*', unpack(entry))
  redis.call('SPUBLISH', ARGV[13], string.format('F%04x', #customer)
    .. customer .. ARGV[11] .. tail)
  return {0, n, tonumber(ts), entry}
end
return {0, n, tonumber(ts)}
