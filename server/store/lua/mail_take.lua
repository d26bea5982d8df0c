-- mail_take: the mail jobs this node should send now, from the queue's
-- consumer group: first those due again (a send that failed, or a node
-- that stopped mid-send: pending longer than the wait its tries earned),
-- then new ones. A job sent as often as allowed goes to the dead letters
-- with its last error instead.
-- The wait after try n is the first retry doubled n - 1 times, capped;
-- XCLAIM's minimum idle time makes taking a job over atomic, so two
-- nodes never both take it. The pending list is walked from a cursor,
-- so jobs waiting long do not hide the ones behind them.
-- KEYS: 1 the queue (P..'q')
-- ARGV: 1 P, 2 consumer (the node), 3 new jobs wanted, 4 tries allowed,
--       5 first retry (ms), 6 longest wait (ms), 7 jobs due wanted
-- Returns {{id, fields, tries so far}, ...} and the dead-lettered count.
local P, q, g = ARGV[1], KEYS[1], 'mailer'
local tries, first, cap = tonumber(ARGV[4]), tonumber(ARGV[5]),
  tonumber(ARGV[6])
redis.pcall('XGROUP', 'CREATE', q, g, '0', 'MKSTREAM')
local out, dead = {}, 0

local function wait_after(n)
  local w = first
  for _ = 2, n do
    w = w * 2
    if w >= cap then
      return cap
    end
  end
  return math.min(w, cap)
end

local function bury(id, n)
  local e = redis.call('XRANGE', q, id, id)
  if e[1] then
    local f = e[1][2]
    f[#f + 1] = 'tries'
    f[#f + 1] = tostring(n)
    f[#f + 1] = 'error'
    f[#f + 1] = redis.call('HGET', P .. 'err', id) or 'no answer'
    redis.call('XADD', P .. 'dead', 'MAXLEN', '~', 10000, '*', unpack(f))
  end
  redis.call('XACK', q, g, id)
  redis.call('XDEL', q, id)
  redis.call('HDEL', P .. 'err', id)
  dead = dead + 1
end

local cursor = redis.call('GET', P .. 'pc') or '-'
local pend = redis.call('XPENDING', q, g, 'IDLE', first, cursor, '+', 100)
if #pend < 100 then
  redis.call('DEL', P .. 'pc')
else
  redis.call('SET', P .. 'pc', '(' .. pend[#pend][1])
end
local want = tonumber(ARGV[7])
for _, p in ipairs(pend) do
  if #out >= want then
    break
  end
  local id, n = p[1], p[4]
  if n >= tries then
    bury(id, n)
  else
    local c = redis.call('XCLAIM', q, g, ARGV[2], wait_after(n), id)
    if c[1] and c[1][2] then
      out[#out + 1] = {c[1][1], c[1][2], n}
    end
  end
end
if tonumber(ARGV[3]) > 0 then
  local fresh = redis.call('XREADGROUP', 'GROUP', g, ARGV[2], 'COUNT',
    ARGV[3], 'STREAMS', q, '>')
  if fresh and fresh[1] then
    for _, e in ipairs(fresh[1][2]) do
      out[#out + 1] = {e[1], e[2], 0}
    end
  end
end
return {out, dead}
