#!/bin/sh
# Output with NUL bytes, which journald's stream splits at (_LINE_BREAK=nul); the last piece ends
# in a NUL with nothing after it. One line is not UTF-8.
printf 'nul: a\0b\n'
printf 'nul: bin \377\376 end\n'  # not UTF-8
echo "nul: done"
printf 'nul: last\0'
exec sleep 86400
