#!/bin/sh
# The mysql image's entrypoint contract (upstream docker-library/mysql), for Debian's MariaDB:
# arguments that start with a flag are given to mysqld; on the first start, an empty datadir is
# initialised and root's password is set from $MYSQL_ROOT_PASSWORD (or MYSQL_ALLOW_EMPTY_PASSWORD,
# or MYSQL_RANDOM_ROOT_PASSWORD), for root@localhost and root@$MYSQL_ROOT_HOST (default '%');
# $MYSQL_DATABASE and $MYSQL_USER/$MYSQL_PASSWORD are created when set.
# Not reproduced: /docker-entrypoint-initdb.d scripts, running as root and dropping to mysql.
set -eu
case "$1" in -*) set -- mysqld "$@" ;; esac
if [ "$1" = mysqld ] || [ "$1" = mariadbd ]; then
  datadir=/var/lib/mysql
  socket=/var/run/mysqld/mysqld.sock
  if [ ! -d "$datadir/mysql" ]; then
    if [ -z "${MYSQL_ROOT_PASSWORD:-}" ] && [ -z "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" ] && [ -z "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
      echo 'error: database is uninitialized and password option is not specified' >&2
      echo '  You need to specify one of the following as an environment variable:' >&2
      echo '  - MYSQL_ROOT_PASSWORD' >&2
      echo '  - MYSQL_ALLOW_EMPTY_PASSWORD' >&2
      echo '  - MYSQL_RANDOM_ROOT_PASSWORD' >&2
      exit 1
    fi
    if [ -n "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
      MYSQL_ROOT_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
      echo "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
    fi
    echo 'Initializing database files'
    mariadb-install-db --datadir="$datadir" --auth-root-authentication-method=normal --skip-test-db \
      --skip-name-resolve --default-time-zone=SYSTEM --skip-log-bin >/dev/null
    "$@" --skip-networking --socket="$socket" --default-time-zone=SYSTEM &
    pid=$!
    i=0
    until mariadb --protocol=socket --socket="$socket" -uroot -e 'SELECT 1' >/dev/null 2>&1; do
      i=$((i + 1))
      if [ $i -gt 60 ] || ! kill -0 "$pid" 2>/dev/null; then
        echo 'error: the temporary server did not start' >&2
        exit 1
      fi
      sleep 1
    done
    # Quoted for SQL: a single quote doubled, a backslash doubled.
    sql_escape() { printf '%s' "$1" | sed -e "s/\\\\/\\\\\\\\/g" -e "s/'/''/g"; }
    pw=$(sql_escape "${MYSQL_ROOT_PASSWORD:-}")
    roothost=$(sql_escape "${MYSQL_ROOT_HOST:-%}")
    {
      echo "SET @@SESSION.SQL_LOG_BIN=0;"
      echo "DELETE FROM mysql.global_priv WHERE User <> 'root' AND User <> 'mariadb.sys' OR User = '';"
      echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw';"
      if [ "$roothost" != localhost ]; then
        echo "CREATE USER 'root'@'$roothost' IDENTIFIED BY '$pw';"
        echo "GRANT ALL ON *.* TO 'root'@'$roothost' WITH GRANT OPTION;"
      fi
      if [ -n "${MYSQL_DATABASE:-}" ]; then
        echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"
      fi
      if [ -n "${MYSQL_USER:-}" ] && [ -n "${MYSQL_PASSWORD:-}" ]; then
        echo "CREATE USER '$(sql_escape "$MYSQL_USER")'@'%' IDENTIFIED BY '$(sql_escape "$MYSQL_PASSWORD")';"
        [ -z "${MYSQL_DATABASE:-}" ] || echo "GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$(sql_escape "$MYSQL_USER")'@'%';"
      fi
      echo "FLUSH PRIVILEGES;"
      echo "SHUTDOWN;"
    } | mariadb --protocol=socket --socket="$socket" -uroot
    wait "$pid" || true
    echo 'MySQL init process done. Ready for start up.'
  fi
fi
exec "$@"
