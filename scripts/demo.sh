#!/usr/bin/env bash
# The main job on a fresh machine: a demo bottle on the built-in default manifest.
# Installs what is missing (npm deps; as root on Debian: docker.io, dockerd, the
# base image), then runs `bot-bottle run demo`. Extra arguments go to `run`.
set -euo pipefail
cd "$(dirname "$0")/.."
LOG_TAG=demo
. scripts/lib/engine.sh

[ -x node_modules/.bin/bun ] || { log "npm ci"; npm ci --no-audit --no-fund --loglevel=error; }
ensure_docker_engine
ensure_base_image
# Images are built from the Debian mirror and npm; trust the host's CA bundle in
# builds (it includes any TLS-intercepting corporate CA) unless told otherwise.
if [ -z "${BOT_BOTTLE_BUILD_CA:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  export BOT_BOTTLE_BUILD_CA=/etc/ssl/certs/ca-certificates.crt
fi
# An empty folder as cwd: the built-in default manifest, whatever is here.
repo="$PWD"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
"$repo/node_modules/.bin/bun" "$repo/src/main.ts" run demo --yes "$@"
