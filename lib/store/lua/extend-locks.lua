-- extend-locks.lua (lib/store/lock.ts)
-- Gives each lock this token still holds a new time to live: a change that
-- runs longer than the TTL (a slow Asterisk, a retry after the live model was
-- behind) keeps its locks while its holder lives; a dead holder's expire.
-- KEYS[1..n] lock keys; ARGV[1] token, ARGV[2] TTL in ms. Returns how many are still held.
local n = 0
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[i], ARGV[2])
    n = n + 1
  end
end
return n
