-- update-agent.lua (lib/agents/accounts.ts)
-- Changes fields only while the agent exists, so an update racing a delete
-- cannot leave behind a half record without a name or PIN.
-- KEYS[1] agent hash. ARGV[1] n, ARGV[2..n+1] fields to delete, then field/value pairs to set.
-- Returns 1 when changed, 0 when the agent does not exist.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = tonumber(ARGV[1])
for i = 2, n + 1 do redis.call('HDEL', KEYS[1], ARGV[i]) end
for i = n + 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
