# One image for every service of the graph. Its default command is `npm start` (the whole graph in one container,
# with external Postgres and Redis); docker-compose.yml and deploy/kubernetes/ run one service per container instead
# by choosing the command (node router/dist/index.js, node subgraphs/<name>/dist/index.js, the migration CLI).
# Every build step is scripts/image.mjs, which CI runs too (.ci/run: the same steps in a scratch folder).
ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Only the deployables and what they need to build (turbo prune): manifests first, sources second, for caching.
FROM ${NODE_IMAGE} AS prune
WORKDIR /repo
COPY . .
RUN node scripts/image.mjs prune /pruned

# 2. Install everything the build needs, build, and lay out the production tree in /app (production dependencies only).
FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY --from=prune /pruned/json/ ./
RUN node scripts/image.mjs install
COPY --from=prune /pruned/full/ ./
RUN node scripts/image.mjs build /app

# 3. The runtime: the production tree, owned by root and run by the unprivileged `node` user.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app ./
USER node
EXPOSE 4000
# Liveness of whichever service the container runs (each listens on PORT).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# npm start caps each service's V8 heap (ROUTER_HEAP_MB, <SUBGRAPH>_HEAP_MB or NODE_HEAP_MB; see packages/start).
CMD ["node", "packages/start/bin/start.mjs"]
