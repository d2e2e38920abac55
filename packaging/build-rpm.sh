#!/usr/bin/env bash
# Builds pmctl's binary rpm with rpmbuild (Debian's rpm package will do) from packaging/rpm/pmctl.spec.
# Source0 is the tree as `git archive --prefix=pmctl-<version>/` lays it out; taken from the
# files git knows (tracked, and new ones not ignored), so that uncommitted work is packaged too.
# Here rpmbuild cannot check BuildRequires (no rpm database on Debian: --nodeps), makes no
# debuginfo package (Debian has no find-debuginfo) and compiles with -O2 only (-g would double
# the time; a distribution's build adds its own flags through set_build_flags).
#   packaging/build-rpm.sh [OUTDIR]     (default build-packages/; prints the .rpm's path)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(realpath -m "${1:-build-packages}")
# shellcheck source=packaging/common.sh
source packaging/common.sh
version=$(pmctl_version)
work=$(mktemp -d /var/tmp/pmctl-rpm.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/SOURCES" "$out"
tree_files | tar --null -T - --transform "s,^,pmctl-$version/," -czf "$work/SOURCES/pmctl-$version.tar.gz"
rpmbuild -bb --nodeps --define "_topdir $work" --define 'debug_package %{nil}' \
  --define '_build_id_links none' --define 'optflags -O2' \
  --define "_smp_mflags -j$(nproc)" packaging/rpm/pmctl.spec >"$work/build.log" 2>&1 || {
  tail -n 40 "$work/build.log" >&2
  exit 1
}
rpm=$(find "$work/RPMS" -name "pmctl-$version-*.rpm")
cp "$rpm" "$out/"
echo "$out/$(basename "$rpm")"
