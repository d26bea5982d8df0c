-- outbox_take: takes (or renews) a shard's outbox lease for this node and
-- returns the entries after the cursor; nil when another node holds the
-- lease, and the lease is let go at once when there is nothing to do.
-- KEYS: 1 lease, 2 cursor, 3 outbox stream (all in the shard)
-- ARGV: 1 this node's token, 2 lease ms, 3 most entries to return
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return false
end
local from = redis.call('GET', KEYS[2]) or '0-0'
local entries = redis.call('XRANGE', KEYS[3], '(' .. from, '+', 'COUNT',
  ARGV[3])
if #entries == 0 then
  if holder then
    redis.call('DEL', KEYS[1])
  end
  return entries
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return entries
