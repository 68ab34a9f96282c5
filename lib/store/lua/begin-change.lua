-- begin-change.lua (lib/store/lock.ts)
-- The start of a change in one round trip: its locks, all or none; then, when
-- asked, a rate-limited attempt counted, the allowlist entries of the queues
-- it may join read, and its intent written, so Asterisk is touched only after
-- Redis describes what is about to happen.
-- KEYS[1..L] lock keys; KEYS[L+1] intents hash; KEYS[L+2] rate counter;
-- KEYS[L+3..] per queue asked about: its policy key, then its allowlist key.
-- ARGV[1] token; ARGV[2] lock ttl ms; ARGV[3] L; ARGV[4] rate limit (0: none);
-- ARGV[5] rate window s; ARGV[6] the number (allowlist field); ARGV[7] intent
-- id; ARGV[8] intent JSON ('' : none); ARGV[9] one character per queue asked
-- about, '1' where the intent adds the number to it.
-- Returns {'busy'} (nothing written); {'rate', count} (nothing held);
-- {'ok' | 'refused', entry...}: one entry per queue, the allowlist JSON, '*'
-- (an open queue that does not list the number) or '' (not allowed). 'ok':
-- the intent is written; 'refused': a queue the intent adds does not allow
-- the number, no intent is written and the locks stay held for the caller.
local L = tonumber(ARGV[3])
for i = 1, L do
  if redis.call('EXISTS', KEYS[i]) == 1 then return {'busy'} end
end
for i = 1, L do redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2]) end

local limit = tonumber(ARGV[4])
if limit > 0 then
  local rate = KEYS[L + 2]
  local count = redis.call('INCR', rate)
  if redis.call('TTL', rate) < 0 then redis.call('EXPIRE', rate, ARGV[5]) end
  if count > limit then
    for i = 1, L do redis.call('DEL', KEYS[i]) end
    return {'rate', count}
  end
end

local out = {'ok'}
local adds = ARGV[9]
for q = 1, #adds do
  local policy = redis.call('GET', KEYS[L + 1 + 2 * q])
  local entry = redis.call('HGET', KEYS[L + 2 + 2 * q], ARGV[6])
  if not entry then
    if policy == 'open' then entry = '*' else entry = '' end
  end
  if entry == '' and string.sub(adds, q, q) == '1' then out[1] = 'refused' end
  out[q + 1] = entry
end
if out[1] == 'ok' and ARGV[8] ~= '' then redis.call('HSET', KEYS[L + 1], ARGV[7], ARGV[8]) end
return out
