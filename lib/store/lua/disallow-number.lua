-- disallow-number.lua (lib/queues/allowlist.ts)
-- KEYS[1] allowlist, KEYS[2] audit stream; ARGV[1] number, ARGV[2] audit cap, ARGV[3..] audit fields.
-- Returns 1 when removed (and audited), 0 when the number was not listed (nothing written).
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
return 1
