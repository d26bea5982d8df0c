-- email_reply: a customer's reply by email appended to the conversation
-- as a message of channel email, exactly once (the idempotency record of
-- a client id made from the mail's Message-ID). A closed conversation is
-- reopened first, in the same step: a 'reopened' event everyone sees,
-- status waiting, no agent, its epoch (ep) one higher, what the close set
-- to expire kept again (append_revive), and an outbox entry (kind 'r')
-- that puts it back in the open and active indexes and in the queue with
-- its tier's class (route_enqueue re-creates a routing state closed under
-- an older epoch). Events are published as append publishes them, and the
-- feed says the conversation waits again.
-- KEYS (all in the conversation's shard): 1 meta hash, 2 event stream,
--       3 idempotency hash, 4 the shard's outbox stream, 5 read positions
-- ARGV: 1 customer id (the sender), 2 message event prefix (unterminated
--       JSON), 3 idempotency field, 4 request fingerprint, 5 conversation
--       channel, 6 "TTL RETENTION" as append's ARGV[9], 7 conv id,
--       8 reopened event prefix, 9 feed prefix (requeued), 10 the shard's
--       feed channel, 11 held until (ms, 0 = not held: a reply out of
--       chat hours waits for the opening), 12.. field, value pairs the
--       outbox entry carries for the router (route_enqueue)
-- Returns {duplicate 0|1, seq, ts, outbox entry fields or nothing} or an
-- error reply (not_found, forbidden, client_id_reused).
local dup = redis.call('HGET', KEYS[3], ARGV[3])
if dup then
  return append_replay(dup, ARGV[4])
end
local m = redis.call('HMGET', KEYS[1], 'status', 'customer', 'seq', 'ep',
  'org')
local refused = append_refused(m[1], m[2], ARGV[1], true)
if refused and refused ~= 'conversation_closed' then
  return redis.error_reply(refused)
end
local ttl = append_expiry(ARGV[6])
local n = tonumber(m[3])
local ts = append_now()
local entry
if m[1] == 'closed' then
  n = n + 1
  local _, tail = append_put(KEYS[2], ARGV[5], '*r', string.format('%d', n),
    ts, ARGV[8])
  local ep = string.format('%d', (tonumber(m[4]) or 0) + 1)
  redis.call('HSET', KEYS[1], 'status', 'waiting', 'ep', ep,
    'reopened_at', ts, 'held_until', ARGV[11])
  redis.call('HDEL', KEYS[1], 'agent', 'agent_name', 'closed_at')
  append_revive(KEYS[1], KEYS[2], KEYS[3], KEYS[5], ttl)
  entry = {'k', 'r', 'c', ARGV[7], 't', ts, 'u', m[2], 'o', m[5] or '',
    'ep', ep}
  for i = 12, #ARGV do
    entry[#entry + 1] = ARGV[i]
  end
  redis.call('XADD', KEYS[4], '*', unpack(entry))
  redis.call('SPUBLISH', ARGV[10], string.format('F%04x', #m[2]) .. m[2]
    .. ARGV[9] .. tail)
end
n = n + 1
local seq = string.format('%d', n)
append_put(KEYS[2], ARGV[5], '*m', seq, ts, ARGV[2])
redis.call('HSET', KEYS[3], ARGV[3], seq .. ' ' .. ts .. ' ' .. ARGV[4])
redis.call('HSET', KEYS[1], 'seq', seq, 'last_at', ts)
if entry or append_refresh_due(n) then
  redis.call('EXPIRE', KEYS[3], ttl)
end
if entry then
  return {0, n, tonumber(ts), entry}
end
return {0, n, tonumber(ts)}
