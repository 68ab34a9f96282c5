# agentgate: Node 24 runs the TypeScript sources directly (type stripping), so
# the image is the sources plus production dependencies; no build stage.
FROM node:24-bookworm-slim

# No MALLOC_MMAP_THRESHOLD_: it saved about 10 MB of peak RSS at 1,000 sessions
# but cost about 30 % of the CPU of a toggle (test/bench/README.md).
ENV NODE_ENV=production \
    FASTAGI_HOST=0.0.0.0 \
    FASTAGI_PORT=4573 \
    HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=4574

WORKDIR /app

# Dependencies first, for the layer cache. patches/ must be there before
# `npm ci`: the postinstall applies the ding-dong and asterisk-manager fixes.
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY agi ./agi
COPY bin ./bin
COPY lib ./lib
COPY dialplan ./dialplan

# Node's compile cache (bin/compile-cache.mjs), filled at build time so that the
# service never loads Node's TypeScript stripper (about 18 MB of RSS, issue 15):
# by the user the service runs as (Node needs the directory writable), with the
# very Node flags of CMD (the cache is kept per set of V8 flags). A bad
# FASTAGI_PORT makes lib/main.ts stop with 78 (EX_CONFIG) once every module is
# loaded; the admin API's modules, loaded only when it is on, are imported first.
RUN mkdir -p node_modules/.cache && chown node node_modules/.cache
USER node
RUN FASTAGI_PORT=prime node --import ./bin/compile-cache.mjs --import ./lib/api/server.ts --max-semi-space-size=4 --max-old-space-size=512 --v8-pool-size=2 lib/main.ts; \
    test $? -eq 78
EXPOSE 4573 4574
# Healthy when /readyz answers 200: FastAGI listening, AMI logged in, Redis
# answering (`docker inspect` shows the body: which check failed and why). The
# image has no curl; Node's fetch does. HEALTH_PORT=off turns the check off.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const p=process.env.HEALTH_PORT;if(!p||p==='off')process.exit(0);fetch('http://127.0.0.1:'+p+'/readyz').then(async r=>{console.log(await r.text());process.exit(r.ok?0:1)},e=>{console.log(e.message);process.exit(1)})"]
# FASTAGI_ALLOW defaults to loopback only: set it to the Asterisk host's address
# (e.g. -e FASTAGI_ALLOW=10.0.0.5) or Asterisk's connections are refused.
# The V8 flags of `npm start` (issue 15, see test/bench/README.md): a 4 MB
# semi-space (V8 would grow the young generation to 128 MB on a large host: spare
# heap, not live data), and a 512 MB old space, which also caps how far V8 lets the
# heap grow past its live data between collections (x1.4 instead of up to x4 on a
# large host). The live heap is about 20 MB idle, 30 MB with 1,000 calls open.
CMD ["node", "--import", "./bin/compile-cache.mjs", "--max-semi-space-size=4", "--max-old-space-size=512", "--v8-pool-size=2", "lib/main.ts"]
