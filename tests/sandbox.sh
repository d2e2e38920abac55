#!/usr/bin/env bash
# Boots a throwaway systemd 252 in private namespaces over an overlay of the host's root, for the
# integration tests and the demo on hosts whose PID 1 is not systemd.
#
#   tests/sandbox.sh up      boot it (idempotent); state in $PMCTL_SANDBOX (default /var/tmp/pmctl-sandbox)
#   tests/sandbox.sh exec CMD...   run CMD inside (all namespaces, same working directory)
#   tests/sandbox.sh down    power it off and remove its cgroups (the overlay's upper dir is kept:
#                            a later `up` is a reboot with state kept)
#   tests/sandbox.sh reboot  down, then up (state kept: enabled units, persistent journal, lingering users)
#   tests/sandbox.sh purge   down, then delete the state dir
#   tests/sandbox.sh pid     print the PID of the sandbox's systemd (PID 1 inside)
#
# Never boot systemd over the real root: its tmpfiles setup would empty the host's /tmp. Here every
# write lands in the overlay's upper dir; only the repository is bind-mounted through, so build
# outputs and test logs are shared with the host. That bind mount is safe even for a clone under
# /tmp: the sandbox's /tmp is its own tmpfs, and tmpfiles' removal (rm_rf) stops at mount points.
set -euo pipefail

STATE=${PMCTL_SANDBOX:-/var/tmp/pmctl-sandbox}
NAME=$(basename "$STATE")  # also the cgroup name, so several sandboxes can coexist
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "sandbox: $*" >&2; exit 1; }

cgroup_root() {
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo /sys/fs/cgroup
  elif [ -d /sys/fs/cgroup/unified ]; then echo /sys/fs/cgroup/unified
  else die "no cgroup2 hierarchy found under /sys/fs/cgroup"; fi
}
CG="$(cgroup_root)/$NAME"

sandbox_pid() {
  local pid
  pid=$(cat "$STATE/pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  # Only trust the PID if it is still the systemd we booted (PIDs get reused).
  [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = systemd ] || return 1
  grep -q "$NAME" "/proc/$pid/cgroup" 2>/dev/null || return 1
  echo "$pid"
}

mask_heavy_units() {
  local d="$STATE/upper/etc/systemd/system"
  mkdir -p "$d"
  local u
  for u in postgresql.service postgresql@.service getty@.service serial-getty@.service \
           console-getty.service systemd-timesyncd.service cron.service ssh.service sshd.service \
           apt-daily.timer apt-daily-upgrade.timer apt-daily.service apt-daily-upgrade.service \
           e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer logrotate.timer \
           systemd-networkd.service systemd-resolved.service networking.service \
           getty.target docker.service containerd.service \
           haproxy.service; do  # the cluster benchmark installs haproxy on the host
    ln -sfn /dev/null "$d/$u"
  done
  # logind runs (user managers of lingering users); state dirs made before this still mask it.
  if [ "$(readlink "$d/systemd-logind.service")" = /dev/null ]; then rm -f "$d/systemd-logind.service"; fi
}

inner_boot() {
  # Runs inside the new namespaces: build the root, pivot into it, become systemd.
  local st=$1 repo=$2
  mount -t overlay overlay -o "lowerdir=/,upperdir=$st/upper,workdir=$st/work" "$st/root"
  # journald keeps the journal across reboots only if /var/log/journal exists (Debian's default).
  [ -d "$st/root/var/log/journal" ] || install -d -m 2755 -g systemd-journal "$st/root/var/log/journal"
  mount -t proc proc "$st/root/proc"
  # A boot ID per boot, as systemd-nspawn does, so that journalctl -b/--list-boots see reboots.
  cat /proc/sys/kernel/random/uuid > "$st/boot_id"
  mount --bind "$st/boot_id" "$st/root/proc/sys/kernel/random/boot_id"
  mount --rbind /dev "$st/root/dev"
  mount -t sysfs sysfs "$st/root/sys"
  mount -t tmpfs tmpfs "$st/root/sys/fs/cgroup"
  mount -t cgroup2 cgroup2 "$st/root/sys/fs/cgroup"
  mount -t tmpfs tmpfs "$st/root/run"
  mount -t tmpfs tmpfs "$st/root/tmp"
  mkdir -p "$st/root$repo"
  mount --bind "$repo" "$st/root$repo"
  cd "$st/root"
  mkdir -p oldroot
  pivot_root . oldroot
  umount -l /oldroot
  export container=$NAME
  exec /lib/systemd/systemd --system
}

up() {
  if sandbox_pid >/dev/null; then return 0; fi
  [ "$(id -u)" = 0 ] || die "must run as root (it mounts and unshares)"
  [ -x /lib/systemd/systemd ] || die "systemd is not installed (apt-get install systemd)"
  mkdir -p "$STATE/upper" "$STATE/work" "$STATE/root"
  mask_heavy_units
  mkdir -p "$CG"
  # The launching shell moves into our cgroup so that systemd's cgroup namespace is rooted there.
  (
    echo $BASHPID > "$CG/cgroup.procs"
    exec setsid unshare --pid --fork --mount --cgroup --uts --ipc --propagation private \
      bash -c "$(declare -f inner_boot); inner_boot '$STATE' '$REPO'" \
      </dev/null >"$STATE/boot.log" 2>&1
  ) &
  local pid=""
  for _ in $(seq 1 100); do
    pid=$(find_systemd_pid) && break
    sleep 0.05
  done
  [ -n "$pid" ] || die "systemd did not start; see $STATE/boot.log"
  echo "$pid" > "$STATE/pid"
  for _ in $(seq 1 300); do
    local s
    s=$(nsenter -t "$pid" -a systemctl is-system-running 2>/dev/null || true)
    case "$s" in running|degraded) return 0 ;; esac
    sleep 0.1
  done
  die "systemd did not reach running (state: $s); see $STATE/boot.log"
}

