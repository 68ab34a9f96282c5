-- record-change.lua (lib/members/records.ts)
-- One change's outcome, atomically: member records put and removed, its
-- intent closed, its audit entries appended, counts reset, and its locks
-- released (those whose token still matches).
-- KEYS[1] member-queues set; KEYS[2] intents hash; KEYS[3] audit stream;
-- KEYS[4..] the keys the operations below name by their index in KEYS.
-- ARGV[1] JSON {put: [[key, field, value, queue]...], remove: [[key, field]...],
--   intent: id or '', audit: [[field, value, ...]...], cap: audit MAXLEN,
--   del: [key...], locks: [key...], token: lock token or ''}.
-- Returns 1.
local op = cjson.decode(ARGV[1])
for _, p in ipairs(op.put) do
  redis.call('HSET', KEYS[p[1]], p[2], p[3])
  redis.call('SADD', KEYS[1], p[4])
end
for _, r in ipairs(op.remove) do redis.call('HDEL', KEYS[r[1]], r[2]) end
if op.intent ~= '' then redis.call('HDEL', KEYS[2], op.intent) end
for _, a in ipairs(op.audit) do
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', op.cap, '*', unpack(a))
end
for _, k in ipairs(op.del) do redis.call('DEL', KEYS[k]) end
for _, k in ipairs(op.locks) do
  if redis.call('GET', KEYS[k]) == op.token then redis.call('DEL', KEYS[k]) end
end
return 1
