#!/usr/bin/env bash
# Make a Debian base image locally (no registry needed): debootstrap + docker import.
# Usage: scripts/base-image.sh [IMAGE_NAME]   (default: debian:bookworm-slim)
# Used by CI and by anyone without registry access; real users pull the public image.
set -euo pipefail
name="${1:-debian:bookworm-slim}"
if docker image inspect "$name" >/dev/null 2>&1; then
  echo "base image $name already present"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install debootstrap" >&2; exit 1; }
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
echo "debootstrap bookworm into $dir (a few minutes)…"
debootstrap --variant=minbase bookworm "$dir" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$dir.log" 2>&1 || { tail -20 "$dir.log" >&2; exit 1; }
rm -f "$dir.log"
# Trim what an image never needs.
rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/*
tar -C "$dir" -c . | docker import -c 'CMD ["/bin/bash"]' - "$name"
echo "imported $name"
