#!/usr/bin/env bash
# Builds pmctl's .deb with debhelper from a clean copy of the tree: the files git knows (tracked,
# and new ones not ignored; no build directories), with packaging/debian as debian/.
#   packaging/build-deb.sh [OUTDIR]     (default build-packages/; prints the .deb's path)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(realpath -m "${1:-build-packages}")
# shellcheck source=packaging/common.sh
source packaging/common.sh
version=$(pmctl_version)
work=$(mktemp -d /var/tmp/pmctl-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src="$work/pmctl-$version"
mkdir -p "$src" "$out"
tree_files | xargs -0 cp --parents -t "$src"
cp -r packaging/debian "$src/debian"
(cd "$src" && dpkg-buildpackage -us -uc -b -j"$(nproc)" >"$work/build.log" 2>&1) || {
  tail -n 40 "$work/build.log" >&2
  exit 1
}
deb=$(find "$work" -maxdepth 1 -name "pmctl_${version}_*.deb" ! -name '*dbgsym*')
cp "$deb" "$out/"
echo "$out/$(basename "$deb")"
