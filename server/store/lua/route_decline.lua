-- route_decline: the agent passes on the conversation offered to it; the
-- next tick offers it to someone else.
-- KEYS: 1 the board
-- ARGV: 1 P, 2 conv, 3 agent
-- Returns 1, or an error reply no_offer.
local P, c, agent = ARGV[1], ARGV[2], ARGV[3]
if redis.call('HGET', P .. 'cv:' .. c, 'offer') ~= agent then
  return redis.error_reply('no_offer')
end
route_withdraw(P, c, agent, 'declined')
return 1
