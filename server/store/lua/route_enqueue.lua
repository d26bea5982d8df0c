-- route_enqueue: a conversation that opened enters the queue, once (an
-- outbox entry applied again finds it and changes nothing, also after it
-- closed). A message left out of hours is held until its tier opens,
-- then enters with the score of its arrival. A conversation reopened (by
-- an email reply) comes with a higher epoch than the one its routing
-- state closed under: that state is replaced, and it enters again.
-- KEYS: 1 the board (P..'board')
-- ARGV: 1 P, 2 conv, 3 customer, 4 customer name, 5 summary, 6 tier,
--       7 class, 8 the class's head start (ms: the queue score is the
--       opening time minus it), 9 skill, 10 topic, 11 out of scope 0|1,
--       12 dedicated engineers (a ROUTE_SEP list), 13 dedicated delay (ms:
--       only they are offered it until it enters the queue plus this),
--       14 held until (ms, 0 = not held), 15 opened (or reopened) at
--       (ms), 16 org, 17 the conversation's epoch (0 until reopened)
-- Returns 1 when it entered, 0 when it was known.
local P, c = ARGV[1], ARGV[2]
local cv = P .. 'cv:' .. c
local ep = tonumber(ARGV[17]) or 0
local gen = 0
local known = redis.call('HMGET', cv, 'state', 'ep', 'gen')
if known[1] then
  if known[1] ~= 'closed' or (tonumber(known[2]) or 0) >= ep then
    return 0
  end
  gen = known[3] or 0
  redis.call('DEL', cv)
end
local held = tonumber(ARGV[14]) > 0
local enq = tonumber(ARGV[15])
local score = route_fmt(enq - tonumber(ARGV[8]))
redis.call('HSET', cv, 'state', held and 'held' or 'waiting',
  'customer', ARGV[3], 'customer_name', ARGV[4], 'summary', ARGV[5],
  'tier', ARGV[6], 'class', ARGV[7], 'score', score, 'skill', ARGV[9],
  'topic', ARGV[10], 'oos', ARGV[11], 'ded', ARGV[12],
  'ded_until', route_fmt(math.max(enq, tonumber(ARGV[14]))
    + tonumber(ARGV[13])),
  'held_until', ARGV[14], 'enq', ARGV[15],
  'org', ARGV[16], 'gen', gen, 'ep', ep)
if held then
  redis.call('ZADD', P .. 'held', ARGV[14], c)
  redis.call('ZADD', KEYS[1], ROUTE_HELD + enq, c)
  return 1
end
route_wait_add(P, c, score, ARGV[9], ARGV[7], ARGV[3])
route_queue_changed(P)
return 1
