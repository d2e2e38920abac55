#!/usr/bin/env bash
# The .deb in a freshly booted sandbox (tests/sandbox.sh), with nothing of the build tree on PATH
# or used: install, run a node app, a python app and a cluster app (the installed balancer),
# ls, logs, save and startup, a reboot, the apps back; an upgrade (the same package installed
# again) keeps them running; remove keeps what the user made; purge leaves no file of the package.
#   tests/packaging/install_test.sh DEB RESULTS_DIR     (as root; RESULTS_DIR gets one JSON per check)
# Port 17760. Its own sandbox: PMCTL_SANDBOX=/var/tmp/pmctl-package-sandbox unless set.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
deb=$(realpath "$1")
export results=$2
export PMCTL_SANDBOX=${PMCTL_PACKAGE_SANDBOX:-/var/tmp/pmctl-package-sandbox}
PORT=17760
# shellcheck source=tests/packaging/lib.sh
source tests/packaging/lib.sh

inside() { tests/sandbox.sh exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root bash -c "$1" 9>&-; }
# Waits up to 20 s for a command inside to succeed.
eventually() {
  local _
  for _ in $(seq 100); do inside "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}
online() { eventually "pmctl jlist | python3 -c 'import json,sys; a=[p for p in json.load(sys.stdin) if p[\"name\"]==\"$1\"]; sys.exit(not a or any(p[\"pm2_env\"][\"status\"]!=\"online\" for p in a))'"; }
answers() { eventually "curl -sf --max-time 2 http://127.0.0.1:$PORT/ | grep -q instance="; }
# An app's first instance unit: pmctl-<app>-<id>.service, or its saved copy (-s) after a boot.
unit_of() { inside "systemctl list-units --plain --no-legend 'pmctl-$1-[0-9]*.service'" | awk 'NR==1 {print $1}'; }
main_pid() { inside "systemctl show -P MainPID $(unit_of "$1")"; }

tests/sandbox.sh purge >/dev/null 2>&1
trap 'tests/sandbox.sh purge >/dev/null 2>&1' EXIT
tests/sandbox.sh up >/dev/null 9>&- || { check package-install failed "the sandbox did not boot"; exit 1; }
inside "mkdir -p /srv/apps && cp $PWD/tests/integration/apps/{server.js,printer.py,http_instance.js} /srv/apps/"
pkg=$deb  # under the repository, which the sandbox sees at the same path

# 1. Install and use it.
install_ok() {
  inside "dpkg -i $pkg" &&
    inside "command -v pmctl" | grep -qx /usr/bin/pmctl &&
    inside "cd /srv/apps && pmctl start server.js --name pknode && pmctl start printer.py --name pkpy" &&
    inside "cd /srv/apps && pmctl start http_instance.js --name pkweb -i 2 --port $PORT" &&
    online pknode && online pkpy && online pkweb && answers &&
    inside "pmctl ls" | grep -q pkpy &&
    eventually "pmctl logs pkpy --lines 5 --nostream | grep -q 'printer: out'" &&
    inside "systemctl show -P ExecStart pmctl-pkweb-lb.service" | grep -q /usr/libexec/pmctl/pmctl-balancer &&
    inside "test -f /lib/systemd/system/pmctl.slice && man -w pmctl-ecosystem >/dev/null"
}
if install_ok; then check package-install passed; else check package-install failed "install and first use"; fi

# 2. Boot: save, startup, a reboot, the apps back.
boot_ok() {
  inside "pmctl save && pmctl startup" >/dev/null &&
    tests/sandbox.sh reboot >/dev/null 9>&- &&
    online pknode && online pkpy && online pkweb && answers
}
if boot_ok; then check package-reboot passed; else check package-reboot failed "save, startup, reboot"; fi

# 3. Upgrade: the package installed again keeps the running apps running (the same processes).
before=$(main_pid pknode)
upgrade_ok() {
  inside "dpkg -i $pkg" >/dev/null && [ -n "$before" ] && [ "$before" != 0 ] &&
    [ "$(main_pid pknode)" = "$before" ] && answers
}
if upgrade_ok; then check package-upgrade passed; else check package-upgrade failed "reinstall changed the running apps"; fi

# 4. Remove: the package's files go; the apps, their registry and saved units stay.
files=$(inside "dpkg -L pmctl" | sort)
remove_ok() {
  inside "dpkg -r pmctl" >/dev/null &&
    ! inside "test -e /usr/bin/pmctl" &&
    [ "$(main_pid pknode)" = "$before" ] &&
    inside "systemctl is-active $(unit_of pkpy)" >/dev/null &&
    inside "test -s /var/lib/pmctl/registry.json && grep -q pknode /etc/systemd/system/pmctl.target" &&
    inside "ls /etc/systemd/system" | grep -q '^pmctl-pknode-[0-9]*-s.service$' &&
    answers
}
if remove_ok; then check package-remove passed; else check package-remove failed "remove touched what the user made"; fi

# 5. Purge: no file of the package is left (directories other packages share may stay).
purge_ok() {
  inside "dpkg --purge pmctl" >/dev/null || return 1
  local f left=""
  while IFS= read -r f; do
    [ -n "$f" ] || continue
    # A directory (or /lib, usrmerge's link to one) may be another package's too.
    if inside "test ! -d '$f' && { test -f '$f' || test -L '$f'; }"; then left+=" $f"; fi
  done <<<"$files"
  [ -z "$left" ] || { echo "left after purge:$left" >&2; return 1; }
  ! inside "dpkg -s pmctl" >/dev/null 2>&1
}
if purge_ok; then check package-purge passed; else check package-purge failed "files of the package left after purge"; fi
