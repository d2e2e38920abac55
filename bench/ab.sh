#!/bin/sh
# A/B timing of two commands on a machine whose speed drifts: alternating hyperfine rounds
# (3 warm-ups + 15 runs each), then the median over all runs of each command.
#   bench/ab.sh 'old/pmctl ls' 'build/src/cli/pmctl ls' [rounds, default 6]
# AB_PREPARE: a command run before each timed run (hyperfine --prepare), e.g. to delete the app
# a timed `pmctl start` creates:
#   AB_PREPARE="sh -c 'pmctl delete ab >/dev/null 2>&1; true'" bench/ab.sh 'old/pmctl start x --name ab' ...
# Run it where the commands run (for pmctl: tests/sandbox.sh exec bench/ab.sh ...).
set -eu
A=$1; B=$2; R=${3:-6}
out=$(mktemp -d)
i=0
while [ "$i" -lt "$R" ]; do
  hyperfine -N --style none -w 3 -r 15 ${AB_PREPARE:+--prepare "$AB_PREPARE"} --export-json "$out/a$i.json" "$A" >/dev/null 2>&1
  hyperfine -N --style none -w 3 -r 15 ${AB_PREPARE:+--prepare "$AB_PREPARE"} --export-json "$out/b$i.json" "$B" >/dev/null 2>&1
  i=$((i + 1))
done
# shellcheck disable=SC2016  # a JavaScript program: its ${...} are template literals
node -e '
const fs = require("fs"), dir = process.argv[1];
for (const [k, cmd] of [["a", process.argv[2]], ["b", process.argv[3]]]) {
  const t = fs.readdirSync(dir).filter(f => f.startsWith(k))
    .flatMap(f => JSON.parse(fs.readFileSync(dir + "/" + f)).results[0].times)
    .map(x => x * 1000).sort((x, y) => x - y);
  console.log(`${cmd}: median ${t[t.length >> 1].toFixed(2)} ms, p25 ${t[t.length >> 2].toFixed(2)}, min ${t[0].toFixed(2)}, n ${t.length}`);
}' "$out" "$A" "$B"
rm -rf "$out"
