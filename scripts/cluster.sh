#!/usr/bin/env bash
# A Bgtask cluster on this machine, without Docker: a 3-node MariaDB Galera cluster (127.0.0.21-23), two Bgtask
# replicas (127.0.0.1:5101, :5102) and haproxy in front (http://127.0.0.1:5100/, per-request round robin, which the
# workers use too). The same topology as docker-compose.cluster.yml.
#
#   scripts/cluster.sh start     builds Bgtask.Api (Release), starts what is not running, waits until all is ready
#   scripts/cluster.sh status    what runs, and GET /api/nodes through haproxy
#   scripts/cluster.sh stop      stops everything by its pid and waits for the end
#
# Needs mariadb-server, galera-4, mariadb-backup, socat and haproxy (apt-get install -y ...; scripts/test.sh installs
# them). Everything lives in the state folder: $BGTASK_CLUSTER_DIR, by default .cluster/ in the repository (data,
# logs, pid files, the generated passwords in secrets.env). The tasks survive a stop and start; rm -rf the folder for
# a new cluster. Other settings (environment): BGTASK_CLUSTER_PORT (haproxy, 5100; the replicas take the next two
# ports), BGTASK_CLUSTER_DB_PORT (3306), BGTASK_CLUSTER_GALERA_PORTS ("4567 4568 4444": group, IST, SST),
# MARIADB_PASSWORD and BGTASK_CLUSTER_SECRET (else generated), BGTASK_CLUSTER_BUILD=0 (use the build there is).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state=${BGTASK_CLUSTER_DIR:-$root/.cluster}
port=${BGTASK_CLUSTER_PORT:-5100}
db_port=${BGTASK_CLUSTER_DB_PORT:-3306}
read -r group_port ist_port sst_port <<<"${BGTASK_CLUSTER_GALERA_PORTS:-4567 4568 4444}"
app="$root/Bgtask.Api/bin/Release/net10.0"
galera_nodes=(1 2 3)
replicas=(1 2)
provider=/usr/lib/galera/libgalera_smm.so
PATH="$PATH:/usr/sbin:/sbin"

say() { echo "cluster.sh: $*"; }
die() { say "$*" >&2; exit 1; }

galera_address() { echo "127.0.0.2$1"; }
replica_port() { echo $((port + $1)); }
node_dir() { echo "$state/galera/n$1"; }

