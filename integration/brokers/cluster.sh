#!/usr/bin/env bash
# Starts, stops and reports the clustered brokers of the failover tests (integration/cluster),
# natively and on loopback only, next to the single-node brokers of brokers.sh (whose binaries
# and caches it shares, and whose ports it never touches):
#
#   kafka     three KRaft nodes, each broker and controller (one controller quorum of three),
#             topics created with replication factor 3 and min.insync.replicas 2
#             brokers 127.0.0.1:39091-39093, controllers 39191-39193
#   rabbitmq  three rabbitmq-server nodes on this host, joined into one cluster, for quorum
#             queues: rabbit-cluster-{1,2,3}@localhost, AMQP 5791-5793, distribution 25791-25793
#   nsq       one nsqlookupd (TCP 4360, HTTP 4361) and two nsqd registered with it
#             (TCP 4350 / HTTP 4351, TCP 4352 / HTTP 4353)
#
#   cluster.sh up [kafka|rabbitmq|nsq ...]     install what is missing, start every node, wait
#                                              until the cluster is formed; idempotent
#   cluster.sh down [kafka|rabbitmq|nsq ...]   stop every node and delete the data: nothing left
#   cluster.sh status                          each node's address and state
#   cluster.sh stop  kafka|rabbitmq|nsqd N     stop one node cleanly, data kept
#   cluster.sh kill  kafka|rabbitmq|nsqd N     SIGKILL one node, data kept (a crash)
#   cluster.sh start kafka|rabbitmq|nsqd N     start that node again and wait until it has rejoined
#
# State lives in TRACEHOP_CLUSTER_STATE (default /tmp/tracehop-cluster); downloads and builds in
# the same cache as brokers.sh (TRACEHOP_CACHE). Versions: versions.env.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

cache=${TRACEHOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tracehop}
state=${TRACEHOP_CLUSTER_STATE:-${TMPDIR:-/tmp}/tracehop-cluster}
mkdir -p "$cache" "$state"

NODES=(1 2 3)
kafka_port() { echo $((39090 + $1)); }
kafka_controller_port() { echo $((39190 + $1)); }
rabbit_port() { echo $((5790 + $1)); }
rabbit_node() { echo "rabbit-cluster-$1@localhost"; }
NSQD_NODES=(1 2)
nsqd_tcp_port() { echo $((4348 + 2 * $1)); }
nsqd_http_port() { echo $((4349 + 2 * $1)); }
LOOKUPD_TCP_PORT=4360
LOOKUPD_HTTP_PORT=4361

# Per node: Kafka 3 × 512 MiB heap; RabbitMQ 3 × a 512 MiB memory alarm; nsqd 2 × 10 000
# messages in memory. Well inside 24 GB next to the shared brokers.
KAFKA_HEAP=${TRACEHOP_CLUSTER_KAFKA_HEAP:-512m}
RABBIT_MEMORY=${TRACEHOP_CLUSTER_RABBIT_MEMORY:-512MiB}

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for NAME SECONDS COMMAND...: polls COMMAND until it succeeds; gives up after SECONDS,
# or at once when COMMAND returns 2 (the process it waits for has died).
wait_for() {
  local name=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds)) rc
  while :; do
    rc=0; "$@" >/dev/null 2>&1 || rc=$?
    ((rc == 0)) && break
    ((rc == 2)) && return 2
    if ((SECONDS >= deadline)); then return 1; fi
    sleep 0.5
  done
  log "$name is ready"
}

# died NAME LOG: the error for a node whose process exited while starting, with its last lines.
died() { die "$1 exited while starting; the end of $2:"$'\n'"$(tail -n 30 "$2" 2>/dev/null)"; }

# stop_pid NAME PIDFILE SECONDS: SIGTERM, then SIGKILL if it has not exited in time.
stop_pid() {
  pid_alive "$2" || return 0
  local pid; pid=$(cat "$2")
  kill "$pid" 2>/dev/null || true
  wait_for "$1 shutdown" "$3" bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
}

