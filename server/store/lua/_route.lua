-- What the routing steps share. Routing state lives in one hash slot:
-- every key starts with the prefix P ('{r}:', passed by the caller, which
-- also names one of the keys in KEYS so a cluster sends the step to the
-- slot's primary). A prelude: scripts/embed-lua puts it first.
--   P..'board'     zset: waiting (queue score), held (1e13 + arrival),
--                  assigned (2e13 + assigned_at)
--   P..'q:'..S     zset: the waiting conversations needing skill S ('' for
--                  none), by queue score: what the tick offers from
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
--   P..'v', 'av'   string: the queue's version; the agents' version
--   P..'scan'      hash: what the tick's last scan saw (sig), and when
--                  a dedicated window it waited on ends (due)
--   P..'ch'        channel: notices to every node

-- Lists of ids (declined, missed, dedicated engineers, skills) are kept
-- as one string joined by ROUTE_SEP, a control character: ids and
-- skills never hold one (tokens refuse them), so any id is safe in them.

local ROUTE_HELD = 10000000000000
local ROUTE_ASSIGNED = 20000000000000
local ROUTE_CLOSED_TTL = 86400
local ROUTE_SEP = '\31'

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

-- The queue changed (a waiting conversation came, left or moved). Steps
-- that move many call it once.
local function route_queue_changed(P)
  local v = redis.call('INCR', P .. 'v')
  redis.call('SPUBLISH', P .. 'ch', 'Q' .. v)
end

-- An agent's presence or load changed.
local function route_agent_changed(P, agent)
  redis.call('INCR', P .. 'av')
  redis.call('SPUBLISH', P .. 'ch', 'P' .. agent)
end

local function route_list_has(list, id)
  if not list or list == '' then
    return false
  end
  return string.find(ROUTE_SEP .. list .. ROUTE_SEP,
    ROUTE_SEP .. id .. ROUTE_SEP, 1, true) ~= nil
end

-- Adds id to the list in field f of hash h (once).
local function route_list_add(h, f, id)
  local d = redis.call('HGET', h, f)
  if not route_list_has(d, id) then
    redis.call('HSET', h, f, (d and d ~= '') and (d .. ROUTE_SEP .. id) or id)
  end
end

-- A conversation waits: on the board, in its skill's queue, and known to
-- the position snapshots.
local function route_wait_add(P, c, score, skill, class, customer)
  redis.call('ZADD', P .. 'board', score, c)
  redis.call('ZADD', P .. 'q:' .. skill, score, c)
  redis.call('HSET', P .. 'wait', c, class .. ':' .. customer)
end

-- It stops waiting (assigned or closed); the board is the caller's.
local function route_wait_rem(P, c, skill)
  redis.call('ZREM', P .. 'q:' .. skill, c)
  return redis.call('HDEL', P .. 'wait', c)
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
    route_list_add(cv, 'declined', agent)
  elseif reason == 'expired' then
    route_list_add(cv, 'missed', agent)
  end
  route_tell(P, agent, 'w' .. c .. ':' .. reason)
  route_agent_changed(P, agent)
end

-- The next generation of conversation c's routing: never smaller than
-- Redis TIME in ms, so it keeps growing even after a failover lost the
-- last decisions of this slot (the conversation's slot keeps the highest
-- it applied and skips anything not newer).
local function route_next_gen(P, c, now)
  local cv = P .. 'cv:' .. c
  local g = math.max((tonumber(redis.call('HGET', cv, 'gen')) or 0) + 1, now)
  redis.call('HSET', cv, 'gen', route_fmt(g))
  return g
end

-- The routing outbox entry of a decision about conversation c, for its
-- conversation's slot; f holds the fields after k, c and g. Returns the
-- entry and its stream id.
local function route_entry(P, c, gen, f)
  local e = {'k', 'R', 'c', c, 'g', route_fmt(gen)}
  for i = 1, #f do
    e[#e + 1] = f[i]
  end
  local id = redis.call('XADD', P .. 'ob', '*', unpack(e))
  return e, id
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

-- Puts conversation c back in the queue at its original place. The caller
-- says the queue changed (once for many).
local function route_requeue(P, c)
  local cv = P .. 'cv:' .. c
  local m = redis.call('HMGET', cv, 'score', 'customer', 'class', 'skill')
  redis.call('HSET', cv, 'state', 'waiting')
  redis.call('HDEL', cv, 'agent', 'agent_name')
  route_wait_add(P, c, m[1], m[4] or '', m[3] or '', m[2] or '')
end

-- Leaves the queue: assigned now (the service rate counts it).
local function route_served(P, c, class, skill, gen, now, window)
  route_wait_rem(P, c, skill)
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
    local gen = route_next_gen(P, c, now)
    local e, id = route_entry(P, c, gen, {'a', '', 'n', '', 'p', agent,
      'pn', name, 'v', 'offline', 'b', '', 'bn', '', 'br', '', 'x', '',
      't', route_fmt(now), 'i', ''})
    redis.call('HSET', cv, 'le', id)
    out[#out + 1] = e
  end
  if #out > 0 then
    route_queue_changed(P)
  end
  return out
end
