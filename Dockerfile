# agentgate: Node 24 runs the TypeScript sources directly (type stripping), so
# the image is the sources plus production dependencies; no build stage.
FROM node:24-bookworm-slim

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

USER node
EXPOSE 4573 4574
# Healthy when /readyz answers 200: FastAGI listening, AMI logged in, Redis
# answering (`docker inspect` shows the body: which check failed and why). The
# image has no curl; Node's fetch does. HEALTH_PORT=off turns the check off.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const p=process.env.HEALTH_PORT;if(!p||p==='off')process.exit(0);fetch('http://127.0.0.1:'+p+'/readyz').then(async r=>{console.log(await r.text());process.exit(r.ok?0:1)},e=>{console.log(e.message);process.exit(1)})"]
# FASTAGI_ALLOW defaults to loopback only: set it to the Asterisk host's address
# (e.g. -e FASTAGI_ALLOW=10.0.0.5) or Asterisk's connections are refused.
# A 16 MB young generation: V8 would grow it to 128 MB on a large host, which is
# spare heap, not live data (see README, Benchmarks).
CMD ["node", "--max-semi-space-size=16", "lib/main.ts"]
