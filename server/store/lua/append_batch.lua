-- append_batch: the messages and notes of one loop round for one shard,
-- each applied as append would apply it alone (same checks, records,
-- sequence numbers and publish order, by _append_common.lua), and each
-- answered on its own: one refused message never fails the others. Their
-- conversations are all in one shard, so the step stays in one slot.
-- KEYS: per conversation c of the batch (c = 1, 2, ...): 3c-2 meta hash,
--       3c-1 event stream, 3c idempotency hash; last, the shard's
--       outbox stream (append_nudge)
-- ARGV: 1 "TTL RETENTION" as for append, 2 the messages, 2 + c the
--       channel of conversation c.
-- The messages are packed in ARGV[2] one after another, each:
--   8 bytes: the conversation's index c, '1' when the sender must be the
--     customer (else '0'), 's' send or 'n' note, the length of the
--     sender id, of the idempotency field, and of the event prefix
--     (3 bytes, big-endian);
--   then the header tag (2 bytes), the request fingerprint (16 hex), the
--   sender id, the idempotency field, the event prefix.
-- The messages of a conversation should be together (in their order):
-- its state is read when its first message comes and written back when
-- the next conversation starts, so it is read and written once.
-- Returns three elements per message, in order: duplicate 0|1, seq, ts;
-- or for a message refused, its error reply then two zeros.
-- Why this shape (measured with callgrind, see docs/ARCHITECTURE.md):
-- an argument costs Redis about 1k instructions and a Lua table as much,
-- the collector running within the call, so the messages come as one
-- argument and are cut out of it, a conversation's state lives in locals,
-- and the reply is one flat table.
local b = ARGV[2]
local size = #b
local sub, byte = string.sub, string.byte
local out = {}
local ts, tsn
-- the conversation at hand: its index, meta fields, and the records it
-- wrote (an array of field, record pairs for HSET, and by field)
local cur, status, customer, agent, seq, n, cseq, nseq, nt
local wrote, noted, refresh, replied
local outbox = KEYS[#KEYS]

local function finish()
  if wrote[1] then
    redis.call('HSET', KEYS[3 * cur], unpack(wrote))
    if noted then
      redis.call('HSET', KEYS[3 * cur - 2], 'seq', seq, 'last_at', ts,
        'cseq', cseq, 'nseq', nseq)
    else
      redis.call('HSET', KEYS[3 * cur - 2], 'seq', seq, 'last_at', ts)
    end
    if refresh then
      redis.call('EXPIRE', KEYS[3 * cur], string.match(ARGV[1], '^%d+'))
    end
    if replied then
      append_nudge(KEYS[3 * cur - 2], outbox, nt, replied, ts)
    end
  end
end

local p, j = 1, 0
while p <= size do
  local c, o, op, sl, fl, l1, l2, l3 = byte(b, p, p + 7)
  local own, note = o == 49, op == 110
  local q = p + 26 + sl
  local sender = sub(b, p + 26, q - 1)
  local field = sub(b, q, q + fl - 1)
  local fp = sub(b, p + 10, p + 25)
  local at = q + fl
  local tag = p + 8
  p = at + (l1 * 256 + l2) * 256 + l3
  if c ~= cur then
    if cur then
      finish()
    end
    cur, noted, refresh, wrote, replied = c, false, false, {}, nil
    local m = redis.call('HMGET', KEYS[3 * c - 2], 'status', 'customer',
      'agent', 'seq', 'cseq', 'nseq', 'nt')
    status, customer, agent, seq = m[1], m[2], m[3], m[4]
    n, cseq, nseq, nt = tonumber(seq), m[5], m[6], m[7]
  end
  local record = wrote[field] or redis.call('HGET', KEYS[3 * c], field)
  local refused = not record and
    (append_refused(status, customer, sender, own) or
     (not note and append_unassigned('send', own, agent, sender) and
      'not_assigned'))
  if record then
    local r = append_replay(record, fp)
    if r.err then
      out[j + 1], out[j + 2], out[j + 3] = r, 0, 0
    else
      out[j + 1], out[j + 2], out[j + 3] = 1, r[2], r[3]
    end
  elseif refused then
    out[j + 1], out[j + 2], out[j + 3] = redis.error_reply(refused), 0, 0
  else
    if not ts then
      ts = append_now()
      tsn = tonumber(ts)
    end
    local before = seq
    n = n + 1
    seq = string.format('%d', n)
    local event = append_event(sub(b, tag, tag + 1), seq, ts, sub(b, at, p - 1))
    redis.call('XADD', KEYS[3 * c - 1], '0-' .. seq, 'e', event)
    redis.call('SPUBLISH', ARGV[2 + c], event)
    record = seq .. ' ' .. ts .. ' ' .. fp
    wrote[field] = record
    wrote[#wrote + 1] = field
    wrote[#wrote + 1] = record
    if note then
      cseq, nseq, noted = append_note_cseq(cseq, nseq, before), seq, true
    elseif not own and not replied then
      replied = seq
    end
    refresh = refresh or append_refresh_due(n)
    out[j + 1], out[j + 2], out[j + 3] = 0, n, tsn
  end
  j = j + 3
end
if cur then
  finish()
end
return out
