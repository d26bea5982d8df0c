-- outbox_done: the lease holder has applied the entries up to ARGV[2]:
-- moves the cursor there and deletes them. A node that lost its lease
-- meanwhile changes nothing (the new holder applies them again; every
-- consumer is idempotent). ARGV[3] '1' lets the lease go.
-- KEYS: 1 lease, 2 cursor, 3 outbox stream (all in the shard)
-- ARGV: 1 this node's token, 2 id of the last entry applied, 3 release
-- Returns 1, or 0 when the lease was lost.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('XTRIM', KEYS[3], 'MINID', ARGV[2])
redis.call('XDEL', KEYS[3], ARGV[2])
if ARGV[3] == '1' then
  redis.call('DEL', KEYS[1])
end
return 1
