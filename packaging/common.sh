# shellcheck shell=bash
# What build-deb.sh and build-rpm.sh share (sourced from the top of the tree).

# The version in meson.build (what debian/changelog and the spec must say too).
pmctl_version() {
  local v
  v=$(sed -n "s/^  version : '\(.*\)',$/\1/p" meson.build)
  [ -n "$v" ] || { echo "packaging: no version in meson.build" >&2; return 1; }
  echo "$v"
}

# The tree's files as git knows them (tracked, and new ones not ignored; no build directories),
# NUL-separated: a clean copy of the tree, uncommitted work included.
tree_files() {
  git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"
  done
}
