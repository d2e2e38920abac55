#!/bin/sh
# Writes its environment (NUL-separated) to the file named by $1, then stays up.
env -0 > "$1"
exec sleep 1000
