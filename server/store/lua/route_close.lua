-- route_close: a conversation closed: it leaves the queue or its agent
-- (whose load drops), its offer is withdrawn, and its state is kept a
-- day so a late enqueue or decision finds it closed.
-- A close of an older epoch than the routing state's (an outbox entry
-- applied again after the conversation was reopened) changes nothing.
-- KEYS: 1 the board
-- ARGV: 1 P, 2 conv, 3 the epoch the conversation closed in (0 until
--       reopened; absent: 0)
-- Returns 1 when it changed something, 0 when it was already closed.
local P, c = ARGV[1], ARGV[2]
local cv = P .. 'cv:' .. c
local m = redis.call('HMGET', cv, 'state', 'agent', 'offer', 'skill', 'ep')
if m[1] == 'closed' or (tonumber(m[5]) or 0) > (tonumber(ARGV[3]) or 0) then
  return 0
end
local now = route_now()
if m[1] == 'assigned' and m[2] then
  route_release(P, c, m[2], now)
end
if m[3] then
  route_withdraw(P, c, m[3], 'closed')
end
redis.call('ZREM', KEYS[1], c)
redis.call('ZREM', P .. 'held', c)
local waited = route_wait_rem(P, c, m[4] or '')
-- the epoch it closed in, so a late reopen of that epoch finds it closed
redis.call('HSET', cv, 'state', 'closed', 'ep',
  route_fmt(math.max(tonumber(m[5]) or 0, tonumber(ARGV[3]) or 0)))
redis.call('EXPIRE', cv, ROUTE_CLOSED_TTL)
if waited == 1 then
  route_queue_changed(P)
end
return 1
