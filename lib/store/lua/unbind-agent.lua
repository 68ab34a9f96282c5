-- unbind-agent.lua (lib/agents/bindings.ts)
-- KEYS[1] agentBinding(agent)  KEYS[2] phoneBinding(phone)  KEYS[3] bindings set
-- ARGV[1] agentId  ARGV[2] phone the agent must be bound to
-- Returns:
--   {0}                           the agent is not bound; nothing changed
--   {1, phone, interface, since}  removed both directions
--   {-2, currentPhone}            the agent is bound to another phone; nothing changed
local cur = redis.call('HMGET', KEYS[1], 'phone', 'interface', 'since')
if not cur[1] then
  redis.call('SREM', KEYS[3], ARGV[1])
  return {0}
end
if cur[1] ~= ARGV[2] then return {-2, cur[1]} end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return {1, cur[1], cur[2] or '', cur[3] or '0'}
