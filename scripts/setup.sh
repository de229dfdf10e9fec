#!/usr/bin/env bash
# Installs what a fresh clone needs for one job: `test` (npm packages; Chromium, redis-server
# and redis-cli, which the Redis Cluster tests use, and nginx-light, which the long-poll
# proof runs through, from Debian when missing), `demo` or `bench` (npm packages only).
set -euo pipefail
cd "$(dirname "$0")/.."
job="${1:-test}"

need=()
if [ "$job" = test ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
  # The long-poll proof runs through a real nginx; Debian keeps it in /usr/sbin.
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
fi
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup: installing ${need[*]} from Debian"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

# npm ci only when the lockfile changed since the last install: a repeat run stays fast.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
