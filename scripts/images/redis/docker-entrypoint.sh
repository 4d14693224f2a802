#!/bin/sh
# The redis image's entrypoint contract (upstream docker-library/redis): an argument list that
# starts with a flag or a .conf file is given to redis-server; anything else runs as a command
# (the platform's container runs `sh -c 'exec redis-server ...'`). The image runs as redis (999)
# from the start, so there is nothing to chown or drop.
set -e
case "$1" in
  -* | *.conf) set -- redis-server "$@" ;;
esac
um=$(umask)
[ "$um" != 0022 ] || umask 0077
exec "$@"
