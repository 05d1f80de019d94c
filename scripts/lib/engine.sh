# Shared by scripts/demo.sh and scripts/ci-setup.sh (sourced, bash).
# Brings up a docker engine and the base image on a machine that may have neither.

# dockerd and debootstrap live in sbin, which a non-login root shell may lack.
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf '[%s %s] %s\n' "${LOG_TAG:-bot-bottle}" "$(date -u +%H:%M:%S)" "$*"; }

# Install Debian packages for the commands that are missing (root + apt only).
# Usage: ensure_packages pkg:cmd … (a bare `pkg` is installed when missing from dpkg)
ensure_packages() {
  local need=() pc
  for pc in "$@"; do
    if [[ "$pc" == *:* ]]; then
      command -v "${pc#*:}" >/dev/null 2>&1 || need+=("${pc%%:*}")
    else
      dpkg -s "$pc" >/dev/null 2>&1 || need+=("$pc")
    fi
  done
  ((${#need[@]})) || return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing: ${need[*]} — install them (Debian/Ubuntu: apt-get install ${need[*]}) and run again" >&2
    return 1
  fi
  log "apt-get install ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" ca-certificates >/dev/null
}

# Start dockerd ourselves when nothing answers (CI and fresh machines have no init system running it).
ensure_docker_engine() {
  docker info >/dev/null 2>&1 && return 0
  if ! command -v dockerd >/dev/null 2>&1; then
    # docker.io's recommends matter on a bare machine: apparmor (a kernel with AppArmor
    # on refuses containers without the parser), cgroupfs-mount (no init mounts cgroups).
    ensure_packages docker.io:dockerd apparmor:apparmor_parser cgroupfs-mount:cgroupfs-mount xz-utils:xz || return 1
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "no docker engine answers and this is not root: start dockerd (or Docker Desktop) and run again" >&2
    return 1
  fi
  if ! grep -q cgroup /proc/mounts && command -v cgroupfs-mount >/dev/null 2>&1; then cgroupfs-mount; fi
  log "starting dockerd"
  nohup dockerd >/var/log/dockerd.log 2>&1 &
  local _
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { tail -30 /var/log/dockerd.log >&2; echo "dockerd did not come up in 60 s" >&2; return 1; }
  log "docker $(docker version --format '{{.Server.Version}}') is up"
}

# The base image: pull it where a registry is reachable, else make it locally.
ensure_base_image() {
  local name="${1:-${BOT_BOTTLE_BASE_IMAGE:-debian:bookworm-slim}}" here
  docker image inspect "$name" >/dev/null 2>&1 && return 0
  if timeout 120 docker pull -q "$name" >/dev/null 2>&1; then return 0; fi
  log "no registry: making $name with debootstrap"
  ensure_packages debootstrap:debootstrap || return 1
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  "$here/base-image.sh" "$name"
}
