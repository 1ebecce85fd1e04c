#!/usr/bin/env bash
# Start a throw-away PostGIS server for the tests (loopback only) and print its DSN.
# Usage: eval "$(scripts/start-postgis.sh)"   -> exports ZZGEO_TEST_PG_DSN
# Installs Debian's postgresql-15-postgis-3 when missing (needs root). initdb runs as the postgres user.
set -euo pipefail
PORT="${ZZGEO_PG_PORT:-55432}"
DATA="${ZZGEO_PG_DATA:-/tmp/zzgeo-pg}"
BIN=/usr/lib/postgresql/15/bin
if [ ! -e /usr/share/postgresql/15/extension/postgis.control ]; then
  if [ "$(id -u)" != 0 ]; then echo "echo 'PostGIS missing and not root: PostGIS tests will be skipped' >&2"; exit 0; fi
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-postgis-3; } >&2
fi
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if ! as_pg "$BIN/pg_ctl -D $DATA status" >/dev/null 2>&1; then
  rm -rf "$DATA"; mkdir -p "$DATA"
  [ "$(id -u)" = 0 ] && chown postgres "$DATA"
  as_pg "$BIN/initdb -D $DATA -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >&2
  as_pg "$BIN/pg_ctl -D $DATA -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1' -l $DATA/server.log -w start" >&2
fi
as_pg "psql -h 127.0.0.1 -p $PORT -U postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='zzgeo_test'\"" | grep -q 1 \
  || as_pg "psql -h 127.0.0.1 -p $PORT -U postgres -c 'CREATE DATABASE zzgeo_test'" >&2
as_pg "psql -h 127.0.0.1 -p $PORT -U postgres -d zzgeo_test -c 'CREATE EXTENSION IF NOT EXISTS postgis'" >&2
echo "export ZZGEO_TEST_PG_DSN=postgresql://postgres@127.0.0.1:$PORT/zzgeo_test"
