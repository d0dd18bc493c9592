#!/usr/bin/env bash
# The bgtask CLI's start-up time, JIT against Native AOT: `bgtask --help` (no request) and `bgtask types` (one
# request to the service at BGTASK_URL, default http://localhost:5000; skipped when it does not answer).
# The median of 30 runs each (after 3 warm-up runs), so it needs nothing beyond bash. Needs clang for AOT.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
url=${BGTASK_URL:-http://localhost:5000}
out="$root/artifacts/cli-startup"
mkdir -p "$out"

dotnet build Bgtask.Cli -c Release --disable-build-servers -v quiet -nologo >/dev/null
dotnet publish Bgtask.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$out/aot" --disable-build-servers -v quiet -nologo >/dev/null
jit="$root/Bgtask.Cli/bin/Release/net10.0/bgtask"
aot="$out/aot/bgtask"

commands=("--help")
if curl -fsS -o /dev/null "$url/health/live" 2>/dev/null; then commands+=("--url $url types"); else
    echo "cli-startup: nothing answers at $url; measuring --help only." >&2; fi

median_ms() {
    local cmd=$1 i start end times=()
    for i in 1 2 3; do $cmd >/dev/null 2>&1 || true; done
    for i in $(seq 30); do
        start=$(date +%s%N); $cmd >/dev/null 2>&1 || true; end=$(date +%s%N)
        times+=($(((end - start) / 1000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f ms\n", (a[int((NR+1)/2)]+a[int((NR+2)/2)])/2000}'
}

for args in "${commands[@]}"; do
    echo "JIT bgtask $args: median $(median_ms "$jit $args")"
    echo "AOT bgtask $args: median $(median_ms "$aot $args")"
done
