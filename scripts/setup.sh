#!/usr/bin/env bash
# Installs what pmctl needs on Debian 12 (idempotent; installing needs root) and builds it in
# build/. Safe to run again: it installs only what is missing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
  meson ninja-build pkg-config g++                        # build
  libsystemd-dev libcli11-dev nlohmann-json3-dev libyaml-cpp-dev
  libncurses-dev                                          # pmctl-monit only
  libgtest-dev libgmock-dev                               # tests
  shellcheck clang-format                                 # lint (scripts/test.sh)
  clang libclang-rt-14-dev                                # fuzzers (libFuzzer, ASan, UBSan)
  systemd dbus util-linux procps                          # the sandbox systemd and its tools
  tmux                                                    # monit's tests and bench
  prometheus curl                                         # promtool checks the metrics endpoint
  chromium iproute2                                       # the web dashboard test (headless; a non-loopback address)
  python3 scdoc man-db                                    # test summary, man pages and their check
  dpkg-dev debhelper lintian rpm                          # the .deb and .rpm (tests/packaging)
  bash-completion zsh fish                                # the shell completions and their test
  openssh-server openssh-client git                       # pmctl -H and deploy over ssh (tests/remote)
)
# Example and test apps run under node; any node in PATH will do, else Debian's.
command -v node >/dev/null 2>&1 || packages+=(nodejs)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run this script as root once to install them" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build -j"$(nproc)" | tail -n 1
