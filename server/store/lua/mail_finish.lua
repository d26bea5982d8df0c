-- mail_finish: what became of one mail job a node took. 'sent': the relay
-- accepted it, it leaves the queue (acknowledged only now, so a node that
-- stops mid-send leaves it for another to send again, with the same
-- Message-ID). 'retry': a temporary failure; the job stays pending and
-- mail_take gives it out again after its wait; the error is kept for the
-- dead letter. 'dead': it can never be sent (the relay refused it, or it
-- names nothing that can be mailed); it moves to the dead letters now.
-- 'skip': nothing to send after all (nothing unread, no address); it
-- leaves the queue.
-- KEYS: 1 the queue (P..'q')
-- ARGV: 1 P, 2 entry id, 3 outcome, 4 why (retry, dead), 5 tries made
-- Returns 1 when the job was still this queue's, 0 otherwise.
local P, q, id, op = ARGV[1], KEYS[1], ARGV[2], ARGV[3]
if op == 'retry' then
  redis.call('HSET', P .. 'err', id, ARGV[4])
  return 1
end
if op == 'dead' then
  local e = redis.call('XRANGE', q, id, id)
  if e[1] then
    local f = e[1][2]
    f[#f + 1] = 'tries'
    f[#f + 1] = ARGV[5]
    f[#f + 1] = 'error'
    f[#f + 1] = ARGV[4]
    redis.call('XADD', P .. 'dead', 'MAXLEN', '~', 10000, '*', unpack(f))
  end
end
redis.call('HDEL', P .. 'err', id)
redis.call('HINCRBY', P .. 'stats', op, 1)
local n = redis.call('XACK', q, 'mailer', id)
redis.call('XDEL', q, id)
return n
