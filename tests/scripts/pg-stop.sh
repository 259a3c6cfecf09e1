#!/usr/bin/env bash
# Stops the cluster started by pg-start.sh and deletes its folder. Argument or RETRIEVAL_PG_DIR: the folder it printed.
set -uo pipefail
dir=${1:-${RETRIEVAL_PG_DIR:-}}
case "$dir" in
  */retrieval-pg.*) ;;
  *) echo "pg-stop.sh: give the folder pg-start.sh printed (RETRIEVAL_PG_DIR)." >&2; exit 2 ;;
esac
[ -d "$dir" ] || exit 0
bin=$(cat "$dir/bin" 2>/dev/null || true)
run=()
[ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
fi
rm -rf "$dir"