crash_pid() {
  pid_alive "$2" || return 0
  local pid; pid=$(cat "$2")
  log "killing $1 (pid $pid) with SIGKILL"
  kill -9 "$pid" 2>/dev/null || true
  wait_for "$1 exit" 30 bash -c "! kill -0 $pid 2>/dev/null" || die "$1 (pid $pid) survived SIGKILL"
}

check_node() { [[ " $2 " == *" $1 "* ]] || die "no node '$1' (expected one of: $2)"; }

# ---------------------------------------------------------------------------------- Kafka
# shellcheck source=kafka-install.sh
source "$here/kafka-install.sh"   # kafka_home, kafka_install (shared with brokers.sh)

# kafka_java DIR: sets JAVA to the command line of a Kafka JVM logging under DIR.
kafka_java() {
  local logging=(-Dlog4j.configuration="file:$here/kafka/log4j.properties")
  [[ $KAFKA_VERSION == 3.* ]] || logging=(-Dlog4j2.configurationFile="$here/kafka/log4j2.properties")
  JAVA=(java "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true
    "${logging[@]}" "-Dkafka.logs.dir=$1/logs" -cp "$(kafka_home)/libs/*")
}

kafka_config() {
  local n=$1 dir=$2 voters="" i
  for i in "${NODES[@]}"; do voters+="${voters:+,}$i@127.0.0.1:$(kafka_controller_port "$i")"; done
  cat >"$dir/server.properties" <<EOF
# Node $n of a three-node KRaft cluster (each node broker and controller), loopback only.
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$(kafka_port "$n"),CONTROLLER://127.0.0.1:$(kafka_controller_port "$n")
advertised.listeners=PLAINTEXT://127.0.0.1:$(kafka_port "$n")
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false
auto.create.topics.enable=false
offsets.topic.replication.factor=3
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
group.initial.rebalance.delay.ms=0
# A killed node is fenced after 4 s (default 9 s), so failover happens within a test's patience.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=4000
log.retention.hours=1
log.segment.bytes=16777216
num.network.threads=2
num.io.threads=2
num.replica.fetchers=1
background.threads=2
EOF
}

kafka_node_up() {
  local n=$1 dir="$state/kafka/$n"
  if pid_alive "$dir/pid" && port_open "$(kafka_port "$n")"; then return 0; fi
  [[ -f $dir/cluster-id ]] || die "Kafka node $n has no storage: run 'cluster.sh up kafka'"
  port_open "$(kafka_port "$n")" && die "127.0.0.1:$(kafka_port "$n") is taken by a process this script did not start"
  log "starting Kafka node $n on 127.0.0.1:$(kafka_port "$n")"
  : >"$dir/kafka.out"
  kafka_java "$dir"
  nohup "${JAVA[@]}" kafka.Kafka "$dir/server.properties" >"$dir/kafka.out" 2>&1 &
  echo $! >"$dir/pid"
}

kafka_node_ready() {
  pid_alive "$1/pid" || return 2
  port_open "$2" && grep -q 'Kafka Server started' "$1/kafka.out"
}

