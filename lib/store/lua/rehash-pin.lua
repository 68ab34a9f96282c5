-- rehash-pin.lua (lib/agents/accounts.ts)
-- Replaces the PIN hash only if it is still the one that was verified, so a
-- re-hash after login cannot undo a PIN change made meanwhile.
-- KEYS[1] agent hash. ARGV[1] old hash, ARGV[2] new hash. Returns 1 when replaced, 0 otherwise.
if redis.call('HGET', KEYS[1], 'pinHash') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'pinHash', ARGV[2])
return 1
