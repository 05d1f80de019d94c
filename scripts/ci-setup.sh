#!/usr/bin/env bash
# Prepare a fresh Debian machine (root, no stdin) to run the whole test suite:
# a docker engine, the base image, the tools the tests drive (mitmproxy as the
# proxy benchmark's baseline, shells for completion tests, ruby for the formula,
# qemu-user to run the arm64 binary) and the npm dependencies. Idempotent.
# Usage: scripts/ci-setup.sh        (from the repository root or anywhere)
set -euo pipefail
cd "$(dirname "$0")/.."
LOG_TAG=ci-setup
. scripts/lib/engine.sh
started=$SECONDS

command -v npm >/dev/null 2>&1 || ensure_packages nodejs:node npm:npm
ensure_packages debootstrap:debootstrap mitmproxy:mitmdump curl:curl wget:wget git:git iproute2:ip netcat-openbsd:nc \
  zsh:zsh fish:fish ruby:ruby qemu-user:qemu-aarch64 libc6-arm64-cross
ensure_docker_engine

# Base image (debootstrap, ~1 min) and npm ci are independent: overlap them.
ensure_base_image >/tmp/ci-base-image.log 2>&1 &
base_pid=$!
trap 'kill "$base_pid" 2>/dev/null || true' EXIT
log "npm ci"
npm ci --no-audit --no-fund --loglevel=error
if ! wait "$base_pid"; then
  cat /tmp/ci-base-image.log >&2
  echo "making the base image failed" >&2
  exit 1
fi
trap - EXIT
cat /tmp/ci-base-image.log
log "setup done in $((SECONDS - started)) s"
