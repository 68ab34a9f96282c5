-- bind-agent.lua (lib/agents/bindings.ts)
-- KEYS[1] agentBinding(agent)  KEYS[2] phoneBinding(new phone)  KEYS[3] bindings set
-- KEYS[4] phoneBinding(phone the agent was last read at; KEYS[2] when read as unbound)
-- ARGV[1] agentId  ARGV[2] new phone  ARGV[3] interface  ARGV[4] since (ms)
-- ARGV[5] phone the agent was last read at ('' when unbound)
-- Returns:
--   {0}                      bound; the agent was not bound before
--   {1}                      already bound to this phone with this interface; nothing changed
--   {2, oldPhone, oldIface}  bound; the old binding was released in the same step
--   {-1, otherAgent}         the phone is another agent's; nothing changed
--   {-2, currentPhone}       the agent's binding is not what was read; nothing changed
local cur = redis.call('HMGET', KEYS[1], 'phone', 'interface')
local curPhone = cur[1] or ''
if curPhone ~= ARGV[5] then return {-2, curPhone} end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then return {-1, holder} end
if curPhone == ARGV[2] and cur[2] == ARGV[3] then
  redis.call('SET', KEYS[2], ARGV[1])
  redis.call('SADD', KEYS[3], ARGV[1])
  return {1}
end
if curPhone ~= '' and curPhone ~= ARGV[2] and redis.call('GET', KEYS[4]) == ARGV[1] then
  redis.call('DEL', KEYS[4])
end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'phone', ARGV[2], 'interface', ARGV[3], 'since', ARGV[4])
redis.call('SADD', KEYS[3], ARGV[1])
if curPhone == '' then return {0} end
return {2, curPhone, cur[2] or ''}