kafka_up() {
  kafka_install
  local n cluster_id=""
  [[ -f $state/kafka/cluster-id ]] && cluster_id=$(cat "$state/kafka/cluster-id")
  if [[ -z $cluster_id ]]; then
    mkdir -p "$state/kafka"
    kafka_java "$state/kafka"
    cluster_id=$("${JAVA[@]}" "$KAFKA_STORAGE_TOOL" random-uuid 2>/dev/null | tail -n 1)
    echo "$cluster_id" >"$state/kafka/cluster-id"
  fi
  for n in "${NODES[@]}"; do
    local dir="$state/kafka/$n"
    mkdir -p "$dir"
    kafka_config "$n" "$dir"
    if [[ ! -f $dir/data/meta.properties ]]; then
      kafka_java "$dir"
      "${JAVA[@]}" "$KAFKA_STORAGE_TOOL" format -t "$cluster_id" -c "$dir/server.properties" >"$dir/format.log" 2>&1 \
        || die "Kafka node $n: formatting the storage failed, see $dir/format.log"
      echo "$cluster_id" >"$dir/cluster-id"
    fi
    kafka_node_up "$n"
  done
  for n in "${NODES[@]}"; do
    wait_for "Kafka node $n" 120 kafka_node_ready "$state/kafka/$n" "$(kafka_port "$n")" \
      || died "Kafka node $n" "$state/kafka/$n/kafka.out"
  done
  # A KRaft broker logs "Kafka Server started" only once the controller quorum has unfenced it:
  # three started nodes are three registered, unfenced brokers.
  log "Kafka cluster is formed (3 brokers)"
}

kafka_start_one() {
  local n=$1
  kafka_node_up "$n"
  wait_for "Kafka node $n" 120 kafka_node_ready "$state/kafka/$n" "$(kafka_port "$n")" || died "Kafka node $n" "$state/kafka/$n/kafka.out"
}

kafka_down() {
  local n
  for n in "${NODES[@]}"; do [[ -f $state/kafka/$n/pid ]] && kill "$(cat "$state/kafka/$n/pid")" 2>/dev/null || true; done
  for n in "${NODES[@]}"; do [[ -f $state/kafka/$n/pid ]] && stop_pid "Kafka node $n" "$state/kafka/$n/pid" 60; done
  rm -rf "$state/kafka"
}

kafka_status() {
  local n
  for n in "${NODES[@]}"; do
    local s=stopped
    pid_alive "$state/kafka/$n/pid" && port_open "$(kafka_port "$n")" && s=running
    printf 'kafka      node %s  %-22s %-8s %s\n' "$n" "127.0.0.1:$(kafka_port "$n")" "$KAFKA_VERSION" "$s"
  done
}

# ------------------------------------------------------------------------------- RabbitMQ
# Each node keeps everything (mnesia, logs, pid, plugins, config) under its own directory.
rabbit_env() {
  local n=$1 dir="$state/rabbitmq/$1"
  export RABBITMQ_NODENAME; RABBITMQ_NODENAME=$(rabbit_node "$n")
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT; RABBITMQ_NODE_PORT=$(rabbit_port "$n")
  export RABBITMQ_DIST_PORT=$((RABBITMQ_NODE_PORT + 20000))
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/pid"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
}

rabbit_ctl() { local n=$1; shift; rabbitmqctl -n "$(rabbit_node "$n")" "$@"; }

rabbit_install() {
  command -v rabbitmq-server >/dev/null && return 0
  [[ $(id -u) == 0 ]] || die "RabbitMQ is not installed and this is not root: run 'sudo apt-get install rabbitmq-server'"
  log "installing Debian's rabbitmq-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends rabbitmq-server >&2 || die "apt-get install rabbitmq-server failed"
}

rabbit_node_up() {
  local n=$1 dir="$state/rabbitmq/$1"
  ( rabbit_env "$n"
    if port_open "$RABBITMQ_NODE_PORT" && rabbit_ctl "$n" -q await_startup --timeout 5 >/dev/null 2>&1; then exit 0; fi
    port_open "$RABBITMQ_DIST_PORT" && die "127.0.0.1:$RABBITMQ_DIST_PORT is taken by a process this script did not start"
    mkdir -p "$dir/mnesia" "$dir/log"; chmod 777 "$state/rabbitmq" "$dir" "$dir/mnesia" "$dir/log"
    [[ -f $dir/enabled_plugins ]] || { echo '[].' >"$dir/enabled_plugins"; chmod 666 "$dir/enabled_plugins"; }
    cat >"$dir/rabbitmq.conf" <<EOF
vm_memory_high_watermark.absolute = $RABBIT_MEMORY
disk_free_limit.absolute = 200MB
log.console = false
log.file.level = warning
EOF
    chmod 644 "$dir/rabbitmq.conf"
    log "starting RabbitMQ node $RABBITMQ_NODENAME on 127.0.0.1:$RABBITMQ_NODE_PORT"
    rabbitmq-server -detached >"$dir/start.out" 2>&1 || die "rabbitmq-server -detached failed: $(cat "$dir/start.out")"
  )
}

