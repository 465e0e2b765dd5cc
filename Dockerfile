# syntax=docker/dockerfile:1
# Secura Chat server image, Node 22 LTS: the build stage runs scripts/release.sh (the same script CI runs outside
# Docker), the runtime stage holds only the assembled release and runs as a non-root user.

FROM node:22-bookworm-slim AS build
RUN npm install -g pnpm@12.4.2
WORKDIR /src
COPY . .
RUN bash scripts/release.sh /release

FROM node:22-bookworm-slim AS runtime
# MALLOC_ARENA_MAX: glibc gives each thread an arena of its own and keeps what it frees. The image decoder
# (a process the server forks) sets two for itself however the server was started; here it holds for the
# server's own threads too (docs/performance.md, uploads).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build --chown=node:node /release/app /app
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Compiled JavaScript, one process: SIGTERM reaches the server itself, which drains and closes gracefully
# (docker compose waits stop_grace_period for it). The admin CLI: `docker compose exec app1 node dist/admin.js`.
CMD ["node", "--enable-source-maps", "dist/server.js"]
