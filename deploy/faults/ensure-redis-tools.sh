#!/usr/bin/env bash
# ensure-redis-tools.sh: makes sure redis-server and redis-cli are on the
# PATH for the fault tests (`make test-faults`), which run a Redis Cluster of
# redis-server processes and create it with `redis-cli --cluster create`.
#
# On Debian and Ubuntu, redis-cli comes in the redis-tools package, which
# redis-server depends on, so installing redis-server brings both; a machine
# with only one of them gets the other. Installs only when it may (root, or
# passwordless sudo); otherwise it stops with the command to run.
set -euo pipefail

say() { echo "ensure-redis-tools: $*" >&2; }

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    say "missing: ${missing[*]}, and this user cannot install packages."
    say "Install them with: sudo apt-get install -y redis-server redis-tools   (Debian/Ubuntu)"
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  say "missing: ${missing[*]}, and there is no apt-get here."
  say "Install Redis 7 (redis-server and redis-cli) with your package manager."
  exit 1
fi
say "installing ${missing[*]}"
$sudo apt-get update -qq >&2 || true
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2 || {
  say "apt-get install ${missing[*]} failed; install Redis 7 and try again."
  exit 1
}
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || {
  say "redis-server or redis-cli still missing after the install."
  exit 1
}
