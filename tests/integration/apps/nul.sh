#!/bin/sh
# Output with NUL bytes, which journald's stream splits at (_LINE_BREAK=nul); the last piece ends
# in a NUL with nothing after it.
printf 'nul: a\0b\n'
echo "nul: done"
printf 'nul: last\0'
exec sleep 86400
