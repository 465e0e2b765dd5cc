#!/usr/bin/env bash
# Assembles a runnable server tree in OUT (default ./release): the server compiled to JavaScript
# (`node dist/server.js`; also dist/admin.js, dist/migrate.js, dist/verify.js), its production dependencies,
# the built web app, migrations. The Dockerfile runs this script; CI runs it too and
# starts the result, so the image's build steps are exercised on machines without Docker.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$src/release}" && cd "${1:-$src/release}" && pwd)"
export PRISMA_SCHEMA_ENGINE_BINARY=/bin/false

cd "$src"
pnpm install --frozen-lockfile
pnpm exec prisma generate
pnpm --filter @secura/web build
pnpm --filter @secura/server build

# Only what the server needs at run time; its workspace dependency (the shared protocol) comes along.
# `pnpm deploy --legacy` records its own one-package, production-only install as the workspace's install
# state (node_modules/.pnpm-workspace-state-v1.json): the next pnpm command run in the workspace would take
# the workspace for out of date and reinstall it without devDependencies. Keep the workspace's own record.
state="$src/node_modules/.pnpm-workspace-state-v1.json"
saved="$(mktemp)"
cp "$state" "$saved"
trap 'cp "$saved" "$state"; rm -f "$saved"' EXIT
rm -rf "$out/app"
pnpm --filter @secura/server deploy --prod --legacy "$out/app"
cp "$saved" "$state"
mkdir -p "$out/app/prisma" "$out/app/web"
cp -r prisma/migrations prisma/schema.prisma "$out/app/prisma/"
cp -r apps/web/dist "$out/app/web/dist"
# The compiled server replaces the TypeScript sources: nothing in the release runs through tsx.
rm -rf "$out/app/src"
cp -r apps/server/dist "$out/app/dist"
echo "release assembled in $out/app"
