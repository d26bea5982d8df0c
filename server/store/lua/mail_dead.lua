-- mail_dead: what an operator decided for dead letters. 'requeue': each
-- goes back into the queue as a new job with the fields it was queued
-- with (its tries and last error stay behind), so the mailer takes it as
-- new and gives it every try again; its duplicate guard is not consulted,
-- since sending it again is the point. 'drop': it is deleted, never to be
-- sent. A letter is moved or deleted once: the second of two operators
-- asking for the same one finds it gone.
-- KEYS: 1 the dead letters (P..'dead'), 2 the queue (P..'q')
-- ARGV: 1 'requeue' or 'drop', 2.. entry ids; none: every dead letter
-- Returns {how many were requeued or dropped, {ids not found}}.
local dead, q, op = KEYS[1], KEYS[2], ARGV[1]
local done, unknown = 0, {}

local function requeue(fields)
  local f = {}
  for i = 1, #fields - 1, 2 do
    if fields[i] ~= 'tries' and fields[i] ~= 'error' then
      f[#f + 1] = fields[i]
      f[#f + 1] = fields[i + 1]
    end
  end
  if #f > 0 then
    redis.call('XADD', q, '*', unpack(f))
  end
end

local function settle(id, fields)
  if op == 'requeue' then
    requeue(fields)
  end
  redis.call('XDEL', dead, id)
  done = done + 1
end

if #ARGV == 1 then
  for _, e in ipairs(redis.call('XRANGE', dead, '-', '+')) do
    settle(e[1], e[2])
  end
else
  for i = 2, #ARGV do
    local e = redis.call('XRANGE', dead, ARGV[i], ARGV[i])
    if e[1] then
      settle(e[1][1], e[1][2])
    else
      unknown[#unknown + 1] = ARGV[i]
    end
  end
end
return {done, unknown}
