#!/bin/sh
# Writes its arguments after the first (NUL-separated) to the file named by $1, then stays up.
out=$1
shift
printf '%s\0' "$@" > "$out"
exec sleep 1000
