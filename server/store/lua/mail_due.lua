-- mail_due: the conversations whose planned look (mail_nudge) is due. They
-- stay planned until mail_notify has looked, so a node that stops
-- meanwhile leaves them for the next; a look is put off a little while a
-- node makes it, so two nodes rarely make the same one (and if they do,
-- the notification's guard keeps it to one mail).
-- KEYS: 1 the schedule (P..'nudge')
-- ARGV: 1 P, 2 now (ms), 3 how many, 4 put off by (ms)
-- Returns the conversation ids.
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[2], 'BYSCORE',
  'LIMIT', 0, tonumber(ARGV[3]))
local later = string.format('%d', tonumber(ARGV[2]) + tonumber(ARGV[4]))
for _, c in ipairs(due) do
  redis.call('ZADD', KEYS[1], 'XX', later, c)
end
return due
