#!/usr/bin/env bash
# Builds Bgtask and runs every test: the HTTP contract on SQLite, on MariaDB (InnoDB) and on MariaDB with MEMORY
# tables, real worker processes, the faults, the bgtask CLI (in a pseudo-terminal too), the dashboard in a real
# browser, the container's publish (the Native AOT worker) and Docker files, and replicas over a Galera cluster
# behind haproxy. Needs the .NET SDK and npm: installs mariadb-server, chromium, clang, zlib1g-dev, galera-4,
# mariadb-backup, socat and haproxy (and bsdutils, for `script`, should it be missing) with apt-get when they are
# missing (the tests start a throwaway MariaDB and Galera cluster of their own; BGTASK_TEST_MYSQL may name a ready
# MariaDB instead), and the Docker checks' npm tools with npm ci.
#
# Output goes to the terminal and to artifacts/test/test-output.txt. The last line is the summary:
#   N passed, M failed, K skipped
# The exit code is non-zero when the build fails, a test fails, or no test ran. Arguments go to dotnet test,
# e.g. scripts/test.sh --filter "FullyQualifiedName~Signals".
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

configuration=${CONFIGURATION:-Release}
out_dir="$root/artifacts/test"
log="$out_dir/test-output.txt"
mkdir -p "$out_dir"
: >"$log"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Everything the tests put in the temp folder (the throwaway MariaDB, SQLite files) lives here and goes at exit.
# (Short, since the MariaDB socket goes in it.)
tmp_base=${TMPDIR:-/tmp}
[ "${#tmp_base}" -le 40 ] || tmp_base=/tmp
run_tmp=$(mktemp -d "$tmp_base/bgtask-test.XXXXXX")
sudo_cmd=""
policy_rc_added=""
cleaned=""

say() { echo "test.sh: $*" | tee -a "$log"; }

# The processes started under this run's temp folder (the MariaDB server and its watchdog), by pid.
run_pids() {
    local cmdline pid
    for cmdline in /proc/[0-9]*/cmdline; do
        pid=${cmdline#/proc/}
        pid=${pid%/cmdline}
        [ "$pid" = "$$" ] && continue
        if { tr '\0' ' ' <"$cmdline"; } 2>/dev/null | grep -qF -- "$run_tmp"; then echo "$pid"; fi
    done
}

remove_policy_rc() {
    if [ -n "$policy_rc_added" ]; then
        $sudo_cmd rm -f /usr/sbin/policy-rc.d || true
        policy_rc_added=""
    fi
}

cleanup() {
    [ -n "$cleaned" ] && return 0
    cleaned=yes
    local pids waited=0
    # The test host stops its MariaDB as it exits, and a watchdog covers a host that was killed; give them a
    # moment, then end whatever is left by its pid.
    while pids=$(run_pids) && [ -n "$pids" ] && [ "$waited" -lt 50 ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    if [ -n "$pids" ]; then
        say "stopping leftover processes $(echo $pids)"
        kill -9 $pids 2>/dev/null || true
    fi
    rm -rf "$run_tmp"
    remove_policy_rc
}
trap cleanup EXIT

have_mariadb() {
    command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]
}

have_chromium() {
    [ -x /usr/bin/chromium ]
}

# `script` (util-linux's bsdutils, essential on Debian) gives the CLI tests a pseudo-terminal.
have_script() {
    command -v script >/dev/null 2>&1
}

# The Native AOT toolchain: the packaging test publishes the worker as the image does (scripts/publish.sh).
have_clang() {
    command -v clang >/dev/null 2>&1
}

have_zlib_dev() {
    [ -e /usr/include/zlib.h ]
}

# The Python demo command (examples/commands/count.py) and the tests' 100 MB child are Python 3 programs.
have_python3() {
    command -v python3 >/dev/null 2>&1
}

# The cluster tests (Bgtask.Tests/Cluster) and scripts/cluster.sh: a MariaDB Galera cluster, whose joining nodes
# copy their state with mariadb-backup over socat, behind haproxy.
have_galera() {
    [ -e /usr/lib/galera/libgalera_smm.so ]
}

have_mariadb_backup() {
    command -v mariadb-backup >/dev/null 2>&1 || [ -x /usr/bin/mariadb-backup ]
}

have_socat() {
    command -v socat >/dev/null 2>&1
}

have_haproxy() {
    command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ]
}

