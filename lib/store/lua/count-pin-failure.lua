-- count-pin-failure.lua (lib/agents/pin-guard.ts)
-- KEYS[1] agent counter, KEYS[2] caller counter.
-- ARGV[1] maxFailures, ARGV[2] windowSec, ARGV[3] lockoutSec.
-- Returns {agentCount, callerCount} after counting this failure. The count that
-- reaches maxFailures restarts its expiry at lockoutSec; counts past it (two
-- wrong PINs racing) leave the lock-out's end where it was.
local max = tonumber(ARGV[1])
local out = {}
for i = 1, 2 do
  local n = redis.call('INCR', KEYS[i])
  if n == max then
    redis.call('EXPIRE', KEYS[i], ARGV[3])
  elseif redis.call('TTL', KEYS[i]) < 0 then
    redis.call('EXPIRE', KEYS[i], n < max and ARGV[2] or ARGV[3])
  end
  out[i] = n
end
return out
