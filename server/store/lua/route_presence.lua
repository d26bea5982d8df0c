-- route_presence: an agent connected (status '': keep what they chose,
-- online the first time) or chose online, away or offline. Away and
-- offline end their pending offers; offline also puts their
-- conversations back in the queue, each at its original place.
-- KEYS: 1 the board
-- ARGV: 1 P, 2 agent, 3 name, 4 capacity, 5 skills (a ROUTE_SEP list),
--       6 admin 0|1, 7 status ('' | online | away | offline)
-- Returns {status, offered conv ids (comma list: conversation ids hold no
-- comma), entry, entry, ...}: the
-- routing outbox entries of the requeued conversations.
local P, agent, status = ARGV[1], ARGV[2], ARGV[7]
local ag = P .. 'ag:' .. agent
local now = route_now()
route_agent_init(P, agent, ARGV[3], ARGV[4], ARGV[5], ARGV[6], now)
redis.call('HSET', ag, 'seen', route_fmt(now), 'gone', 0)
redis.call('ZADD', P .. 'agents', now, agent)
redis.call('ZADD', P .. 'live', now, agent)
if status ~= '' then
  redis.call('HSET', ag, 'status', status)
end
local out = {redis.call('HGET', ag, 'status'), ''}
if status == 'away' or status == 'offline' then
  for _, c in ipairs(redis.call('SMEMBERS', P .. 'ao:' .. agent)) do
    route_withdraw(P, c, agent, status)
  end
end
if status == 'offline' then
  for _, e in ipairs(route_requeue_all(P, agent, now)) do
    out[#out + 1] = e
  end
end
out[2] = table.concat(redis.call('SMEMBERS', P .. 'ao:' .. agent), ',')
route_agent_changed(P, agent)
return out
