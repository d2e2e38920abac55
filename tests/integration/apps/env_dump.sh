#!/bin/sh
# Writes its environment (NUL-separated) to the file named by $1, then stays up.
# $1 must be absolute, for the same reason as in argv_dump.sh (not into the checkout).
case ${1:-} in
  /*) ;;
  *) echo "env_dump.sh: the output path must be absolute, got '${1:-}'" >&2; exit 2 ;;
esac
env -0 > "$1"
exec sleep 1000
