#!/bin/sh
# Install the bot-bottle binary for this machine from a release, checksum first.
#
#   curl -fsSL https://github.com/bot-bottle/bot-bottle/releases/latest/download/install.sh | sh
#   sh install.sh --version 0.2.0 --dir /usr/local/bin
#
# Environment (flags win):
#   BOT_BOTTLE_VERSION      release to install, e.g. 0.2.0 (default: the latest)
#   BOT_BOTTLE_INSTALL_DIR  where to put the binary (default: ~/.local/bin)
#   BOT_BOTTLE_BASE_URL     releases root holding download/v<VERSION>/<asset> and
#                           latest/download/<asset> (default: the GitHub releases)
#   BOT_BOTTLE_UNAME_S, BOT_BOTTLE_UNAME_M
#                           pretend `uname -s` / `uname -m` (for tests)
#
# On macOS it also installs bot-bottle-linux-<arch> beside bot-bottle: the
# bundle sidecar always runs Linux (in Docker's VM), and the docker backend
# builds the bundle image from that sibling binary.
set -eu

DEFAULT_BASE_URL="https://github.com/bot-bottle/bot-bottle/releases"

usage() {
	cat <<'EOF'
usage: install.sh [--version X] [--dir DIR] [--base-url URL]

Downloads the bot-bottle binary for this OS and CPU, verifies it against the
release's SHA256SUMS and installs it (default ~/.local/bin/bot-bottle).

  --version X     release to install (default: latest; env BOT_BOTTLE_VERSION)
  --dir DIR       install folder (env BOT_BOTTLE_INSTALL_DIR)
  --base-url URL  releases root (env BOT_BOTTLE_BASE_URL)
  -h, --help      this help
EOF
}

say() { printf 'bot-bottle install: %s\n' "$*"; }
die() {
	printf 'bot-bottle install: error: %s\n' "$*" >&2
	exit 1
}

VERSION="${BOT_BOTTLE_VERSION:-}"
INSTALL_DIR="${BOT_BOTTLE_INSTALL_DIR:-}"
BASE_URL="${BOT_BOTTLE_BASE_URL:-$DEFAULT_BASE_URL}"

while [ $# -gt 0 ]; do
	case "$1" in
	--version) [ $# -ge 2 ] || die "--version needs a value"; VERSION="$2"; shift 2 ;;
	--version=*) VERSION="${1#*=}"; shift ;;
	--dir) [ $# -ge 2 ] || die "--dir needs a value"; INSTALL_DIR="$2"; shift 2 ;;
	--dir=*) INSTALL_DIR="${1#*=}"; shift ;;
	--base-url) [ $# -ge 2 ] || die "--base-url needs a value"; BASE_URL="$2"; shift 2 ;;
	--base-url=*) BASE_URL="${1#*=}"; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option $1" ;;
	esac
done

if [ -z "$INSTALL_DIR" ]; then
	[ -n "${HOME:-}" ] || die "HOME is not set; pass --dir DIR"
	INSTALL_DIR="$HOME/.local/bin"
fi
BASE_URL="${BASE_URL%/}"
VERSION="${VERSION#v}"

uname_s="${BOT_BOTTLE_UNAME_S:-$(uname -s)}"
uname_m="${BOT_BOTTLE_UNAME_M:-$(uname -m)}"
case "$uname_s" in
Linux) os=linux ;;
Darwin) os=darwin ;;
*) die "unsupported operating system '$uname_s' (bot-bottle ships for Linux and macOS)" ;;
esac
case "$uname_m" in
x86_64 | amd64) arch=x64 ;;
arm64 | aarch64) arch=arm64 ;;
*) die "unsupported CPU '$uname_m' (bot-bottle ships for x86_64 and arm64)" ;;
esac

if [ -n "$VERSION" ]; then
	release_url="$BASE_URL/download/v$VERSION"
	release_name="v$VERSION"
else
	release_url="$BASE_URL/latest/download"
	release_name="the latest release"
fi

asset="bot-bottle-$os-$arch"
assets="$asset"
[ "$os" = darwin ] && assets="$asset bot-bottle-linux-$arch"

# download URL FILE: fails with a message naming the URL (404s included).
download() {
	if command -v curl >/dev/null 2>&1; then
		code=$(curl -sSL --retry 2 -o "$2" -w '%{http_code}' "$1") || die "could not download $1"
		[ "$code" = 200 ] || die "$1 answered HTTP $code — is $release_name published, and is the base URL right?"
	elif command -v wget >/dev/null 2>&1; then
		wget -q -O "$2" "$1" || die "could not download $1 — is $release_name published, and is the base URL right?"
	else
		die "need curl or wget to download"
	fi
}

sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d ' ' -f 1
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 "$1" | cut -d ' ' -f 1
	else
		die "need sha256sum or shasum to verify the download; refusing to install unverified"
	fi
}

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t bot-bottle)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

say "installing $asset from $release_name ($release_url)"
download "$release_url/SHA256SUMS" "$tmp/SHA256SUMS"

# Verify every file before installing any, so a bad download changes nothing.
for a in $assets; do
	download "$release_url/$a" "$tmp/$a"
	want=$(awk -v n="$a" '$2 == n || $2 == "*" n { print $1; exit }' "$tmp/SHA256SUMS")
	[ -n "$want" ] || die "$a is not listed in SHA256SUMS of $release_name; refusing to install"
	got=$(sha256_of "$tmp/$a")
	if [ "$got" != "$want" ]; then
		die "checksum mismatch for $a: expected $want, got $got — refusing to install (nothing was changed)"
	fi
done

mkdir -p "$INSTALL_DIR" || die "cannot create $INSTALL_DIR"
for a in $assets; do
	name="$a"
	[ "$a" = "$asset" ] && name=bot-bottle
	chmod 755 "$tmp/$a"
	# Copy beside the target, then rename: a running bot-bottle is never half-written.
	cp "$tmp/$a" "$INSTALL_DIR/.$name.tmp.$$" || die "cannot write to $INSTALL_DIR"
	mv -f "$INSTALL_DIR/.$name.tmp.$$" "$INSTALL_DIR/$name"
	say "installed $INSTALL_DIR/$name"
done

if version=$("$INSTALL_DIR/bot-bottle" --version 2>/dev/null); then
	say "$version"
else
	say "installed, but $INSTALL_DIR/bot-bottle --version did not run on this machine"
fi
case ":${PATH:-}:" in
*":$INSTALL_DIR:"*) ;;
*) say "add $INSTALL_DIR to your PATH, e.g.: export PATH=\"$INSTALL_DIR:\$PATH\"" ;;
esac
