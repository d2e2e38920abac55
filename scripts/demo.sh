#!/usr/bin/env bash
# The quick start: installs, builds, and shows pmctl running an example app under systemd.
# On a host whose PID 1 is systemd it uses that host's manager (--user when not root);
# elsewhere it boots a fresh throwaway systemd (tests/sandbox.sh) and removes it afterwards
# (pass --keep to keep it, then enter it with: tests/sandbox.sh exec bash).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
keep=false
[ "${1:-}" = --keep ] && keep=true

scripts/setup.sh
pmctl=$PWD/build/src/cli/pmctl
app=$PWD/examples/hello.js

run() { echo; echo "\$ $*"; "$@"; }

if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
  scope=(); [ "$(id -u)" = 0 ] || scope=(--user)
  inside() { "$@"; }
else
  export PMCTL_SANDBOX=${PMCTL_SANDBOX:-/var/tmp/pmctl-demo-sandbox}
  echo "PID 1 is not systemd here: booting a throwaway systemd in $PMCTL_SANDBOX"
  tests/sandbox.sh purge   # a fresh system each time: no journal or registry from earlier demos
  tests/sandbox.sh up
  $keep || trap 'tests/sandbox.sh purge' EXIT
  scope=()
  inside() { tests/sandbox.sh exec "$@"; }
fi

inside "$pmctl" "${scope[@]}" delete hello >/dev/null 2>&1 || true
run inside "$pmctl" "${scope[@]}" start "$app" --name hello
sleep 2
run inside "$pmctl" "${scope[@]}" ls
run inside "$pmctl" "${scope[@]}" logs hello --lines 5 --nostream
unit=$(inside "$pmctl" "${scope[@]}" jlist | python3 -c 'import json,sys; print([a for a in json.load(sys.stdin) if a["name"]=="hello"][0]["pm2_env"]["unit"])')
sysctl_scope=(); [ ${#scope[@]} -gt 0 ] && sysctl_scope=(--user)
run inside systemctl "${sysctl_scope[@]}" status "$unit" --no-pager --lines 3 || true
if $keep; then
  echo; echo "The sandbox keeps running: tests/sandbox.sh exec $pmctl ls    (stop it: tests/sandbox.sh down)"
fi
