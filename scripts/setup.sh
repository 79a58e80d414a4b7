#!/usr/bin/env bash
# Installs everything the tests and the demo need on a fresh Debian 12 machine:
# Debian packages (git, openssh-server, postgresql, chromium, build tools for
# code-server's native modules) and code-server itself under .tools/code-server.
# Idempotent: a second run only checks.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
CODE_SERVER_VERSION=4.100.3
prefix="$here/.tools/code-server"

# ansible-core: the fleet engine (issue 15); Debian 12 ships 2.14, which the fleet tests run.
# python3-alembic (+ psycopg2): the real Alembic the migration-tool tests run against PostgreSQL (issue 14).
debs=(git openssh-server openssh-client postgresql chromium g++ make python3 libkrb5-dev ripgrep curl strace ansible-core python3-alembic python3-psycopg2)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# sshd wants its privilege-separation directory even when run by hand.
[ -d /run/sshd ] || { mkdir -p /run/sshd 2>/dev/null || sudo mkdir -p /run/sshd; }

if [ ! -x "$prefix/node_modules/.bin/code-server" ]; then
  echo "setup: installing code-server@$CODE_SERVER_VERSION into $prefix"
  mkdir -p "$prefix"
  tmp="${TMPDIR:-/tmp}"
  # @vscode/ripgrep downloads rg from GitHub unless its cache already holds it.
  cache="$tmp/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$cache"
  tarball="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
  if [ ! -f "$tarball" ]; then
    d=$(mktemp -d); cp /usr/bin/rg "$d/rg"; tar -C "$d" -czf "$tarball" rg; rm -rf "$d"
  fi
  [ -f "$prefix/package.json" ] || echo '{"name":"rollback-pilot-tools","private":true}' > "$prefix/package.json"
  # As root, code-server's postinstall insists on unsafe-perm (it reads the variable itself);
  # node-pty's postinstall runs `npx node-gyp`, which this machine's npm config (yes=false) cancels.
  ( cd "$prefix" && npm_config_unsafe_perm=true npm_config_yes=true npm install --no-save --no-audit --no-fund \
      "code-server@$CODE_SERVER_VERSION" )
fi
# The project's own npm packages, exactly as locked.
cd "$here"
# `npm install` rather than `npm ci`: squawk-cli lists optional binaries for every platform,
# and the registries this machine reaches serve only linux-x64, so the lock cannot name the
# others and `npm ci` refuses it as out of sync. `npm install` follows the lock for all it can.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ "${CI:-}" = "true" ]; then
  echo "setup: npm install (from package-lock.json)"
  npm install --no-audit --no-fund
fi
echo "setup: ok ($("$prefix/node_modules/.bin/code-server" --version | head -1))"
