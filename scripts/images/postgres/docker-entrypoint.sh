#!/bin/sh
# The postgres image's entrypoint contract (upstream docker-library/postgres), for Debian's
# PostgreSQL: arguments that start with a flag are given to postgres; on the first start, an empty
# $PGDATA is initialised with the superuser $POSTGRES_USER (postgres) and $POSTGRES_PASSWORD
# (required unless POSTGRES_HOST_AUTH_METHOD=trust), scram-sha-256 for connections from any
# address, listen_addresses '*', and the database $POSTGRES_DB when it is not "postgres".
# Not reproduced: /docker-entrypoint-initdb.d scripts, running as root and dropping to postgres.
set -eu
case "$1" in -*) set -- postgres "$@" ;; esac
if [ "$1" = postgres ]; then
  : "${PGDATA:=/var/lib/postgresql/data}"
  : "${POSTGRES_USER:=postgres}"
  : "${POSTGRES_DB:=$POSTGRES_USER}"
  mkdir -p "$PGDATA"
  chmod 0700 "$PGDATA" 2>/dev/null || true
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
      echo 'Error: Database is uninitialized and superuser password is not specified.' >&2
      echo '       You must specify POSTGRES_PASSWORD to a non-empty value for the superuser.' >&2
      exit 1
    fi
    pwfile=$(mktemp)
    printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of arguments, as upstream reads it
    initdb --username="$POSTGRES_USER" --pwfile="$pwfile" -D "$PGDATA" ${POSTGRES_INITDB_ARGS:-}
    rm -f "$pwfile"
    printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
    printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
    if [ "$POSTGRES_DB" != postgres ]; then
      echo "CREATE DATABASE \"$POSTGRES_DB\";" | postgres --single -D "$PGDATA" -j postgres >/dev/null
    fi
    echo 'PostgreSQL init process complete; ready for start up.'
  fi
fi
exec "$@"
