-- route_apply: a routing decision (route_assign, or a requeue when an
-- agent went offline) carried into the conversation's own slot: its
-- events (a note that came with it, the previous agent's left, the new
-- agent's joined), its meta (agent, status), the agent index through the
-- shard's outbox and the feed. Applied once per decision: the decision's
-- generation is kept in the meta (rgen), and an entry of an older or the
-- same generation answers what the newest stored (the ack of a retry).
-- KEYS: 1 meta hash, 2 event stream, 3 the shard's outbox stream,
--       4 idempotency hash
-- ARGV: 1 generation, 2 new agent ('' = back to the queue), 3 its name,
--       4 note event prefix ('' = none), 5 left event prefix ('' = none),
--       6 joined event prefix ('' = none), 7 feed prefix, 8 conversation
--       channel, 9 the shard's feed channel, 10 conv id, 11 "TTL RETENTION"
--       as append's ARGV[9]
-- Returns {duplicate 0|1, seq, ts, outbox entry fields or nothing} or an
-- error reply (not_found, conversation_closed).
local gen = tonumber(ARGV[1])
local m = redis.call('HMGET', KEYS[1], 'status', 'customer', 'rgen', 'rseq',
  'rts', 'seq', 'cseq', 'nseq')
if not m[1] then
  return redis.error_reply('not_found')
end
if (tonumber(m[3]) or 0) >= gen then
  return {1, tonumber(m[4]) or tonumber(m[6]), tonumber(m[5]) or 0}
end
if m[1] == 'closed' then
  redis.call('HSET', KEYS[1], 'rgen', ARGV[1])
  return redis.error_reply('conversation_closed')
end
local ts = append_now()
local n = tonumber(m[6])
local seq, tail
local function put(tag, prefix)
  n = n + 1
  seq = string.format('%d', n)
  local event
  event, tail = append_event(tag, seq, ts, prefix)
  redis.call('XADD', KEYS[2], '0-' .. seq, 'e', event)
  redis.call('SPUBLISH', ARGV[8], event)
end
if ARGV[4] ~= '' then
  local cseq = append_note_cseq(m[7], m[8], m[6])
  put('an', ARGV[4])
  redis.call('HSET', KEYS[1], 'cseq', cseq, 'nseq', seq)
end
if ARGV[5] ~= '' then
  put('*l', ARGV[5])
end
if ARGV[6] ~= '' then
  put('*j', ARGV[6])
end
if not seq then
  redis.call('HSET', KEYS[1], 'rgen', ARGV[1])
  return {1, tonumber(m[6]), 0}
end
redis.call('HSET', KEYS[1], 'seq', seq, 'last_at', ts, 'rgen', ARGV[1],
  'rseq', seq, 'rts', ts)
-- The idempotency records' hash gets its expiry here: append refreshes it
-- only on the sequence numbers its rule picks, which these events may
-- have taken. A field of this decision makes sure the hash exists.
redis.call('HSET', KEYS[4], 'r:' .. ARGV[1], seq)
redis.call('EXPIRE', KEYS[4], string.match(ARGV[11], '^%d+'))
local entry
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], 'agent', ARGV[2], 'agent_name', ARGV[3],
    'status', 'assigned')
  entry = {'k', 'a', 'c', ARGV[10], 't', ts, 'a', ARGV[2]}
  redis.call('XADD', KEYS[3], '*', unpack(entry))
else
  redis.call('HDEL', KEYS[1], 'agent', 'agent_name')
  redis.call('HSET', KEYS[1], 'status', 'waiting')
end
redis.call('SPUBLISH', ARGV[9], string.format('F%04x', #m[2]) .. m[2]
  .. ARGV[7] .. tail)
if entry then
  return {0, n, tonumber(ts), entry}
end
return {0, n, tonumber(ts)}
