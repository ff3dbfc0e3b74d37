#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL server on a loopback port:
#   scripts/with-postgres.sh npm test
# exports HOOPCTL_TEST_POSTGRES_URL (password auth; the server's files live in a temp dir) and
# stops the server and deletes its files when the command ends, whatever its exit code.
# A URL already set in HOOPCTL_TEST_POSTGRES_URL is used as is (no server is started).
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: scripts/with-postgres.sh <command…>" >&2
  exit 2
fi
if [ -n "${HOOPCTL_TEST_POSTGRES_URL:-}" ]; then
  exec "$@"
fi

# The server binaries: on PATH, or where Debian/Ubuntu packages put them.
bindir=""
if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
  bindir="$(dirname "$(command -v initdb)")"
else
  for d in /usr/lib/postgresql/*/bin /usr/local/pgsql/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bindir="$d"; fi
  done
fi
if [ -z "$bindir" ]; then
  echo "with-postgres: initdb/pg_ctl not found (install the PostgreSQL server package, e.g. apt-get install postgresql)" >&2
  exit 1
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/hoopctl-pg.XXXXXX")"
# initdb refuses to run as root: run the server as nobody then (runuser needs no login shell).
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown nobody "$dir"
  as_owner=(runuser -u nobody --)
fi

stop() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$password" >"$dir/pwfile"
chmod 600 "$dir/pwfile"
[ "${#as_owner[@]}" -eq 0 ] || chown nobody "$dir/pwfile"
"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" -A scram-sha-256 \
  -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
rm -f "$dir/pwfile"

# A free port: ask the kernel for one, then retry on the rare race with another process.
started=""
for _ in 1 2 3 4 5; do
  port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  # fsync off: the data is thrown away at the end, and the tests get faster.
  if "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null 2>&1; then
    started=1
    break
  fi
done
if [ -z "$started" ]; then
  echo "with-postgres: the PostgreSQL server did not start; its log:" >&2
  cat "$dir/server.log" >&2 || true
  exit 1
fi

export HOOPCTL_TEST_POSTGRES_URL="postgres://postgres:${password}@127.0.0.1:${port}/postgres"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:${port} (data in $dir)" >&2
status=0
"$@" || status=$?
exit "$status"
