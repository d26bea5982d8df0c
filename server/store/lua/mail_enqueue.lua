-- mail_enqueue: queues one outgoing mail, once. The job's id is its
-- duplicate guard: queued again while the guard lives (an outbox entry
-- applied twice, a request retried, a second auto-reply to one sender the
-- same day), it is not queued again.
-- KEYS: 1 the queue stream (P..'q')
-- ARGV: 1 P, 2 job id, 3 seconds the guard lives, 4.. field, value pairs
-- Returns 1 when queued, 0 for a duplicate.
local P = ARGV[1]
if not redis.call('SET', P .. 'id:' .. ARGV[2], '1', 'NX', 'EX', ARGV[3]) then
  return 0
end
local f = {'id', ARGV[2]}
for i = 4, #ARGV do
  f[#f + 1] = ARGV[i]
end
redis.call('XADD', KEYS[1], '*', unpack(f))
return 1
