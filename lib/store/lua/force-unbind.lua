-- force-unbind.lua (lib/agents/force-unbind.ts)
-- KEYS[1] agentBinding(agent)  KEYS[2] bindings set  KEYS[3..] phoneBinding(phone) that may name the agent
-- ARGV[1] agentId
-- Returns {hadHash, i1, i2, ...}: 1 when the agent hash existed, then the
-- 1-based positions (among KEYS[3..]) of the phone keys that named the agent and were deleted.
local out = {redis.call('DEL', KEYS[1])}
redis.call('SREM', KEYS[2], ARGV[1])
for i = 3, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('DEL', KEYS[i])
    out[#out + 1] = i - 2
  end
end
return out
