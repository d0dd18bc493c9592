#!/usr/bin/env bash
# Publishes what the container image ships into one folder: the service (framework-dependent, started with
# `dotnet Bgtask.Api.dll`) and, beside it as Bgtask.Worker, the worker compiled with Native AOT for this machine
# (about 10 ms to start and 9 MB per task, against about 110 ms and 47 MB for the JIT worker). The Dockerfile runs
# this script and so does the packaging test (Bgtask.Tests/Packaging), so what the image ships is what is tested.
#   scripts/publish.sh <out-dir>   publish into <out-dir>
#   scripts/publish.sh --restore   restore only (the image's package layer, built before the sources are copied)
# Native AOT needs clang and zlib1g-dev (Debian packages).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# For this machine's runtime (linux-x64 or linux-arm64), so the image builds natively on either.
aot=(--use-current-runtime -p:PublishAot=true)
# No build servers: nothing may outlive the script (a test runs it, and so does a Docker layer).
quiet=(--disable-build-servers -nologo)

if [ "${1:-}" = "--restore" ]; then
    dotnet restore Bgtask.Api/Bgtask.Api.csproj "${quiet[@]}"
    dotnet restore Bgtask.Worker/Bgtask.Worker.csproj "${aot[@]}" "${quiet[@]}"
    exit 0
fi
if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: scripts/publish.sh <out-dir> | --restore" >&2
    exit 2
fi
out=$(realpath -m "$1")
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT

# The service with everything it references, including Bgtask.Worker.dll (the task SDK and the demo tasks, for
# in-process runs and the task list) and the worker's JIT apphost.
dotnet publish Bgtask.Api/Bgtask.Api.csproj -c Release -o "$out" "${quiet[@]}"

# The native worker replaces that apphost: the process launcher starts Bgtask.Worker from the service's folder.
# Only the executable goes in, not its .dbg symbols. Bgtask.Worker.dll stays, so Worker:Path=<folder>/Bgtask.Worker.dll
# still runs the JIT worker, which (unlike the native one) can load plugin assemblies.
dotnet publish Bgtask.Worker/Bgtask.Worker.csproj -c Release "${aot[@]}" -o "$staging" "${quiet[@]}"
install -m 755 "$staging/Bgtask.Worker" "$out/Bgtask.Worker"
echo "publish.sh: the service and the Native AOT worker are in $out"
