#!/bin/sh
# A queue worker for pools: takes jobs (files) from $QUEUE/new, claiming each with an atomic
# rename so no two workers take the same one, and appends "<instance> <job>" to $QUEUE/done/<job>.
# On SIGINT it finishes the job in hand, then exits: a reload or scale down loses no job (and
# does none twice).
q=$QUEUE
me="$q/claimed/${NODE_APP_INSTANCE}-$$"
mkdir -p "$q/claimed" "$q/done"
stop=0
trap 'stop=1' INT TERM
echo "worker ${NODE_APP_INSTANCE} up"
while [ "$stop" = 0 ]; do
  took=0
  for job in "$q"/new/*; do
    [ -e "$job" ] || break
    name=${job##*/}
    mv "$job" "$me-$name" 2>/dev/null
    [ -e "$me-$name" ] || continue  # another worker took it (a killed mv may still have moved it)
    sleep 0.02                                       # the work
    echo "${NODE_APP_INSTANCE} $name" >> "$q/done/$name"
    rm -f "$me-$name"
    took=1
    [ "$stop" = 0 ] || break
  done
  [ "$took" = 1 ] || sleep 0.05
done
# With KillMode=control-group the SIGINT reaches the child in hand too: an rm it killed leaves a
# claim of a job that is done, a killed sleep a claim of one that is not. Nothing signals twice.
for claim in "$me"-*; do
  [ -e "$claim" ] || continue
  name=${claim##*-}
  [ -e "$q/done/$name" ] || echo "${NODE_APP_INSTANCE} $name" >> "$q/done/$name"
  rm -f "$claim"
done
echo "worker ${NODE_APP_INSTANCE} done"
