#!/bin/sh
# A Bgtask command task in POSIX shell (Signals: os): counts to `total` (10), `delay` seconds apart (1).
# The service is its supervisor: each `::progress <done>/<total>` line becomes the task's progress, every other
# line goes to the task log; sleep/continue freeze and thaw this script with its children; stop is a SIGTERM.
# Exit 0 ends the task `finished`, exit N `error` "exit code N".
set -eu

# A number from the config JSON in BGTASK_CONFIG (flat keys only: enough for a demo without jq).
number() {
    printf '%s' "${BGTASK_CONFIG:-}" | sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\([0-9][0-9.]*\).*/\1/p"
}
total=$(number total); total=${total:-10}
delay=$(number delay); delay=${delay:-1}

# `sleep & wait` rather than a plain `sleep`: a trap runs at once, not after the sleep.
trap 'echo "stop: SIGTERM at $i of $total"; exit 143' TERM

i=0
echo "task $BGTASK_PID: counting to $total, $delay s apart"
while [ "$i" -lt "$total" ]; do
    sleep "$delay" &
    wait $!
    i=$((i + 1))
    echo "::progress $i/$total"
    echo "counted $i"
done
echo "counted to $total"