# Installs Debian packages without starting any system service (the tests start their own MariaDB).
install_packages() {
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            say "$* missing, and without root or sudo they cannot be installed."
            return 1
        fi
        sudo_cmd="sudo -n"
    fi
    say "installing $* with apt-get"
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        # Debian's "start no services on install" switch, for the length of this install only.
        printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee /usr/sbin/policy-rc.d >/dev/null
        $sudo_cmd chmod +x /usr/sbin/policy-rc.d
        policy_rc_added=yes
    fi
    local status=0
    {
        $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
            $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
    } 2>&1 | tee -a "$log" || status=$?
    remove_policy_rc
    return "$status"
}

summary() {
    grep -oE '(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+' "$log" |
        awk -F'[:,]' '{f+=$2; p+=$4; s+=$6} END {printf "%d %d %d\n", p, f, s}'
}

start=$(date +%s)

packages=()
if [ -z "${BGTASK_TEST_MYSQL:-}" ] && ! have_mariadb; then packages+=(mariadb-server); fi
if ! have_chromium; then packages+=(chromium); fi
if ! have_script; then packages+=(bsdutils); fi
if ! have_clang; then packages+=(clang); fi
if ! have_zlib_dev; then packages+=(zlib1g-dev); fi
if ! have_python3; then packages+=(python3); fi
if ! have_galera; then packages+=(galera-4); fi
if ! have_mariadb_backup; then packages+=(mariadb-backup); fi
if ! have_socat; then packages+=(socat); fi
if ! have_haproxy; then packages+=(haproxy); fi
if [ ${#packages[@]} -gt 0 ]; then
    install_packages "${packages[@]}" || say "installing ${packages[*]} failed; the tests that need them will fail."
fi

# The pinned npm tools of the Docker checks (Bgtask.Tests/Packaging), from their lock file; again only when it changed.
docker_checks="$root/scripts/checks/docker"
if [ ! "$docker_checks/node_modules/.package-lock.json" -nt "$docker_checks/package-lock.json" ]; then
    if command -v npm >/dev/null 2>&1; then
        say "installing the npm tools of scripts/checks/docker"
        (cd "$docker_checks" && npm ci --no-audit --no-fund) 2>&1 | tee -a "$log" ||
            say "npm ci in scripts/checks/docker failed; the Docker checks will fail."
    else
        say "npm is missing: the Docker checks (dockerfilelint, the compose schema) will fail."
    fi
fi

# No build servers: nothing (MSBuild nodes, the compiler server) may outlive this script.
build_status=0
dotnet build Bgtask.sln -c "$configuration" --disable-build-servers 2>&1 | tee -a "$log" ||
    build_status=$?

# The OpenAPI linter of the Swagger document's test (Bgtask.Tests/OpenApi), from its lock file; again only when it changed.
openapi_checks="$root/scripts/checks/openapi"
if [ ! "$openapi_checks/node_modules/.package-lock.json" -nt "$openapi_checks/package-lock.json" ]; then
    if command -v npm >/dev/null 2>&1; then
        say "installing the OpenAPI linter of scripts/checks/openapi"
        (cd "$openapi_checks" && npm ci --no-audit --no-fund) 2>&1 | tee -a "$log" ||
            say "npm ci in scripts/checks/openapi failed; the OpenAPI lint test will fetch the linter itself or fail."
    else
        say "npm is missing: the OpenAPI lint test will fail."
    fi
fi

test_status=0
if [ "$build_status" -eq 0 ]; then
    TMPDIR="$run_tmp" dotnet test Bgtask.sln -c "$configuration" --no-build --disable-build-servers \
        --results-directory "$out_dir/TestResults" --logger "trx;LogFileName=bgtask-tests.trx" \
        --blame-hang-timeout 10m --blame-hang-dump-type none "$@" 2>&1 | tee -a "$log" || test_status=$?
else
    say "the build failed (exit code $build_status); no tests ran."
fi

read -r passed failed skipped < <(summary)
cleanup
say "finished in $(($(date +%s) - start)) s; the output is in ${log#"$root"/}"
if [ "$build_status" -ne 0 ] || [ "$test_status" -ne 0 ] || [ "$failed" -ne 0 ] || [ $((passed + failed)) -eq 0 ]; then
    exit_code=1
else
    exit_code=0
fi
echo "$passed passed, $failed failed, $skipped skipped" | tee -a "$log"
exit "$exit_code"
