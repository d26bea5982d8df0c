-- mail_nudge: an agent replied in a conversation whose customer has not
-- read everything: look again after the delay (or, when the customer was
-- notified lately, once the gap since then has passed). A look already
-- planned stays as planned, so replies meanwhile go in one mail. The
-- highest sequence asked about is kept, so a reply that comes while a
-- look is being made plans the next one (mail_notify).
-- KEYS: 1 the schedule (P..'nudge')
-- ARGV: 1 P, 2 conv, 3 the reply's seq, 4 its time (ms), 5 delay (ms),
--       6 gap (ms)
-- Returns 1 when a look was planned now, 0 when one was already.
local P, c = ARGV[1], ARGV[2]
local seq = tonumber(ARGV[3])
local asked = tonumber(redis.call('HGET', P .. 'nreq', c) or '0')
if seq > asked then
  redis.call('HSET', P .. 'nreq', c, ARGV[3])
end
local last = tonumber(redis.call('HGET', P .. 'nlast', c) or '0')
local at = math.max(tonumber(ARGV[4]) + tonumber(ARGV[5]),
  last + tonumber(ARGV[6]))
return redis.call('ZADD', KEYS[1], 'NX', string.format('%d', at), c)
