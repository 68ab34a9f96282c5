-- release-locks.lua (lib/store/lock.ts)
-- Releases each lock whose token still matches: a holder whose lock expired
-- must not delete the next holder's lock.
-- KEYS[1..n] lock keys; ARGV[1] token. Returns how many were released.
local n = 0
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then n = n + redis.call('DEL', KEYS[i]) end
end
return n
