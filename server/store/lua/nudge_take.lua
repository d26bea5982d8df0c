-- nudge_take: what the notification look needs of a conversation, read in
-- its own slot; it also clears the mark that an agent's reply is waiting
-- to be looked at, so the next reply marks it again (and writes the
-- outbox entry that plans the next look).
-- KEYS: 1 meta hash, 2 read positions
-- Returns {seq, the customer's read position, status, email} ('' for
-- what is missing).
local m = redis.call('HMGET', KEYS[1], 'seq', 'customer', 'status', 'email',
  'nt')
if not m[1] then
  return {'0', '0', '', ''}
end
if m[5] and m[5] ~= '-' then
  redis.call('HDEL', KEYS[1], 'nt')
end
local read = m[2] and redis.call('HGET', KEYS[2], m[2]) or false
return {m[1], read or '0', m[3] or '', m[4] or ''}
