-- create-agent.lua (lib/agents/accounts.ts)
-- KEYS[1] agent hash, KEYS[2] set of agent ids. ARGV[1] id, ARGV[2..] field/value pairs.
-- Returns 1 when created, 0 when the agent already exists (nothing written).
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('SADD', KEYS[2], ARGV[1])
return 1
