-- route_agents: every agent seen in the last day with its effective
-- presence (offline once no node has seen it for the grace period),
-- load and capacity; or only the agents named.
-- KEYS: 1 the board
-- ARGV: 1 P, 2 presence grace (ms), 3.. agent ids (none: all)
-- Returns {id, name, status, load, capacity, skills, ...}.
local P, grace = ARGV[1], tonumber(ARGV[2])
local now = route_now()
local ids = {}
if #ARGV > 2 then
  for i = 3, #ARGV do
    ids[#ids + 1] = ARGV[i]
  end
else
  redis.call('ZREMRANGEBYSCORE', P .. 'agents', '-inf', now - 86400000)
  ids = redis.call('ZRANGE', P .. 'agents', 0, -1)
end
local out = {}
for _, a in ipairs(ids) do
  local f = redis.call('HMGET', P .. 'ag:' .. a, 'name', 'status', 'gone',
    'seen', 'load', 'capacity', 'skills')
  if f[1] then
    local status = f[2] or 'offline'
    if f[3] == '1' or (tonumber(f[4]) or 0) < now - grace then
      status = 'offline'
    end
    out[#out + 1] = a
    out[#out + 1] = f[1]
    out[#out + 1] = status
    out[#out + 1] = tonumber(f[5]) or 0
    out[#out + 1] = tonumber(f[6]) or 0
    out[#out + 1] = f[7] or ''
  end
end
return out
