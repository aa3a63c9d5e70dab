# syntax=docker/dockerfile:1
# The gateway as a container: `docker build -t portability-gateway .`, then
#   docker run -p 4000:4000 -v gateway-data:/data portability-gateway
# Stop it with SIGTERM (docker stop): it drains and exits within 10 s.
#
# Based on Node 24, an LTS line. `--build-arg NODE_LINE=26` builds on Node 26, which CI tests as
# well; oidc-provider notes an unsupported runtime at start on 26's releases from before it became LTS.
ARG NODE_LINE=24

# Production dependencies, with the toolchain better-sqlite3 compiles with when no prebuilt binary fits.
FROM node:${NODE_LINE}-trixie-slim AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The compiled JavaScript: `npm run build` needs the development dependencies (TypeScript), which stay here.
FROM deps AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schema ./schema
COPY resolvers ./resolvers
COPY src ./src
RUN npm run build

# Runtime: dist/ and the production dependencies; no TypeScript, no loader, no compiler, not root.
FROM node:${NODE_LINE}-trixie-slim
ENV NODE_ENV=production \
    PORT=4000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The image's npm scripts run the compiled code, so `docker exec … npm run -s cli -- apps list` works here too.
RUN npm pkg delete scripts \
 && npm pkg set scripts.start="node dist/main.js" \
      scripts.cli="node dist/src/cli/main.js" \
      scripts.seed="node dist/src/cli/main.js seed" \
      scripts.simulate="node dist/src/cli/simulate.js"
# The embedded store and archive files; on several instances, a shared volume (see docs/scale-out.md).
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 4000
# Liveness only: a store outage makes /readyz fail, and restarting the container would not mend it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# node itself, not npm, so SIGTERM reaches the gateway; what `npm start` runs once it has built.
CMD ["node", "dist/main.js"]
