#!/bin/sh
# Exits with the config's `code`.
code=$(printf '%s' "$BGTASK_CONFIG" | sed -n 's/.*"code"[[:space:]]*:[[:space:]]*\([0-9]*\).*/\1/p')
echo "exiting with ${code:-0}"
exit "${code:-0}"