rabbit_node_ready() { rabbit_ctl "$1" -q await_startup --timeout 5 && port_open "$(rabbit_port "$1")"; }

# The cluster is formed when node 1 sees all three nodes running.
rabbit_cluster_formed() {
  local running
  running=$(rabbit_ctl 1 -q cluster_status --formatter json 2>/dev/null) || return 1
  local n
  for n in "${NODES[@]}"; do
    grep -q "\"running_nodes\":\[[^]]*\"$(rabbit_node "$n")\"" <<<"$running" || return 1
  done
}

rabbit_up() {
  rabbit_install
  local n
  # The first node starts epmd if none runs (the shared node usually has): `down` then stops it.
  mkdir -p "$state/rabbitmq"
  port_open 4369 || touch "$state/rabbitmq/epmd-started-here"
  for n in "${NODES[@]}"; do rabbit_node_up "$n"; done
  for n in "${NODES[@]}"; do
    wait_for "RabbitMQ node $n" 120 rabbit_node_ready "$n" || die "RabbitMQ node $n did not start; see $state/rabbitmq/$n/log"
  done
  rabbit_cluster_formed && { log "RabbitMQ cluster is formed"; return 0; }
  for n in "${NODES[@]:1}"; do
    local status; status=$(rabbit_ctl "$n" -q cluster_status --formatter json 2>/dev/null || true)
    grep -q "\"$(rabbit_node 1)\"" <<<"$status" && continue
    log "joining $(rabbit_node "$n") to $(rabbit_node 1)"
    rabbit_ctl "$n" -q stop_app >&2
    rabbit_ctl "$n" -q join_cluster "$(rabbit_node 1)" >&2 || die "rabbitmqctl join_cluster failed for node $n"
    rabbit_ctl "$n" -q start_app >&2
  done
  wait_for "RabbitMQ cluster (3 nodes running)" 60 rabbit_cluster_formed || die "the RabbitMQ nodes did not form one cluster"
}

rabbit_start_one() {
  local n=$1
  rabbit_node_up "$n"
  wait_for "RabbitMQ node $n" 120 rabbit_node_ready "$n" || die "RabbitMQ node $n did not start; see $state/rabbitmq/$n/log"
  wait_for "RabbitMQ cluster (3 nodes running)" 60 rabbit_cluster_formed || die "RabbitMQ node $n did not rejoin"
}

rabbit_stop_one() {
  local n=$1
  port_open "$(rabbit_port "$n")" || return 0
  log "stopping RabbitMQ node $(rabbit_node "$n") (data kept)"
  rabbit_ctl "$n" -q stop >/dev/null 2>&1 || true
  wait_for "RabbitMQ node $n shutdown" 60 bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$(rabbit_port "$n")) 2>/dev/null" || true
}

rabbit_kill_one() { crash_pid "RabbitMQ node $1" "$state/rabbitmq/$1/pid"; }

rabbit_down() {
  local n
  for n in "${NODES[@]}"; do
    [[ -d $state/rabbitmq/$n ]] || continue
    rabbit_ctl "$n" -q stop >/dev/null 2>&1 || true
  done
  for n in "${NODES[@]}"; do
    [[ -f $state/rabbitmq/$n/pid ]] && stop_pid "RabbitMQ node $n" "$state/rabbitmq/$n/pid" 60
  done
  # epmd refuses to stop while any node is registered with it: another node keeps it.
  [[ -f $state/rabbitmq/epmd-started-here ]] && { epmd -kill >/dev/null 2>&1 || true; }
  rm -rf "$state/rabbitmq"
}

