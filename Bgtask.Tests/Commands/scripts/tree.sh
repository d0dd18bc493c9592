#!/bin/sh
# A command with a child: both say when SIGTERM reaches them.
sh -c 'trap "echo child got TERM; exit 0" TERM; while :; do sleep 1 & wait $!; done' &
trap 'echo parent got TERM; wait; exit 143' TERM
echo "parent and child started"
while :; do sleep 1 & wait $!; done
