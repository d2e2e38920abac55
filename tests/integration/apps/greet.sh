#!/bin/sh
# Prints the GREETING it was given, then stays up.
echo "greeting=$GREETING"
exec sleep 1000
