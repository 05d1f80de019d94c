#!/usr/bin/env bash
# Prepare a fresh Debian machine (root, no stdin) to run the whole test suite:
# a docker engine, the locally made base image, mitmproxy (proxy benchmark
# baseline) and the project's npm dependencies. Idempotent: skips what is there.
# Usage: scripts/ci-setup.sh        (from the repository root or anywhere)
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
# dockerd and debootstrap live in sbin, which a non-login root shell may lack.
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf '[ci-setup %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
started=$SECONDS

need=()
for pkg_cmd in debootstrap:debootstrap mitmproxy:mitmdump curl:curl git:git iproute2:ip; do
  command -v "${pkg_cmd#*:}" >/dev/null 2>&1 || need+=("${pkg_cmd%%:*}")
done
# docker.io's recommends matter on a bare machine: apparmor (a kernel with AppArmor
# on refuses containers without the parser), cgroupfs-mount (no init mounts cgroups).
command -v dockerd >/dev/null 2>&1 || need+=(docker.io apparmor cgroupfs-mount xz-utils)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if ((${#need[@]})); then
  log "apt-get install ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" ca-certificates >/dev/null
fi

# The engine: start dockerd ourselves when nothing answers (CI has no init system).
if ! docker info >/dev/null 2>&1; then
  if ! grep -q cgroup /proc/mounts && command -v cgroupfs-mount >/dev/null 2>&1; then cgroupfs-mount; fi
  log "starting dockerd"
  nohup dockerd >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { tail -30 /var/log/dockerd.log >&2; echo "dockerd did not come up in 60 s" >&2; exit 1; }
fi
log "docker $(docker version --format '{{.Server.Version}}') is up"

# Base image (debootstrap, a few minutes) and npm ci are independent: overlap them.
scripts/base-image.sh >/tmp/ci-base-image.log 2>&1 &
base_pid=$!
trap 'kill "$base_pid" 2>/dev/null || true' EXIT
log "npm ci"
npm ci --no-audit --no-fund --loglevel=error
if ! wait "$base_pid"; then
  cat /tmp/ci-base-image.log >&2
  echo "scripts/base-image.sh failed" >&2
  exit 1
fi
trap - EXIT
cat /tmp/ci-base-image.log
log "setup done in $((SECONDS - started)) s"
