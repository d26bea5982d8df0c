-- What append and append_batch share, so both apply an event by the same
-- rules. A file whose name starts with '_' is a prelude: scripts/embed-lua
-- puts it first in the library, as is, and registers nothing from it.

-- A stored idempotency record "seq ts fp" answers a retry: the original
-- seq and ts, or client_id_reused when the fingerprints differ.
local function append_replay(record, fp)
  local s, t, f = string.match(record, '^(%d+) (%d+) ?(%x*)$')
  if f ~= '' and f ~= fp then
    return redis.error_reply('client_id_reused')
  end
  return {1, tonumber(s), tonumber(t)}
end

-- What must hold for any event: the conversation exists, the customer
-- owns it when must_own says so, it is open. Returns the protocol error
-- code or nil.
local function append_refused(status, customer, sender, must_own)
  if not status then
    return 'not_found'
  end
  if must_own and customer ~= sender then
    return 'forbidden'
  end
  if status == 'closed' then
    return 'conversation_closed'
  end
  return nil
end

-- A message from an agent needs the agent assigned; a note does not.
local function append_unassigned(op, must_own, agent, sender)
  return op == 'send' and not must_own and agent ~= sender
end

-- Redis TIME in milliseconds, as a string.
local function append_now()
  local t = redis.call('TIME')
  return t[1] .. string.format('%03d', math.floor(t[2] / 1000))
end

-- The stored and published event, and its tail (what closes the JSON).
-- Numbers become strings once, with %d, by the caller: Lua's own
-- conversion goes through floating-point printf, which showed in Redis's
-- profile.
local function append_event(tag, seq, ts, prefix)
  local tail = ',"seq":' .. seq .. ',"ts":' .. ts .. '}'
  return 'E' .. tag .. seq .. ' ' .. prefix .. tail, tail
end

-- What a customer can see ends before trailing notes: a note records the
-- last visible sequence before it (cseq) and its own (nseq). Given the
-- stored cseq and nseq and the sequence before the note, returns the
-- note's cseq.
local function append_note_cseq(cseq, nseq, before)
  if nseq == before then
    return cseq
  end
  return before
end

-- The idempotency records' expiry is brought up to date on a
-- conversation's first write and every 32nd, which costs nothing to
-- decide; the idle sweep refreshes it too when it meets a conversation
-- that is still active. (Reading a "last refreshed" field here cost 5 %
-- of the step.)
local function append_refresh_due(n)
  return n % 32 == 2
end

-- The two numbers of "TTL RETENTION": seconds idempotency records are
-- kept after the last activity, and a closed conversation (0 = forever).
local function append_expiry(arg)
  return string.match(arg, '^(%d+) (%d+)$')
end

-- Stores the event of sequence seq (a string) in stream and publishes it
-- on channel; returns the event and its tail.
local function append_put(stream, channel, tag, seq, ts, prefix)
  local event, tail = append_event(tag, seq, ts, prefix)
  redis.call('XADD', stream, '0-' .. seq, 'e', event)
  redis.call('SPUBLISH', channel, event)
  return event, tail
end

-- A closed conversation lives again: what its close set to expire (meta,
-- events, read positions: the retention) is kept again, and its
-- idempotency records get their time after the last activity.
local function append_revive(meta, events, idem, reads, ttl)
  redis.call('PERSIST', meta)
  redis.call('PERSIST', events)
  redis.call('PERSIST', reads)
  redis.call('EXPIRE', idem, ttl)
end