# A pid from a file, if that process is alive.
alive_pid() {
    local pid
    [ -f "$1" ] || return 1
    pid=$(cat "$1" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Runs a command in the background, in a session of its own (a Ctrl-C here does not reach it), with no terminal:
# its output goes to a log file, and its pid to a file.
spawn() {
    local pid_file=$1 log=$2
    shift 2
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' spawn "$pid_file" "$@" >"$log" 2>&1 </dev/null &
}

wait_until() {
    local what=$1 seconds=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || die "timed out waiting until $what"
        sleep 0.5
    done
}

sql() { mariadb --no-defaults --socket="$(node_dir "$1")/sock" --batch --skip-column-names -e "$2"; }

synced() {
    local dir
    dir=$(node_dir "$1")
    alive_pid "$dir/mariadbd.pid" >/dev/null || die "Galera node $1 exited; see $dir/error.log"
    [ "$(sql "$1" "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2)" = "Synced" ]
}

http_ok() { curl -fsS -o /dev/null --max-time 5 "$1" 2>/dev/null; }

check_tools() {
    local missing=()
    for tool in mariadbd mariadb mariadb-install-db mariadb-backup socat haproxy curl; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    [ -e "$provider" ] || missing+=("$provider")
    [ ${#missing[@]} -eq 0 ] ||
        die "missing: ${missing[*]} (apt-get install -y mariadb-server galera-4 mariadb-backup socat haproxy curl)"
}

secrets() {
    local file="$state/secrets.env"
    if [ ! -f "$file" ]; then
        (
            umask 077
            echo "MARIADB_PASSWORD=${MARIADB_PASSWORD:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
            echo "BGTASK_CLUSTER_SECRET=${BGTASK_CLUSTER_SECRET:-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')}"
        ) >"$file"
    fi
    # shellcheck disable=SC1090
    . "$file"
}

# The node's settings as an option file: mariadb-backup, which a joining node's state transfer runs, reads it too.
write_node_config() {
    local i=$1 dir address members
    dir=$(node_dir "$i")
    address=$(galera_address "$i")
    members=$(for n in "${galera_nodes[@]}"; do printf '%s:%s,' "$(galera_address "$n")" "$group_port"; done)
    cat >"$dir/my.cnf" <<EOF
[mysqld]
user=$(id -un)
datadir=$dir/data
socket=$dir/sock
pid-file=$dir/pid
port=$db_port
bind-address=$address
skip-name-resolve
log-error=$dir/error.log
skip-log-bin
innodb-buffer-pool-size=128M
binlog-format=ROW
innodb-autoinc-lock-mode=2
wsrep-on=ON
wsrep-provider=$provider
wsrep-cluster-name=bgtask
wsrep-node-name=g$i
wsrep-node-address=$address
wsrep-node-incoming-address=$address:$db_port
wsrep-cluster-address=gcomm://${members%,}
wsrep-provider-options="gmcast.listen_addr=tcp://$address:$group_port;ist.recv_addr=$address:$ist_port"
wsrep-sst-receive-address=$address:$sst_port
wsrep-sst-method=mariabackup
[sst]
sst-syslog=-1
EOF
}

start_galera_node() {
    local i=$1 dir bootstrap=()
    dir=$(node_dir "$i")
    if alive_pid "$dir/mariadbd.pid" >/dev/null; then
        say "Galera node $i runs already"
        return
    fi
    mkdir -p "$dir"
    write_node_config "$i"
    local fresh=""
    if [ ! -d "$dir/data/mysql" ]; then
        fresh=yes
        mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir/data" \
            --auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1 ||
            die "mariadb-install-db failed; see $dir/install.log"
    fi
    # The first node creates the cluster when no other node runs; otherwise every node joins the running ones.
    if [ "$i" = 1 ] && ! any_galera_running; then
        bootstrap=(--wsrep-new-cluster)
        if [ -z "$fresh" ] && grep -q '^safe_to_bootstrap: 0' "$dir/data/grastate.dat" 2>/dev/null; then
            die "node 1 was not the last Galera node to stop: set safe_to_bootstrap: 1 in the grastate.dat of the" \
                "node that was (under $state/galera/) and start that one first, or remove $state for a new cluster"
        fi
    fi
    say "starting Galera node $i on $(galera_address "$i"):$db_port"
    spawn "$dir/mariadbd.pid" "$dir/mariadbd.out" mariadbd --defaults-file="$dir/my.cnf" "${bootstrap[@]}"
    # A joiner copies a node's data first (mariadb-backup): this takes a while.
    wait_until "Galera node $i is Synced (see $dir/error.log)" 300 synced "$i"
    if [ "$i" = 1 ] && [ -n "$fresh" ]; then
        sql 1 "CREATE DATABASE IF NOT EXISTS bgtask;
               CREATE USER IF NOT EXISTS 'bgtask'@'127.%' IDENTIFIED BY '$MARIADB_PASSWORD';
               GRANT ALL ON bgtask.* TO 'bgtask'@'127.%';"
    fi
}

any_galera_running() {
    local n
    for n in "${galera_nodes[@]}"; do
        alive_pid "$(node_dir "$n")/mariadbd.pid" >/dev/null && return 0
    done
    return 1
}

connection_string() {
    local servers
    servers=$(for n in "${galera_nodes[@]}"; do printf '%s,' "$(galera_address "$n")"; done)
    # FailOver: every replica writes through the first Galera node while it lives (no certification conflicts
    # between nodes), the next one when it dies.
    echo "Server=${servers%,};Port=$db_port;Database=bgtask;User=bgtask;Password=$MARIADB_PASSWORD;LoadBalance=FailOver"
}

start_replica() {
    local i=$1 dir rport version
    dir="$state/replica-$i"
    rport=$(replica_port "$i")
    if alive_pid "$dir/pid" >/dev/null; then
        say "replica n$i runs already"
        return
    fi
    mkdir -p "$dir"
    version=$(sql 1 "SELECT VERSION()" 2>/dev/null || sql 2 "SELECT VERSION()")
    say "starting replica n$i on 127.0.0.1:$rport"
    # Its working folder is its own: the rolling log file goes to logs/ there.
    (
        cd "$dir"
        ASPNETCORE_URLS="http://127.0.0.1:$rport" \
            ASPNETCORE_ENVIRONMENT=Production \
            ConnectionStrings__Bgtask="$(connection_string)" \
            Storage__Provider=MySql \
            Storage__MySql__Engine=InnoDB \
            Storage__MySql__ServerVersion="${version%%-*}-mariadb" \
            Cluster__Secret="$BGTASK_CLUSTER_SECRET" \
            Cluster__NodeName="n$i" \
            Cluster__NodeUrl="http://127.0.0.1:$rport/" \
            Worker__ApiUrl="http://127.0.0.1:$port/" \
            spawn "$dir/pid" "$dir/output.log" "$app/Bgtask.Api"
    )
}

write_haproxy_config() {
    local i
    {
        cat <<EOF
global
    maxconn 4096
    stats socket $state/haproxy.sock mode 600 level admin

defaults
    mode http
    timeout connect 5s
    # Held reads and event streams stay open a long time.
    timeout client 10m
    timeout server 10m
    timeout tunnel 1h
    retries 3
    option redispatch 1

frontend bgtask_in
    bind 127.0.0.1:$port
    default_backend bgtask

# Each request to the next replica that is ready, even on one keep-alive connection.
backend bgtask
    balance roundrobin
    option forwardfor
    option httpchk GET /health/ready
    http-check expect status 200
    timeout check 5s
    default-server inter 1s fall 3 rise 1
EOF
        for i in "${replicas[@]}"; do echo "    server n$i 127.0.0.1:$(replica_port "$i") check"; done
    } >"$state/haproxy.cfg"
}

start_haproxy() {
    if alive_pid "$state/haproxy.pid" >/dev/null; then
        say "haproxy runs already"
        return
    fi
    write_haproxy_config
    haproxy -c -f "$state/haproxy.cfg" >/dev/null || die "haproxy rejects $state/haproxy.cfg"
    say "starting haproxy on 127.0.0.1:$port"
    spawn "$state/haproxy.pid" "$state/haproxy.log" haproxy -f "$state/haproxy.cfg" -db
}

start() {
    check_tools
    mkdir -p "$state"
    secrets
    if [ "${BGTASK_CLUSTER_BUILD:-1}" != 0 ]; then
        say "building Bgtask.Api (Release)"
        dotnet build "$root/Bgtask.Api" -c Release --disable-build-servers -nologo -v quiet >"$state/build.log" 2>&1 ||
            die "the build failed; see $state/build.log"
    fi
    [ -x "$app/Bgtask.Api" ] || die "$app/Bgtask.Api is missing: build Bgtask.Api in Release"
    # One at a time: a joining node copies the data of a Synced one.
    local i
    for i in "${galera_nodes[@]}"; do start_galera_node "$i"; done
    # The first replica alone: it migrates the database.
    start_replica 1
    wait_until "replica n1 is ready (see $state/replica-1/output.log)" 120 replica_ready 1
    for i in "${replicas[@]:1}"; do start_replica "$i"; done
    for i in "${replicas[@]:1}"; do
        wait_until "replica n$i is ready (see $state/replica-$i/output.log)" 120 replica_ready "$i"
    done
    start_haproxy
    wait_until "haproxy answers (see $state/haproxy.log)" 60 http_ok "http://127.0.0.1:$port/health/ready"
    say "ready: http://127.0.0.1:$port/ (the dashboard and the API, through haproxy); scripts/cluster.sh stop ends it"
}

replica_ready() {
    alive_pid "$state/replica-$1/pid" >/dev/null || die "replica n$1 exited; see $state/replica-$1/output.log"
    http_ok "http://127.0.0.1:$(replica_port "$1")/health/ready"
}

# SIGTERM, then SIGKILL after 30 s; waits until the process is gone.
stop_pid_file() {
    local what=$1 file=$2 pid waited=0
    pid=$(alive_pid "$file") || { rm -f "$file"; return 0; }
    say "stopping $what (pid $pid)"
    kill "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$waited" -eq 300 ]; then
            say "$what did not stop within 30 s: SIGKILL"
            kill -9 "$pid" 2>/dev/null || true
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    rm -f "$file"
}

stop() {
    local i
    stop_pid_file haproxy "$state/haproxy.pid"
    for i in "${replicas[@]}"; do stop_pid_file "replica n$i" "$state/replica-$i/pid"; done
    # Node 1 last: the last node to stop is the one that may bootstrap the cluster at the next start.
    for i in 3 2 1; do
        stop_pid_file "Galera node $i" "$(node_dir "$i")/mariadbd.pid"
    done
}

status() {
    local i pid
    for i in "${galera_nodes[@]}"; do
        if pid=$(alive_pid "$(node_dir "$i")/mariadbd.pid"); then
            echo "galera g$i   $(galera_address "$i"):$db_port  pid $pid  $(sql "$i" "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2), cluster size $(sql "$i" "SHOW STATUS LIKE 'wsrep_cluster_size'" 2>/dev/null | cut -f2)"
        else
            echo "galera g$i   $(galera_address "$i"):$db_port  not running"
        fi
    done
    for i in "${replicas[@]}"; do
        if pid=$(alive_pid "$state/replica-$i/pid"); then
            echo "replica n$i  127.0.0.1:$(replica_port "$i")  pid $pid  $(http_ok "http://127.0.0.1:$(replica_port "$i")/health/ready" && echo ready || echo "not ready")"
        else
            echo "replica n$i  127.0.0.1:$(replica_port "$i")  not running"
        fi
    done
    if pid=$(alive_pid "$state/haproxy.pid"); then
        echo "haproxy     127.0.0.1:$port  pid $pid"
        local nodes
        if nodes=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/api/nodes" 2>/dev/null); then
            echo "GET /api/nodes: $nodes"
        fi
    else
        echo "haproxy     127.0.0.1:$port  not running"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *)
        echo "usage: scripts/cluster.sh start|stop|status" >&2
        exit 2
        ;;
esac
