#!/usr/bin/env bash
# The local PostgreSQL for `make load`, set up as .ci/run does: installed from Debian when missing,
# started, with the role `outreach` (password `outreach`) and the database named by $1, owned by
# it. Idempotent; needs root (as on these machines).
set -euo pipefail
database=${1:?usage: local-postgresql.sh DATABASE}

if ! command -v pg_lsclusters >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1}')
pg_ctlcluster "$cluster" main start 2>/dev/null || true
for _ in $(seq 60); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
pg_isready -q -h 127.0.0.1

psql_admin() { (cd / && su postgres -c "psql -qtAc \"$1\""); }
[ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname='outreach'")" = 1 ] \
  || psql_admin "CREATE ROLE outreach LOGIN PASSWORD 'outreach'"
[ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname='$database'")" = 1 ] \
  || psql_admin "CREATE DATABASE $database OWNER outreach"
