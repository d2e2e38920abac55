#!/bin/sh
# Writes $FLOOD_LINES lines (default 200000) to stdout as fast as it can and one to stderr, waits
# $FLOOD_PAUSE seconds, says it is done, and stays (so systemd does not start it again).
n=${FLOOD_LINES:-200000}
seq -f "flood %.0f" 1 "$n"
echo "flood: err" >&2
sleep "${FLOOD_PAUSE:-0}"
echo "flood: done"
exec sleep 86400
