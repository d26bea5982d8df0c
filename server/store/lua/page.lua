-- page: one page of an index (a sorted set scored by time), newest first,
-- strictly after a cursor in (score desc, member desc) order, so entries
-- that share a score are neither skipped nor repeated across pages.
-- KEYS: 1 the index
-- ARGV: 1 highest score ('+inf', a score, or '(' score for old cursors
--       without a member), 2 cursor member ('' = none: everything up to
--       ARGV[1]), 3 entries wanted
-- Returns {member, score, member, score, ...}.
local max, after, want = ARGV[1], ARGV[2], tonumber(ARGV[3])
local top = tonumber(max)
local out, off = {}, 0
while #out < 2 * want do
  local r = redis.call('ZREVRANGEBYSCORE', KEYS[1], max, '-inf',
    'WITHSCORES', 'LIMIT', off, want)
  if #r == 0 then
    break
  end
  for i = 1, #r, 2 do
    local tie = after ~= '' and tonumber(r[i + 1]) == top
    if (not tie or r[i] < after) and #out < 2 * want then
      out[#out + 1] = r[i]
      out[#out + 1] = r[i + 1]
    end
  end
  off = off + #r / 2
end
return out
