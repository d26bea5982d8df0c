-- route_seen: a node's heartbeat for the agents connected to it. An
-- agent no node has seen for the grace period is offline (route_tick).
-- KEYS: 1 the board
-- ARGV: 1 P, 2.. agent ids
-- Returns the number of agents that came back from offline.
local P = ARGV[1]
local now = route_now()
local back = 0
for i = 2, #ARGV do
  local ag = P .. 'ag:' .. ARGV[i]
  if redis.call('EXISTS', ag) == 1 then
    redis.call('HSET', ag, 'seen', route_fmt(now))
    redis.call('ZADD', P .. 'agents', now, ARGV[i])
    redis.call('ZADD', P .. 'live', now, ARGV[i])
    if redis.call('HGET', ag, 'gone') == '1' then
      redis.call('HSET', ag, 'gone', 0)
      route_agent_changed(P, ARGV[i])
      back = back + 1
    end
  end
end
return back
