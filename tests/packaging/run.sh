#!/usr/bin/env bash
# The packaging checks (issue 16), each one entry in scripts/test.sh's summary:
#   package-versions    meson.build, debian/changelog and the spec say the same version
#   package-deb-build   packaging/build-deb.sh (debhelper, dpkg-buildpackage -us -uc -b, a clean copy)
#   package-deb-relations  Depends, Recommends, and no unit started or stopped by its scripts
#   package-lintian     lintian on the .deb: no error, no warning (what it says is printed)
#   package-rpm-build   packaging/build-rpm.sh (rpmbuild -bb, Source0 as git archive makes it)
#   package-file-lists  the .rpm and the .deb hold the same files, distribution paths aside
#   package-install, -reboot, -upgrade, -remove, -purge    tests/packaging/install_test.sh
# Skipped (with a line saying so) when dpkg-buildpackage, lintian or rpmbuild is missing.
#   tests/packaging/run.sh RESULTS_DIR      (as root; the packages go to build-packages/)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
export results=$1
# shellcheck source=tests/packaging/lib.sh
source tests/packaging/lib.sh
for tool in dpkg-buildpackage dh lintian rpmbuild; do
  command -v "$tool" >/dev/null || { echo "packaging: $tool missing: skipped"; exit 0; }
done
out=$PWD/build-packages
rm -rf "$out"

# shellcheck source=packaging/common.sh
source packaging/common.sh
meson_version=$(pmctl_version)
deb_version=$(sed -n '1s/^pmctl (\([^)]*\)).*/\1/p' packaging/debian/changelog)
rpm_version=$(sed -n 's/^Version: *//p' packaging/rpm/pmctl.spec)
if [ "$meson_version" = "$deb_version" ] && [ "$meson_version" = "$rpm_version" ]; then
  check package-versions passed
else
  check package-versions failed "meson.build $meson_version, debian/changelog $deb_version, pmctl.spec $rpm_version"
fi

started=$(date +%s)
if deb=$(packaging/build-deb.sh "$out"); then check package-deb-build passed
else check package-deb-build failed "packaging/build-deb.sh"; exit 1; fi
echo "packaging: .deb built in $(($(date +%s) - started)) s"

lintian --display-level '>=info' "$deb" 2>/dev/null
if lintian --fail-on error,warning "$deb" >/dev/null 2>&1; then check package-lintian passed
else check package-lintian failed "lintian reports errors or warnings (above)"; fi

# What the .deb asks for: libsystemd0 and systemd although dlopen hides the first from
# dpkg-shlibdeps, nodejs only recommended; its maintainer scripts never start, stop or restart a
# unit (a restart of pmctl.slice would stop every app).
depends=$(dpkg-deb -f "$deb" Depends) recommends=$(dpkg-deb -f "$deb" Recommends)
scripts=$(mktemp -d) && dpkg-deb -e "$deb" "$scripts"
if [[ "$depends" == *"libsystemd0 (>= 252)"* && ", $depends," == *", systemd,"* &&
  "$depends" != *nodejs* && "$recommends" == *nodejs* ]] &&
  ! grep -l 'deb-systemd-invoke\|systemctl.*\(start\|stop\)' "$scripts"/* 2>/dev/null; then
  check package-deb-relations passed
else
  check package-deb-relations failed "Depends: $depends; Recommends: $recommends; or a script starts or stops a unit"
fi
rm -rf "$scripts"

started=$(date +%s)
if rpm=$(packaging/build-rpm.sh "$out"); then check package-rpm-build passed
else check package-rpm-build failed "packaging/build-rpm.sh"; rpm=""; fi
echo "packaging: .rpm built in $(($(date +%s) - started)) s"

# The files (not directories) of each, with the distributions' own paths made one: Debian's
# /lib/systemd/system is /usr/lib/systemd/system, zsh's vendor-completions is site-functions,
# man pages and docs are compressed by debhelper; Debian's changelog.gz and copyright are its own.
normal() {
  sed -e 's,^/lib/systemd/,/usr/lib/systemd/,' -e 's,/zsh/vendor-completions/,/zsh/site-functions/,' \
    -e 's,\.gz$,,' | grep -vx -e /usr/share/doc/pmctl/changelog -e /usr/share/doc/pmctl/copyright | sort
}
if [ -n "$rpm" ]; then
  deb_files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's,^\.,,' | normal)
  rpm_files=$(rpm -qlvp --noartifact "$rpm" 2>/dev/null | awk '$1 !~ /^d/ {print $NF}' | normal)
  if diff <(echo "$deb_files") <(echo "$rpm_files"); then check package-file-lists passed
  else check package-file-lists failed "the .deb and the .rpm differ (diff above: < deb, > rpm)"; fi
fi

started=$(date +%s)
tests/packaging/install_test.sh "$deb" "$results"
echo "packaging: install checks took $(($(date +%s) - started)) s"
