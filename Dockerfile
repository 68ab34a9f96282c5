# agentgate: Node 24 runs the TypeScript sources directly (type stripping), so
# the image is the sources plus production dependencies; no build stage.
FROM node:24-bookworm-slim

ENV NODE_ENV=production \
    FASTAGI_HOST=0.0.0.0 \
    FASTAGI_PORT=4573

WORKDIR /app

# Dependencies first, for the layer cache. patches/ must be there before
# `npm ci`: the postinstall applies the ding-dong and asterisk-manager fixes.
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY agi ./agi
COPY lib ./lib
COPY dialplan ./dialplan

USER node
EXPOSE 4573
# FASTAGI_ALLOW defaults to loopback only: set it to the Asterisk host's address
# (e.g. -e FASTAGI_ALLOW=10.0.0.5) or Asterisk's connections are refused.
CMD ["node", "lib/main.ts"]
