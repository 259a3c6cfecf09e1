#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests and prints how to reach it:
#
#   eval "$(tests/scripts/pg-start.sh)"     # exports RETRIEVAL_TEST_POSTGRES and RETRIEVAL_PG_DIR
#   ...run the tests...
#   tests/scripts/pg-stop.sh                # stops the cluster and deletes its folder
#
# The cluster lives in one temporary folder (data, log and Unix socket), listens on no TCP port, and trusts local
# connections: it is for tests only. Needs Debian's `postgresql` package (apt-get install -y postgresql), or any
# PostgreSQL whose pg_ctl is on PATH or in PG_BIN. Run as root, it runs the server as the `postgres` OS user.
set -euo pipefail

find_bin() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/pg_ctl" ]; then echo "$PG_BIN"; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$newest" ] && [ -x "$newest/pg_ctl" ]; then echo "$newest"; return; fi
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return; fi
  return 1
}

if ! bin=$(find_bin); then
  echo "pg-start.sh: PostgreSQL server binaries (pg_ctl, initdb) not found. Install them with 'apt-get install -y postgresql' or set PG_BIN." >&2
  exit 3
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/retrieval-pg.XXXXXX")
port=${RETRIEVAL_PG_PORT:-5432}   # names the socket file only: the socket folder is private, so ports never clash
run=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "pg-start.sh: running as root needs the 'postgres' OS user (created by the postgresql package)." >&2; exit 3; }
  chown postgres: "$dir"
  run=(runuser -u postgres --)
fi
chmod 700 "$dir"

"${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses='' -c max_connections=300 -c shared_buffers=128MB" start >/dev/null \
  || { cat "$dir/server.log" >&2; rm -rf "$dir"; exit 1; }
"${run[@]}" "$bin/createdb" -h "$dir" -p "$port" -U postgres retrieval_test

echo "$bin" > "$dir/bin"
connection="Host=$dir;Port=$port;Username=postgres;Database=retrieval_test"
echo "export RETRIEVAL_PG_DIR='$dir'"
echo "export RETRIEVAL_TEST_POSTGRES='$connection'"
