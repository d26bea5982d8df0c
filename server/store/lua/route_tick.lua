-- route_tick: the router's round, run by every node (each run is atomic,
-- so nodes never conflict; a second run in a row finds nothing to do).
-- 1. offers past their time are withdrawn (the agent counts as having
--    missed it); 2. agents no node has seen for the grace period go
--    offline and their conversations back to the queue (only when the
--    caller says its heartbeats are current: after an outage every node
--    first sends its own); 3. messages held for their tier's opening
--    enter the queue; 4. the head of the queue is offered: each waiting
--    conversation without an offer, in queue order, to the eligible agent
--    (online, seen lately, room for one more, the skill, has not declined
--    it, a dedicated engineer while the dedicated delay runs) with the
--    fewest open conversations and offers, then idle the longest (the
--    oldest change of load), then the smallest id. An agent who let its
--    offer expire comes last: only when nobody else can take it is it
--    offered round again.
-- The offers are looked for in the queues of the skills the free agents
-- have (and of no skill), at most ARGV[4] from the head of each, merged
-- in queue order: a conversation nobody free can serve costs nothing. A
-- round whose queue, agents and time-based rules are as the last round
-- saw them skips the search.
-- KEYS: 1 the board
-- ARGV: 1 P, 2 presence grace (ms), 3 offer time (ms), 4 conversations
--       looked at per skill queue, 5 how recent an agent's heartbeat must
--       be to get offers (ms), 6 '1' when agents may be marked gone
-- Returns {offers made, entry, entry, ...}: the routing outbox entries of
-- conversations requeued from agents gone offline.
local P = ARGV[1]
local grace, offer_ms, per_queue = tonumber(ARGV[2]), tonumber(ARGV[3]),
  tonumber(ARGV[4])
local fresh = tonumber(ARGV[5])
local now = route_now()
local out = {0}
local moved = false

for _, c in ipairs(redis.call('ZRANGEBYSCORE', P .. 'offers', '-inf', now)) do
  local agent = redis.call('HGET', P .. 'cv:' .. c, 'offer')
  if agent then
    route_withdraw(P, c, agent, 'expired')
  else
    redis.call('ZREM', P .. 'offers', c)
  end
end

if ARGV[6] == '1' then
  for _, a in ipairs(redis.call('ZRANGEBYSCORE', P .. 'live', '-inf',
      now - grace)) do
    local ag = P .. 'ag:' .. a
    redis.call('ZREM', P .. 'live', a)
    if redis.call('HGET', ag, 'gone') ~= '1' then
      redis.call('HSET', ag, 'gone', 1)
      for _, c in ipairs(redis.call('SMEMBERS', P .. 'ao:' .. a)) do
        route_withdraw(P, c, a, 'offline')
      end
      for _, e in ipairs(route_requeue_all(P, a, now)) do
        out[#out + 1] = e
      end
      route_agent_changed(P, a)
    end
  end
end

for _, c in ipairs(redis.call('ZRANGEBYSCORE', P .. 'held', '-inf', now)) do
  redis.call('ZREM', P .. 'held', c)
  if redis.call('HGET', P .. 'cv:' .. c, 'state') == 'held' then
    route_requeue(P, c)
    moved = true
  end
end
if moved then
  route_queue_changed(P)
end

-- The search is skipped when nothing it depends on moved.
local scan = redis.call('HMGET', P .. 'scan', 'sig', 'due')
local sig = (redis.call('GET', P .. 'v') or '0') .. ':'
  .. (redis.call('GET', P .. 'av') or '0')
if scan[1] == sig and now < (tonumber(scan[2]) or 0) then
  return out
end

local free, wanted, skills = {}, {[''] = true}, {''}
for _, a in ipairs(redis.call('ZRANGEBYSCORE', P .. 'live', now - fresh,
    '+inf')) do
  local f = redis.call('HMGET', P .. 'ag:' .. a, 'status', 'gone', 'capacity',
    'load', 'offers', 'skills', 'idle_since')
  local room = route_room(f[3], f[4], f[5])
  if f[1] == 'online' and f[2] ~= '1' and room > 0 then
    local has = {}
    for s in string.gmatch(f[6] or '', '[^' .. ROUTE_SEP .. ']+') do
      has[s] = true
      if not wanted[s] then
        wanted[s] = true
        skills[#skills + 1] = s
      end
    end
    free[#free + 1] = {id = a, room = room, has = has,
      busy = (tonumber(f[4]) or 0) + (tonumber(f[5]) or 0),
      idle = tonumber(f[7]) or 0}
  end
end
-- The next search is due when something changes, and at least every 5 s
-- (a heartbeat that makes an agent recent again changes nothing else).
local due = now + 5000
if #free == 0 then
  redis.call('HSET', P .. 'scan', 'sig', sig, 'due', route_fmt(due))
  return out
end

local heads = {}
for _, s in ipairs(skills) do
  local r = redis.call('ZRANGE', P .. 'q:' .. s, 0, per_queue - 1,
    'WITHSCORES')
  for i = 1, #r, 2 do
    heads[#heads + 1] = {c = r[i], score = tonumber(r[i + 1])}
  end
end
table.sort(heads, function(x, y)
  if x.score ~= y.score then
    return x.score < y.score
  end
  return x.c < y.c
end)

local function better(x, y)
  if not y then
    return true
  end
  if x.busy ~= y.busy then
    return x.busy < y.busy
  end
  if x.idle ~= y.idle then
    return x.idle < y.idle
  end
  return x.id < y.id
end

local left = #free
for _, h in ipairs(heads) do
  local c = h.c
  local cv = P .. 'cv:' .. c
  local m = redis.call('HMGET', cv, 'state', 'offer', 'skill', 'declined',
    'ded', 'ded_until', 'missed')
  if m[1] == 'waiting' and not m[2] then
    local best, refused = nil, false
    local ded_until = tonumber(m[6]) or 0
    local dedicated = m[5] and m[5] ~= '' and now < ded_until
    for _, a in ipairs(free) do
      if a.room > 0 and (not m[3] or m[3] == '' or a.has[m[3]]) then
        if dedicated and not route_list_has(m[5], a.id) then
          due = math.min(due, ded_until) -- others may take it then
        elseif route_list_has(m[7], a.id) then
          refused = true
        elseif not route_list_has(m[4], a.id) and better(a, best) then
          best = a
        end
      end
    end
    if best then
      local until_ms = now + offer_ms
      redis.call('HSET', cv, 'offer', best.id, 'offer_until',
        route_fmt(until_ms))
      redis.call('ZADD', P .. 'offers', until_ms, c)
      redis.call('SADD', P .. 'ao:' .. best.id, c)
      redis.call('HINCRBY', P .. 'ag:' .. best.id, 'offers', 1)
      route_tell(P, best.id, 'o' .. c)
      route_agent_changed(P, best.id)
      best.room = best.room - 1
      best.busy = best.busy + 1
      out[1] = out[1] + 1
      if best.room == 0 then
        left = left - 1
        if left == 0 then
          break
        end
      end
    elseif refused then
      -- every eligible agent let its offer expire once: round again
      redis.call('HDEL', cv, 'missed')
      due = now
    end
  end
end
-- What this search saw; offers made above moved the agents' version, so
-- the next round looks once more and then rests.
redis.call('HSET', P .. 'scan', 'sig', sig, 'due', route_fmt(due))
return out