find_systemd_pid() {
  # The systemd we booted is the only process named systemd in our cgroup's top level.
  local p
  while read -r p; do
    [ "$(cat /proc/"$p"/comm 2>/dev/null)" = systemd ] && [ "$(cut -d' ' -f4 /proc/"$p"/stat)" != 1 ] \
      && { echo "$p"; return 0; }
  done < <(cat "$CG/cgroup.procs" "$CG"/init.scope/cgroup.procs 2>/dev/null)
  while read -r p; do
    [ "$(cat /proc/"$p"/comm 2>/dev/null)" = systemd ] && { echo "$p"; return 0; }
  done < <(cat "$CG/cgroup.procs" "$CG"/*/cgroup.procs 2>/dev/null)
  return 1
}

run_exec() {
  local pid
  pid=$(sandbox_pid) || die "not running (tests/sandbox.sh up)"
  # --wd would resolve the directory in the host's mount namespace; cd inside instead.
  # shellcheck disable=SC2016  # $1 and $@ are the inner sh's, not expanded here
  exec nsenter -t "$pid" -a /bin/sh -c 'cd "$1" 2>/dev/null || cd /; shift; exec "$@"' sh "$PWD" "$@"
}

remove_cgroups() {
  local d
  [ -d "$CG" ] || return 0
  # Depth-first: systemd made children below our directory.
  find "$CG" -depth -type d 2>/dev/null | while read -r d; do rmdir "$d" 2>/dev/null || true; done
}

down() {
  local pid
  if pid=$(sandbox_pid); then
    nsenter -t "$pid" -a systemctl poweroff --no-block >/dev/null 2>&1 || true
    for _ in $(seq 1 150); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    if [ -d "/proc/$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  fi
  rm -f "$STATE/pid"
  remove_cgroups
}

case "${1:-}" in
  up) up ;;
  exec) shift; run_exec "$@" ;;
  down) down ;;
  reboot) down; up ;;
  purge) down; rm -rf "$STATE" ;;
  pid) sandbox_pid ;;
  *) echo "usage: tests/sandbox.sh up|exec CMD...|down|reboot|purge|pid" >&2; exit 2 ;;
esac
