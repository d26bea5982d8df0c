-- page_up: one page of an index in ascending order (the routing board:
-- the queue first, then held messages, then assigned conversations),
-- strictly after a cursor in (score asc, member asc) order, so entries
-- that share a score are neither skipped nor repeated across pages.
-- KEYS: 1 the index
-- ARGV: 1 lowest score ('-inf' or a score), 2 cursor member ('' = none:
--       everything from ARGV[1]), 3 entries wanted
-- Returns {member, score, member, score, ...}.
local min, after, want = ARGV[1], ARGV[2], tonumber(ARGV[3])
local low = tonumber(min)
local out, off = {}, 0
while #out < 2 * want do
  local r = redis.call('ZRANGEBYSCORE', KEYS[1], min, '+inf', 'WITHSCORES',
    'LIMIT', off, want)
  if #r == 0 then
    break
  end
  for i = 1, #r, 2 do
    local tie = after ~= '' and tonumber(r[i + 1]) == low
    if (not tie or r[i] > after) and #out < 2 * want then
      out[#out + 1] = r[i]
      out[#out + 1] = r[i + 1]
    end
  end
  off = off + #r / 2
end
return out
