#!/bin/sh
# Writes its arguments after the first (NUL-separated) to the file named by $1, then stays up.
# $1 must be absolute: a relative path lands in the app's working directory, which in the
# sandbox is the checkout (that is how a file named `x$y` once got committed).
case ${1:-} in
  /*) ;;
  *) echo "argv_dump.sh: the output path must be absolute, got '${1:-}'" >&2; exit 2 ;;
esac
out=$1
shift
printf '%s\0' "$@" > "$out"
exec sleep 1000
