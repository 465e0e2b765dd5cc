#!/usr/bin/env bash
# Assembles a runnable server tree in OUT (default ./release): production dependencies, the generated
# Prisma client, the built web app, migrations. The Dockerfile runs this script; CI runs it too and
# starts the result, so the image's build steps are exercised on machines without Docker.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$src/release}" && cd "${1:-$src/release}" && pwd)"
export PRISMA_SCHEMA_ENGINE_BINARY=/bin/false

cd "$src"
pnpm install --frozen-lockfile
pnpm exec prisma generate
pnpm --filter @secura/web build

# Only what the server needs at run time; its workspace dependency (the shared protocol) comes along.
rm -rf "$out/app"
pnpm --filter @secura/server deploy --prod --legacy "$out/app"
mkdir -p "$out/app/prisma" "$out/app/web"
cp -r prisma/migrations prisma/schema.prisma "$out/app/prisma/"
cp -r apps/web/dist "$out/app/web/dist"
echo "release assembled in $out/app"
