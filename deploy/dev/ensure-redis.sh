#!/usr/bin/env bash
# ensure-redis.sh start|stop STATE_DIR
#
# start: makes sure a redis-server binary exists (installing Debian's
# redis-server package when it is missing and we may install: root or
# passwordless sudo), starts a private redis-server on a free loopback port
# with its data under STATE_DIR, waits until it answers PING, and prints its
# URL (redis://127.0.0.1:PORT/0) on stdout. Nothing else goes to stdout.
# stop: stops the server started with the same STATE_DIR.
#
# The tests get their own server so they never touch a Redis the developer
# already runs on 6379.
set -euo pipefail

cmd=${1:-}
state=${2:-}
if [ -z "$cmd" ] || [ -z "$state" ]; then
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
fi

say() { echo "ensure-redis: $*" >&2; }

install_redis() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    else
      say "redis-server is not installed and this user cannot install packages."
      say "Install it with: sudo apt-get install -y redis-server   (Debian/Ubuntu)"
      say "or point REDIS_URL at a running Redis 7."
      exit 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    say "redis-server is not installed and there is no apt-get here."
    say "Install Redis 7 with your package manager (e.g. 'brew install redis', 'dnf install redis')."
    exit 1
  fi
  say "redis-server is missing: installing Debian's redis-server package"
  $sudo apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >&2 || {
    say "apt-get install redis-server failed; install Redis 7 and try again."
    exit 1
  }
}

free_port() {
  # Ask the kernel for a free port through a listening socket, then release it.
  python3 - <<'PY' 2>/dev/null || echo $(( 20000 + RANDOM % 20000 ))
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

ping() {
  local port=$1
  if command -v redis-cli >/dev/null 2>&1; then
    redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG
  else
    exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || return 1
    printf 'PING\r\n' >&3
    local reply
    read -r -t 2 reply <&3 || true
    exec 3>&-
    [[ "$reply" == +PONG* ]]
  fi
}

case "$cmd" in
start)
  command -v redis-server >/dev/null 2>&1 || install_redis
  mkdir -p "$state"
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    redis-server --port "$port" --bind 127.0.0.1 --dir "$state" --daemonize yes \
      --pidfile "$state/redis.pid" --logfile "$state/redis.log" \
      --appendonly yes --save "" --maxmemory-policy noeviction >/dev/null 2>&1 || continue
    for _ in $(seq 1 100); do
      if ping "$port"; then
        echo "$port" > "$state/port"
        echo "redis://127.0.0.1:$port/0"
        exit 0
      fi
      sleep 0.05
    done
    [ -f "$state/redis.pid" ] && kill "$(cat "$state/redis.pid")" 2>/dev/null || true
  done
  say "could not start redis-server; see $state/redis.log"
  exit 1
  ;;
stop)
  if [ -f "$state/redis.pid" ]; then
    kill "$(cat "$state/redis.pid")" 2>/dev/null || true
    rm -f "$state/redis.pid"
  fi
  ;;
*)
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
  ;;
esac
