-- route_assign: who has a conversation, decided atomically in the
-- routing slot: never two agents on one conversation, never an agent
-- over capacity, whichever nodes race. Writes the decision to the
-- routing outbox; the conversation's own slot follows (route_apply).
-- Modes: claim (the actor picks a waiting one), accept (the actor takes
-- the one offered to it), takeover (an admin takes it, from anyone),
-- transfer (the holder or an admin hands it to another online agent with
-- room), queue (the holder or an admin puts it back at its place).
-- KEYS: 1 the board
-- ARGV: 1 P, 2 mode, 3 conv, 4 actor id, 5 actor name, 6 actor capacity,
--       7 actor skills (a ROUTE_SEP list), 8 actor is admin 0|1, 9 target agent
--       (transfer), 10 client id, 11 note text ('' none), 12 service
--       window (ms), 13 actor role (agent|admin)
-- Returns {duplicate 0|1, gen, entry fields or nothing} or an error reply
-- naming the protocol error code. A request retried (the same actor and
-- client id) gets its decision's entry again while the outbox still holds
-- it (applying it again is harmless), or nothing once it was applied;
-- the same client id for another request is client_id_reused.
local P, mode, c, actor = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local aname, admin = ARGV[5], ARGV[8] == '1'
local cv = P .. 'cv:' .. c
local m = redis.call('HMGET', cv, 'state', 'agent', 'offer', 'offer_until',
  'class', 'gen', 'lc', 'lg', 'lf', 'le', 'skill')
local state, holder, offer = m[1], m[2], m[3]
if not state then
  return redis.error_reply('not_found')
end
local key = actor .. ROUTE_SEP .. ARGV[10]
local fp = mode .. ROUTE_SEP .. ARGV[9]
if m[7] == key then
  if m[9] ~= fp then
    return redis.error_reply('client_id_reused')
  end
  local again = m[10] and redis.call('XRANGE', P .. 'ob', m[10], m[10])
  if again and again[1] then
    return {1, tonumber(m[8]), again[1][2]}
  end
  return {1, tonumber(m[8])}
end
if state == 'closed' then
  return redis.error_reply('conversation_closed')
end
local now = route_now()
route_agent_init(P, actor, aname, ARGV[6], ARGV[7], ARGV[8], now)

local function room_of(agent)
  local a = redis.call('HMGET', P .. 'ag:' .. agent, 'capacity', 'load',
    'offers')
  local offers = tonumber(a[3]) or 0
  if offer == agent then
    offers = offers - 1 -- the room this offer holds is its own
  end
  return route_room(a[1], a[2], offers)
end

-- A claim or a takeover is the agent's own choice: it goes before the
-- offers the router made them. When only pending offers fill their
-- capacity, as many as needed are withdrawn ('busy').
local function make_room(agent)
  if room_of(agent) > 0 then
    return true
  end
  for _, oc in ipairs(redis.call('SMEMBERS', P .. 'ao:' .. agent)) do
    if oc ~= c then
      route_withdraw(P, oc, agent, 'busy')
      if room_of(agent) > 0 then
        return true
      end
    end
  end
  return false
end

local function decided(agent, name, prev, prev_name, via)
  local gen = route_next_gen(P, c, now)
  local e, id = route_entry(P, c, gen, {'a', agent, 'n', name, 'p', prev,
    'pn', prev_name, 'v', via, 'b', actor, 'bn', aname, 'br', ARGV[13],
    'x', ARGV[11], 't', route_fmt(now), 'i', ARGV[10]})
  redis.call('HSET', cv, 'lc', key, 'lg', route_fmt(gen), 'lf', fp, 'le', id)
  return {0, gen, e}
end

-- From the queue (waiting, offered or held) to agent.
local function from_queue(agent, name, via)
  if offer then
    route_withdraw(P, c, offer, offer == agent and 'accepted' or 'taken')
  end
  redis.call('ZREM', P .. 'held', c)
  route_give(P, c, agent, name, now)
  local r = decided(agent, name, '', '', via)
  route_served(P, c, m[5] or 'normal', m[11] or '', r[2], now,
    tonumber(ARGV[12]))
  return r
end

if mode == 'claim' or mode == 'accept' or mode == 'takeover' then
  if state == 'assigned' and holder == actor then
    return {1, tonumber(m[6])}
  end
  if mode == 'accept' and (offer ~= actor or tonumber(m[4]) < now) then
    return redis.error_reply('no_offer')
  end
  if state == 'assigned' and mode ~= 'takeover' then
    return redis.error_reply('already_assigned')
  end
  if (mode == 'accept' and room_of(actor) <= 0)
      or (mode ~= 'accept' and not make_room(actor)) then
    return redis.error_reply('over_capacity')
  end
  if state ~= 'assigned' then
    return from_queue(actor, aname, mode == 'accept' and 'offer' or mode)
  end
  local prev_name = redis.call('HGET', cv, 'agent_name') or ''
  route_release(P, c, holder, now)
  route_give(P, c, actor, aname, now)
  return decided(actor, aname, holder, prev_name, 'takeover')
end

-- transfer, queue: the conversation must be held, by the actor unless an
-- admin acts.
if state ~= 'assigned' or (holder ~= actor and not admin) then
  return redis.error_reply('not_assigned')
end
local prev_name = redis.call('HGET', cv, 'agent_name') or ''
if mode == 'queue' then
  route_release(P, c, holder, now)
  route_list_add(cv, 'declined', holder)
  route_requeue(P, c)
  route_queue_changed(P)
  return decided('', '', holder, prev_name, 'queue')
end
local target = ARGV[9]
if target == holder then
  return {1, tonumber(m[6])}
end
local t = redis.call('HMGET', P .. 'ag:' .. target, 'name', 'status', 'gone',
  'capacity', 'load', 'offers')
if not t[1] or t[3] == '1' or t[2] ~= 'online'
    or route_room(t[4], t[5], t[6]) <= 0 then
  return redis.error_reply('agent_unavailable')
end
route_release(P, c, holder, now)
route_give(P, c, target, t[1], now)
return decided(target, t[1], holder, prev_name, 'transfer')
