-- release-lock.lua (lib/store/lock.ts)
-- Release only when the token still matches: a holder whose lock expired must
-- not delete the next holder's lock.
-- KEYS[1] lock key; ARGV[1] token. Returns 1 when released, 0 when not ours.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
