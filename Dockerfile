# syntax=docker/dockerfile:1
# The gateway as a container: `docker build -t portability-gateway .`, then
#   docker run -p 4000:4000 -v gateway-data:/data portability-gateway
# Stop it with SIGTERM (docker stop): it drains and exits within 10 s.

# Build stage: production dependencies, with the toolchain better-sqlite3 needs when no prebuilt binary fits.
FROM node:20-bookworm-slim AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Runtime stage: no compiler, no dev dependencies, not root.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=4000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY schema ./schema
COPY resolvers ./resolvers
COPY src ./src
# The embedded store and archive files; on several instances, a shared volume (see docs/scale-out.md).
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 4000
# Liveness only: a store outage makes /readyz fail, and restarting the container would not mend it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# node itself, not npm, so SIGTERM reaches the gateway; the same flags as `npm start`.
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "src/main.ts"]
