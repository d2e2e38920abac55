#!/usr/bin/env bash
# The layers, checked from the includes (docs/ARCHITECTURE.md has the picture):
# - src/core's folders form a chain: a folder includes only itself and the folders before it in
#   $order, so no two folders include each other;
# - src/core includes nothing of src/cli or src/systemd;
# - src/systemd sees only core/types (plain data); src/balancer core/types and
#   core/text/balancer_status.hpp (the STATUS= line pmctl reads back); the log writer core/types,
#   core/text and core/state/log_files.hpp; pmctl-memguard and pmctl-watch core/types, core/base,
#   core/text and core/units/unit_names.hpp.
# Prints each offending include and exits 1; silent and 0 when all is well.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

order=(types base text model cluster units fields ecosystem state lifecycle remote)
status=0

rank() {
  local i
  for i in "${!order[@]}"; do
    [ "${order[$i]}" = "$1" ] && { echo "$i"; return; }
  done
  echo -1
}

complain() {
  echo "layers: $1" >&2
  status=1
}

# Every include of a core folder from inside src/core.
while IFS=: read -r file _ line; do
  target=$(sed -n 's|.*#include "core/\([a-z]*\)/.*|\1|p' <<<"$line")
  [ -n "$target" ] || continue
  from=$(cut -d/ -f3 <<<"$file")
  if [ "$(rank "$target")" -lt 0 ]; then complain "$file includes core/$target/, a folder not in the order"; fi
  if [ "$(rank "$target")" -gt "$(rank "$from")" ]; then
    complain "$file ($from) includes core/$target/, which comes after it"
  fi
done < <(grep -rn '#include "core/' src/core --include='*.[ch]pp')

if grep -rn '#include "\(cli\|systemd\|balancer\|logwriter\|memguard\|monit\|watch\)/' src/core >&2; then
  complain "src/core includes another layer (above)"
fi
if grep -rn '#include "core/' src/systemd | grep -v '"core/types/' >&2; then
  complain "src/systemd sees only core/types (above)"
fi
if grep -rn '#include "core/' src/balancer | grep -v '"core/types/\|"core/text/balancer_status.hpp"' >&2; then
  complain "src/balancer sees only core/types and core/text/balancer_status.hpp (above)"
fi
if grep -rn '#include "core/' src/logwriter | grep -v '"core/\(types\|text\)/\|"core/state/log_files.hpp"' >&2; then
  complain "src/logwriter sees only core/types, core/text and core/state/log_files.hpp (above)"
fi
if grep -rn '#include "core/' src/memguard src/watch |
  grep -v '"core/\(types\|base\|text\)/\|"core/units/unit_names.hpp"' >&2; then
  complain "src/memguard and src/watch see only core/types, core/base, core/text and core/units/unit_names.hpp (above)"
fi
if grep -rn '#include "\(cli\)/' src/systemd src/balancer src/logwriter src/memguard src/watch >&2; then
  complain "nothing includes src/cli (above)"
fi
# pmctl-monit is a second front end: it uses cli's context like pmctl does; nothing uses it.
if grep -rn '#include "monit/' src/cli src/systemd src/balancer src/logwriter >&2; then
  complain "nothing but src/monit includes src/monit (above)"
fi
exit $status
