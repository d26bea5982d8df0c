-- What the routing steps share. Routing state lives in one hash slot:
-- every key starts with the prefix P ('{r}:', passed by the caller, which
-- also names one of the keys in KEYS so a cluster sends the step to the
-- slot's primary). A prelude: scripts/embed-lua puts it first.
--   P..'board'     zset: waiting (queue score), held (1e13 + arrival),
--                  assigned (2e13 + assigned_at)
--   P..'cv:'..C    hash: one conversation's routing state
--   P..'wait'      hash: waiting conv -> "class:customer" (snapshots)
--   P..'held'      zset: held conv -> when its tier opens
--   P..'offers'    zset: offered conv -> when the offer ends
--   P..'ag:'..A    hash: one agent (status, seen, gone, capacity, load, ...)
--   P..'agents'    zset: agent -> last heartbeat (listed for a day)
--   P..'live'      zset: agents not gone -> last heartbeat (the tick's)
--   P..'aa:'..A    set: conversations assigned to A
--   P..'ao:'..A    set: conversations offered to A
--   P..'served'    zset: "class:conv:gen" -> when it was assigned
--   P..'ob'        stream: what conversation slots must follow
--   P..'v'         string: the queue's version
--   P..'ch'        channel: notices to every node

local ROUTE_HELD = 10000000000000
local ROUTE_ASSIGNED = 20000000000000
local ROUTE_CLOSED_TTL = 86400

local function route_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function route_fmt(n)
  return string.format('%d', n)
end

-- "U" + 4-hex length + user id + payload: a notice for one user's
-- connections, wherever they are.
local function route_tell(P, user, payload)
  redis.call('SPUBLISH', P .. 'ch', string.format('U%04x', #user) .. user
    .. payload)
end

-- The queue changed (a waiting conversation came, left or moved).
local function route_queue_changed(P)
  local v = redis.call('INCR', P .. 'v')
  redis.call('SPUBLISH', P .. 'ch', 'Q' .. v)
end

-- An agent's presence or load changed.
local function route_agent_changed(P, agent)
  redis.call('SPUBLISH', P .. 'ch', 'P' .. agent)
end

local function route_csv_has(csv, id)
  if not csv or csv == '' then
    return false
  end
  for v in string.gmatch(csv, '[^,]+') do
    if v == id then
      return true
    end
  end
  return false
end

-- Adds id to the comma list in field f of hash h (once).
local function route_csv_add(h, f, id)
  local d = redis.call('HGET', h, f)
  if not route_csv_has(d, id) then
    redis.call('HSET', h, f, (d and d ~= '') and (d .. ',' .. id) or id)
  end
end

-- Ends the offer of conversation c (offered to agent): it waits again. An
-- agent who declined is not offered it again; one who let the offer
-- expire is passed over until nobody else can take it ('missed').
local function route_withdraw(P, c, agent, reason)
  local cv = P .. 'cv:' .. c
  redis.call('ZREM', P .. 'offers', c)
  redis.call('SREM', P .. 'ao:' .. agent, c)
  redis.call('HINCRBY', P .. 'ag:' .. agent, 'offers', -1)
  redis.call('HDEL', cv, 'offer', 'offer_until')
  if reason == 'declined' then
    route_csv_add(cv, 'declined', agent)
  elseif reason == 'expired' then
    route_csv_add(cv, 'missed', agent)
  end
  route_tell(P, agent, 'w' .. c .. ':' .. reason)
  route_agent_changed(P, agent)
end

-- The routing outbox entry of a decision about conversation c, for its
-- conversation's slot; f holds the fields after k, c and g.
local function route_entry(P, c, gen, f)
  local e = {'k', 'R', 'c', c, 'g', route_fmt(gen)}
  for i = 1, #f do
    e[#e + 1] = f[i]
  end
  redis.call('XADD', P .. 'ob', '*', unpack(e))
  return e
end

-- Takes conversation c from agent (load and set), for a transfer, a
-- requeue or a close.
local function route_release(P, c, agent, now)
  redis.call('SREM', P .. 'aa:' .. agent, c)
  redis.call('HINCRBY', P .. 'ag:' .. agent, 'load', -1)
  redis.call('HSET', P .. 'ag:' .. agent, 'idle_since', route_fmt(now))
  route_agent_changed(P, agent)
end

-- Gives conversation c to agent: state, board, load.
local function route_give(P, c, agent, name, now)
  local cv = P .. 'cv:' .. c
  redis.call('HSET', cv, 'state', 'assigned', 'agent', agent,
    'agent_name', name, 'assigned_at', route_fmt(now))
  redis.call('ZADD', P .. 'board', ROUTE_ASSIGNED + now, c)
  redis.call('SADD', P .. 'aa:' .. agent, c)
  redis.call('HINCRBY', P .. 'ag:' .. agent, 'load', 1)
  redis.call('HSET', P .. 'ag:' .. agent, 'idle_since', route_fmt(now))
  route_agent_changed(P, agent)
end

-- Puts conversation c back in the queue at its original place.
local function route_requeue(P, c)
  local cv = P .. 'cv:' .. c
  local m = redis.call('HMGET', cv, 'score', 'customer', 'class')
  redis.call('HSET', cv, 'state', 'waiting')
  redis.call('HDEL', cv, 'agent', 'agent_name')
  redis.call('ZADD', P .. 'board', m[1], c)
  redis.call('HSET', P .. 'wait', c, (m[3] or '') .. ':' .. (m[2] or ''))
  route_queue_changed(P)
end

-- Leaves the queue: assigned now (the service rate counts it).
local function route_served(P, c, class, gen, now, window)
  redis.call('HDEL', P .. 'wait', c)
  redis.call('ZADD', P .. 'served', now, class .. ':' .. c .. ':' .. gen)
  redis.call('ZREMRANGEBYSCORE', P .. 'served', '-inf', now - window)
  route_queue_changed(P)
end

-- An agent's record, created or refreshed from the token.
local function route_agent_init(P, agent, name, capacity, skills, admin, now)
  local ag = P .. 'ag:' .. agent
  if redis.call('EXISTS', ag) == 0 then
    redis.call('HSET', ag, 'status', 'online', 'load', 0, 'offers', 0,
      'idle_since', route_fmt(now))
  end
  redis.call('HSET', ag, 'name', name, 'capacity', capacity,
    'skills', skills, 'admin', admin)
end

-- Free room of an agent for one more conversation, given its record
-- fields capacity, load, offers.
local function route_room(capacity, load, offers)
  return (tonumber(capacity) or 0) - (tonumber(load) or 0)
    - (tonumber(offers) or 0)
end

-- Every conversation of agent back to the queue (the agent went offline),
-- each at its original place. Returns their routing outbox entries.
local function route_requeue_all(P, agent, now)
  local out = {}
  for _, c in ipairs(redis.call('SMEMBERS', P .. 'aa:' .. agent)) do
    local cv = P .. 'cv:' .. c
    local name = redis.call('HGET', cv, 'agent_name') or ''
    route_release(P, c, agent, now)
    route_requeue(P, c)
    local gen = redis.call('HINCRBY', cv, 'gen', 1)
    out[#out + 1] = route_entry(P, c, gen, {'a', '', 'n', '', 'p', agent,
      'pn', name, 'v', 'offline', 'b', '', 'bn', '', 'br', '', 'x', '',
      't', route_fmt(now), 'i', ''})
  end
  return out
end
