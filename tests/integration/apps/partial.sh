#!/bin/sh
# Output that does not end in a newline: a prompt on stderr that waits, a stdout line written in
# two pieces two seconds apart, then (with PARTIAL_EXIT set) a last piece and the exit.
printf 'partial: waiting' >&2
printf 'partial: half'
sleep 2
printf ' and rest\n'
if [ -n "$PARTIAL_EXIT" ]; then
  printf 'partial: last words'
  exit 0
fi
exec sleep 86400