rabbit_status() {
  local n
  for n in "${NODES[@]}"; do
    local s=stopped
    port_open "$(rabbit_port "$n")" && s=running
    printf 'rabbitmq   node %s  %-22s %-8s %s\n' "$n" "127.0.0.1:$(rabbit_port "$n")" "$(rabbit_node "$n")" "$s"
  done
}

# ------------------------------------------------------------------------------------ NSQ
# nsqd and nsqlookupd come from the same nsq module, built through the wrapper module of
# brokers.sh (nsqd/go.mod repeats nsq's `replace`, which `go install pkg@version` refuses).
nsq_bin() { echo "$cache/$1-$NSQ_VERSION/$1"; }

nsq_install() {
  local app bin
  for app in nsqd nsqlookupd; do
    bin=$(nsq_bin "$app")
    [[ -x $bin ]] && continue
    command -v go >/dev/null || die "$app is built from its Go module: install Go (apt-get install golang)"
    log "building $app $NSQ_VERSION from github.com/nsqio/nsq (Go module proxy)"
    mkdir -p "$(dirname "$bin")"
    (cd "$here/nsqd" && GOFLAGS=-mod=mod go build -trimpath -o "$bin.tmp" "github.com/nsqio/nsq/apps/$app") >&2 || die "building $app failed"
    mv "$bin.tmp" "$bin"
  done
}

lookupd_up() {
  local dir="$state/nsq/lookupd"
  pid_alive "$dir/pid" && return 0
  port_open $LOOKUPD_TCP_PORT && die "127.0.0.1:$LOOKUPD_TCP_PORT is taken by a process this script did not start"
  mkdir -p "$dir"
  log "starting nsqlookupd on 127.0.0.1:$LOOKUPD_TCP_PORT (HTTP $LOOKUPD_HTTP_PORT)"
  nohup "$(nsq_bin nsqlookupd)" --tcp-address="127.0.0.1:$LOOKUPD_TCP_PORT" --http-address="127.0.0.1:$LOOKUPD_HTTP_PORT" \
    --broadcast-address=127.0.0.1 --inactive-producer-timeout=30s >"$dir/nsqlookupd.out" 2>&1 &
  echo $! >"$dir/pid"
  wait_for nsqlookupd 30 curl -fsS "http://127.0.0.1:$LOOKUPD_HTTP_PORT/ping" || die "nsqlookupd did not start; see $dir/nsqlookupd.out"
}

nsqd_node_up() {
  local n=$1 dir="$state/nsq/nsqd-$1"
  pid_alive "$dir/pid" && return 0
  port_open "$(nsqd_tcp_port "$n")" && die "127.0.0.1:$(nsqd_tcp_port "$n") is taken by a process this script did not start"
  mkdir -p "$dir/data"
  log "starting nsqd $n on 127.0.0.1:$(nsqd_tcp_port "$n") (HTTP $(nsqd_http_port "$n")), registered with nsqlookupd"
  nohup "$(nsq_bin nsqd)" --node-id="$n" --tcp-address="127.0.0.1:$(nsqd_tcp_port "$n")" --http-address="127.0.0.1:$(nsqd_http_port "$n")" \
    --broadcast-address=127.0.0.1 --lookupd-tcp-address="127.0.0.1:$LOOKUPD_TCP_PORT" --data-path="$dir/data" >>"$dir/nsqd.out" 2>&1 &
  echo $! >"$dir/pid"
}

# nsqd answers, and nsqlookupd lists it.
nsqd_node_ready() {
  pid_alive "$state/nsq/nsqd-$1/pid" || return 2
  curl -fsS "http://127.0.0.1:$(nsqd_http_port "$1")/ping" >/dev/null &&
    curl -fsS "http://127.0.0.1:$LOOKUPD_HTTP_PORT/nodes" | grep -q "\"tcp_port\":$(nsqd_tcp_port "$1")"
}

