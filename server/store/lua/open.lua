-- open: creates a conversation exactly once and announces it.
-- The conversation id is derived from (customer, client_id), so a retried
-- open finds the conversation it created and returns the original ack; a
-- different request under the same client_id (another fingerprint) is
-- refused. Every key is in the conversation's shard: the indexes in other
-- slots (customer, organization, site, open, active) follow from the
-- outbox entry written here.
-- KEYS: 1 meta hash, 2 event stream, 3 the shard's outbox stream
-- ARGV: 1 conv id, 2 event prefix (unterminated JSON), 3 feed prefix,
--       4 customer id, 5 customer name, 6 context, 7 org, 8 site, 9 tier,
--       10 summary, 11 environment, 12 request fingerprint,
--       13 conversation channel, 14 the shard's feed channel,
--       15 queue class, 16 topic, 17 out of scope 0|1, 18 held until
--       (ms, 0 = not held), 19 the customer's email address ('' = none:
--       where transcripts go, and whom a reply by email must come from),
--       20.. field, value pairs the outbox entry carries for the router
--       (route_enqueue)
-- Returns {duplicate 0|1, seq, ts, outbox entry fields or nothing}.
if redis.call('EXISTS', KEYS[1]) == 1 then
  local m = redis.call('HMGET', KEYS[1], 'customer', 'opened_at', 'fp')
  if m[1] ~= ARGV[4] then
    return redis.error_reply('forbidden')
  end
  if m[3] and m[3] ~= ARGV[12] then
    return redis.error_reply('client_id_reused')
  end
  return {1, 1, tonumber(m[2])}
end

local t = redis.call('TIME')
local ts = t[1] .. string.format('%03d', math.floor(t[2] / 1000))
local tail = ',"seq":1,"ts":' .. ts .. '}'
local event = 'E*o1 ' .. ARGV[2] .. tail

redis.call('HSET', KEYS[1], 'seq', 1, 'status', 'waiting',
  'customer', ARGV[4], 'customer_name', ARGV[5], 'context', ARGV[6],
  'org', ARGV[7], 'site', ARGV[8], 'tier', ARGV[9], 'summary', ARGV[10],
  'environment', ARGV[11], 'opened_at', ts, 'last_at', ts, 'fp', ARGV[12],
  'class', ARGV[15], 'topic', ARGV[16], 'oos', ARGV[17],
  'held_until', ARGV[18], 'email', ARGV[19])
-- Without an address no mail can tell the customer of agents' replies.
if ARGV[19] == '' then
  redis.call('HSET', KEYS[1], 'nt', '-')
end
redis.call('XADD', KEYS[2], '0-1', 'e', event)
local entry = {'k', 'o', 'c', ARGV[1], 't', ts, 'u', ARGV[4],
  'o', ARGV[7], 's', ARGV[8]}
for i = 20, #ARGV do
  entry[#entry + 1] = ARGV[i]
end
redis.call('XADD', KEYS[3], '*', unpack(entry))
redis.call('SPUBLISH', ARGV[13], event)
redis.call('SPUBLISH', ARGV[14], string.format('F%04x', #ARGV[4]) .. ARGV[4]
  .. ARGV[3] .. tail)
return {0, 1, tonumber(ts), entry}
