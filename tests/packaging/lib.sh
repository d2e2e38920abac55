# shellcheck shell=bash
# One entry for scripts/test.sh's summary, in the shape GoogleTest writes, into $results:
# $1 name, $2 passed|failed, $3 what failed.
: "${results:?the caller sets results, the directory of the summary files}"
check() {
  local failures='[]'
  if [ "$2" = failed ]; then failures="[{\"failure\": \"$3\"}]"; fi
  echo "{\"testsuites\": [{\"testsuite\": [{\"name\": \"$1\", \"failures\": $failures}]}]}" \
    >"$results/$1.json"
  echo "packaging: $1 $2${3:+ ($3)}"
}
