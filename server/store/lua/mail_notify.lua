-- mail_notify: the look at one conversation the schedule planned. Given
-- what the conversation holds now (its last seq, the customer's read
-- position, whether it is open), queues one notification job for the
-- events after both the read position and the last notification, and
-- records it; then plans the next look if a reply came meanwhile, else
-- forgets the conversation. The job is built and its messages filtered
-- (agents' messages only) when it is sent.
-- KEYS: 1 the schedule (P..'nudge')
-- ARGV: 1 P, 2 conv, 3 seq now, 4 customer's read position, 5 '1' when
--       the conversation is open and has an address, 6 now (ms),
--       7 delay (ms), 8 guard (s)
-- Returns 1 when a job was queued, else 0.
local P, c = ARGV[1], ARGV[2]
local seq, read = tonumber(ARGV[3]), tonumber(ARGV[4])
local done = tonumber(redis.call('HGET', P .. 'ns', c) or '0')
local lo = math.max(read, done)
local queued = 0
if ARGV[5] == '1' and seq > lo then
  local id = 'n.' .. c .. '.' .. ARGV[3]
  if redis.call('SET', P .. 'id:' .. id, '1', 'NX', 'EX', ARGV[8]) then
    redis.call('XADD', P .. 'q', '*', 'id', id, 'k', 'n', 't', ARGV[6],
      'c', c, 'lo', string.format('%d', lo), 'hi', ARGV[3])
    queued = 1
  end
  redis.call('HSET', P .. 'ns', c, ARGV[3])
  redis.call('HSET', P .. 'nlast', c, ARGV[6])
end
local asked = tonumber(redis.call('HGET', P .. 'nreq', c) or '0')
if asked > seq then
  redis.call('ZADD', KEYS[1], string.format('%d',
    tonumber(ARGV[6]) + tonumber(ARGV[7])), c)
else
  redis.call('ZREM', KEYS[1], c)
  redis.call('HDEL', P .. 'nreq', c)
end
return queued
