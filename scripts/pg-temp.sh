#!/usr/bin/env bash
# A throwaway PostgreSQL server for the sync tests (every door uses it):
#   scripts/pg-temp.sh start DIR   → initdb in DIR, start on a free 127.0.0.1 port, print the URL
#   scripts/pg-temp.sh stop DIR    → stop it (fast) and remove DIR
# Uses Debian's postgresql (/usr/lib/postgresql/*/bin). initdb refuses to run as root, so as root
# the server runs as the "postgres" user the package creates. Exit 3 when PostgreSQL is not installed.
set -euo pipefail
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

bin=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bin=$d; done
[ -n "$bin" ] || { echo "PostgreSQL server binaries not found (apt install postgresql)" >&2; exit 3; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  mkdir -p "$dir"
  # The server's own files live in a directory of /tmp that the server's user can reach (DIR may
  # sit inside directories only root can enter); DIR/where remembers it for stop.
  pg=$(mktemp -d /tmp/yespo-pg.XXXXXX)
  echo "$pg" > "$dir/where"
  [ "$(id -u)" -eq 0 ] && chown postgres "$pg"
  as_owner "$bin/initdb" -D "$pg/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1
  for attempt in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    if as_owner "$bin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $pg -c fsync=off -c full_page_writes=off" start >/dev/null 2>&1; then
      echo "postgres://postgres@127.0.0.1:$port/postgres"
      exit 0
    fi
  done
  cat "$pg/server.log" >&2 || true
  exit 1
  ;;
stop)
  pg=$(cat "$dir/where" 2>/dev/null || true)
  if [ -n "$pg" ] && [ -d "$pg/data" ]; then
    as_owner "$bin/pg_ctl" -D "$pg/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$pg"
  fi
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