nsq_up() {
  nsq_install
  lookupd_up
  local n
  for n in "${NSQD_NODES[@]}"; do nsqd_node_up "$n"; done
  for n in "${NSQD_NODES[@]}"; do
    wait_for "nsqd $n (registered)" 30 nsqd_node_ready "$n" || died "nsqd $n" "$state/nsq/nsqd-$n/nsqd.out"
  done
}

nsqd_start_one() {
  nsqd_node_up "$1"
  wait_for "nsqd $1 (registered)" 30 nsqd_node_ready "$1" || died "nsqd $1" "$state/nsq/nsqd-$1/nsqd.out"
}

nsq_down() {
  local n
  for n in "${NSQD_NODES[@]}"; do stop_pid "nsqd $n" "$state/nsq/nsqd-$n/pid" 30; done
  stop_pid nsqlookupd "$state/nsq/lookupd/pid" 30
  rm -rf "$state/nsq"
}

nsq_status() {
  local s=stopped n
  pid_alive "$state/nsq/lookupd/pid" && s=running
  printf 'nsq        lookupd %-22s %-8s %s\n' "127.0.0.1:$LOOKUPD_TCP_PORT" "$NSQ_VERSION" "$s"
  for n in "${NSQD_NODES[@]}"; do
    s=stopped
    pid_alive "$state/nsq/nsqd-$n/pid" && port_open "$(nsqd_tcp_port "$n")" && s=running
    printf 'nsq        nsqd %s  %-22s %-8s %s\n' "$n" "127.0.0.1:$(nsqd_tcp_port "$n")" "$NSQ_VERSION" "$s"
  done
}

# ------------------------------------------------------------------------------------ main
all=(kafka rabbitmq nsq)
command=${1:-status}; shift || true

one_node() {
  local system=${1:-} n=${2:-}
  case $system in
    kafka) check_node "$n" "${NODES[*]}" ;;
    rabbitmq) check_node "$n" "${NODES[*]}" ;;
    nsqd) check_node "$n" "${NSQD_NODES[*]}" ;;
    *) die "usage: cluster.sh $command kafka|rabbitmq|nsqd N" ;;
  esac
  case $command:$system in
    stop:kafka) log "stopping Kafka node $n (data kept)"; stop_pid "Kafka node $n" "$state/kafka/$n/pid" 60 ;;
    kill:kafka) crash_pid "Kafka node $n" "$state/kafka/$n/pid" ;;
    start:kafka) kafka_start_one "$n" ;;
    stop:rabbitmq) rabbit_stop_one "$n" ;;
    kill:rabbitmq) rabbit_kill_one "$n" ;;
    start:rabbitmq) rabbit_start_one "$n" ;;
    stop:nsqd) log "stopping nsqd $n (data kept)"; stop_pid "nsqd $n" "$state/nsq/nsqd-$n/pid" 30 ;;
    kill:nsqd) crash_pid "nsqd $n" "$state/nsq/nsqd-$n/pid" ;;
    start:nsqd) nsqd_start_one "$n" ;;
  esac
}

case $command in
  up|down)
    names=("$@"); ((${#names[@]})) || names=("${all[@]}")
    for name in "${names[@]}"; do [[ " ${all[*]} " == *" $name "* ]] || die "unknown cluster '$name' (expected: ${all[*]})"; done
    for name in "${names[@]}"; do
      case $name in rabbitmq) "rabbit_$command" ;; *) "${name}_$command" ;; esac
    done
    ;;
  status) kafka_status; rabbit_status; nsq_status ;;
  stop|kill|start) one_node "$@" ;;
  *) die "usage: cluster.sh up|down|status [kafka|rabbitmq|nsq ...] | stop|kill|start kafka|rabbitmq|nsqd N" ;;
esac
