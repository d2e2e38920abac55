#!/bin/sh
# A queue worker for pools: takes jobs (files) from $QUEUE/new, claiming each with an atomic
# rename so no two workers take the same one, and appends "<instance> <job>" to $QUEUE/done/<job>.
# On SIGINT it finishes the job in hand, then exits: a reload or scale down loses no job.
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
echo "worker ${NODE_APP_INSTANCE} done"
