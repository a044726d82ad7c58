# syntax=docker/dockerfile:1
# The Trine gateway image (docker-compose.yml runs three). Two stages:
#   deps     installs the locked npm packages (`npm ci`) on the full Node image, where build tools
#            are at hand should a package need them;
#   runtime  copies them with the sources onto the slim image and runs as the unprivileged `node`
#            user, with a health check on /readyz.
# The gateway runs its TypeScript through tsx and bundles the web page with esbuild at start-up;
# both are devDependencies of the repository, hence the full `npm ci`.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
# owned by root and read-only for the `node` user: the process cannot change its own code
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY shared ./shared
COPY server ./server
COPY web ./web
USER node
EXPOSE 8080
# ready = Redis reachable, resynced, not draining (docs/OPERATIONS.md §2); a draining gateway turns unhealthy at once
HEALTHCHECK --interval=5s --timeout=2s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
# SIGTERM drains: clients closed with 1012 (they reconnect elsewhere), in-flight work finished, exit 0
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "server/main.ts"]
