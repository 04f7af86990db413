#!/usr/bin/env bash
# Starts, stops and reports the real brokers the tests and the demo use, natively, with no
# Docker engine: Kafka (Apache's jars from Maven Central, KRaft single node), RabbitMQ
# (Debian's rabbitmq-server) and nsqd (built from its Go module). Everything listens on
# 127.0.0.1 only. Starting is idempotent: a broker that already answers is reused.
#
#   brokers.sh up [kafka|rabbitmq|nsqd ...]     install what is missing, start, wait until ready
#   brokers.sh down [kafka|rabbitmq|nsqd ...]   stop what this script started, and delete its data
#   brokers.sh stop [kafka|rabbitmq|nsqd ...]   stop what this script started, keeping its data:
#                                               the next `up` resumes it (a clean broker restart)
#   brokers.sh kill [kafka|rabbitmq|nsqd ...]   kill -9 what this script started, keeping its data
#                                               (a crash; `up` recovers it)
#   brokers.sh status                           address, version and state of each broker
#
# A broker whose address is given by the environment (KAFKA_BROKERS, AMQP_URL,
# NSQD_TCP_ADDRESS) is somebody else's: it is neither started nor stopped here.
#
# A second, dedicated instance of any broker (for tests that stop, restart or crash it without
# disturbing the shared one) runs from its own state directory on its own ports:
#
#   TRACEHOP_BROKERS_STATE=/tmp/x TRACEHOP_KAFKA_PORT=29092 TRACEHOP_KAFKA_CONTROLLER_PORT=29093
#   TRACEHOP_BROKERS_STATE=/tmp/x TRACEHOP_AMQP_PORT=5682 TRACEHOP_RABBITMQ_NODENAME=rabbit-faults@localhost
#       (Erlang distribution port: TRACEHOP_RABBITMQ_DIST_PORT, default AMQP port + 20000;
#        a node other than rabbit@localhost keeps its mnesia and logs under the state directory)
#   TRACEHOP_BROKERS_STATE=/tmp/x TRACEHOP_NSQD_TCP_PORT=24150 TRACEHOP_NSQD_HTTP_PORT=24151
#
# Without these variables every default is the shared instance's, exactly as before.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

cache=${TRACEHOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tracehop}
state=${TRACEHOP_BROKERS_STATE:-${TMPDIR:-/tmp}/tracehop-brokers}
mkdir -p "$cache" "$state"

KAFKA_PORT=${TRACEHOP_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${TRACEHOP_KAFKA_CONTROLLER_PORT:-9093}
AMQP_PORT=${TRACEHOP_AMQP_PORT:-5672}
NSQD_TCP_PORT=${TRACEHOP_NSQD_TCP_PORT:-4150}
NSQD_HTTP_PORT=${TRACEHOP_NSQD_HTTP_PORT:-4151}
export RABBITMQ_NODENAME=${TRACEHOP_RABBITMQ_NODENAME:-rabbit@localhost}
RABBITMQ_DEFAULT_NODE=rabbit@localhost

log() { printf '[brokers] %s\n' "$*" >&2; }
die() { printf '[brokers] ERROR: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for NAME SECONDS COMMAND...: polls COMMAND until it succeeds.
wait_for() {
  local name=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then return 1; fi
    sleep 0.5
  done
  log "$name is ready"
}

pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pid NAME PIDFILE SECONDS: SIGTERM, then SIGKILL if it has not exited in time.
stop_pid() {
  local pid; pid=$(cat "$2")
  kill "$pid"
  wait_for "$1 shutdown" "$3" bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
}

# crash_pid NAME PIDFILE: SIGKILL, as a crash would, and wait until the process is gone.
crash_pid() {
  local pid; pid=$(cat "$2")
  log "killing $1 (pid $pid) with SIGKILL"
  kill -9 "$pid" 2>/dev/null || true
  wait_for "$1 exit" 30 bash -c "! kill -0 $pid 2>/dev/null" || die "$1 (pid $pid) survived SIGKILL"
}

# ---------------------------------------------------------------------------------- Kafka
# shellcheck source=kafka-install.sh
source "$here/kafka-install.sh"   # kafka_home, kafka_install (shared with cluster.sh)

kafka_up() {
  if [[ -n ${KAFKA_BROKERS:-} ]]; then log "Kafka: using KAFKA_BROKERS=$KAFKA_BROKERS"; return 0; fi
  if port_open $KAFKA_PORT; then log "Kafka: reusing the broker on 127.0.0.1:$KAFKA_PORT"; return 0; fi
  kafka_install
  local home dir; home=$(kafka_home); dir="$state/kafka"
  mkdir -p "$dir"
  sed -e "s#@DATA@#$dir/data#" -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
    "$here/kafka/server.properties" > "$dir/server.properties"
  local logging=(-Dlog4j.configuration="file:$here/kafka/log4j.properties")
  [[ $KAFKA_VERSION == 3.* ]] || logging=(-Dlog4j2.configurationFile="$here/kafka/log4j2.properties")
  local java=(java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true "${logging[@]}" -Dkafka.logs.dir="$dir/logs" -cp "$home/libs/*")
  if [[ ! -f $dir/data/meta.properties ]]; then
    local cluster_id
    cluster_id=$("${java[@]}" "$KAFKA_STORAGE_TOOL" random-uuid 2>/dev/null | tail -n 1)
    "${java[@]}" "$KAFKA_STORAGE_TOOL" format -t "$cluster_id" -c "$dir/server.properties" >"$dir/format.log" 2>&1 \
      || die "Kafka: formatting the storage failed, see $dir/format.log"
  fi
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (KRaft, single node)"
  nohup "${java[@]}" kafka.Kafka "$dir/server.properties" >"$dir/kafka.out" 2>&1 &
  echo $! >"$dir/pid"
  echo "$KAFKA_VERSION" >"$dir/version"
  wait_for Kafka 90 kafka_ready "$dir" || die "Kafka did not become ready in 90 s; see $dir/kafka.out"
}

kafka_ready() {
  pid_alive "$1/pid" || { tail -n 20 "$1/kafka.out" >&2; exit 1; }
  port_open $KAFKA_PORT && grep -q 'Kafka Server started' "$1/kafka.out"
}

kafka_down() {
  local dir="$state/kafka"
  if pid_alive "$dir/pid"; then
    log "stopping Kafka"
    kill "$(cat "$dir/pid")"
    wait_for "Kafka shutdown" 60 bash -c "! kill -0 $(cat "$dir/pid") 2>/dev/null" || kill -9 "$(cat "$dir/pid")" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

# Stops Kafka cleanly (controlled shutdown) and keeps its log dirs: `up` resumes it.
kafka_stop() {
  local dir="$state/kafka"
  pid_alive "$dir/pid" || return 0
  log "stopping Kafka (data kept)"
  stop_pid Kafka "$dir/pid" 60
}

kafka_kill() {
  local dir="$state/kafka"
  pid_alive "$dir/pid" && crash_pid Kafka "$dir/pid"
  return 0
}

kafka_status() {
  local dir="$state/kafka" version=external
  [[ -f $dir/version ]] && version=$(cat "$dir/version")
  if [[ -n ${KAFKA_BROKERS:-} ]]; then printf 'kafka     %-24s %-10s %s\n' "$KAFKA_BROKERS" "(env)" "external"
  elif port_open $KAFKA_PORT; then printf 'kafka     %-24s %-10s %s\n' "127.0.0.1:$KAFKA_PORT" "$version" running
  else printf 'kafka     %-24s %-10s %s\n' "127.0.0.1:$KAFKA_PORT" "$KAFKA_VERSION" stopped; fi
}

# ------------------------------------------------------------------------------- RabbitMQ
rabbitmq_env() {
  # Bind AMQP, epmd and Erlang distribution to loopback only.
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$AMQP_PORT ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_LOG_BASE="$state/rabbitmq/log"
  # RabbitMQ's own default (AMQP port + 20000), made explicit so that two nodes never collide.
  export RABBITMQ_DIST_PORT=${TRACEHOP_RABBITMQ_DIST_PORT:-$((AMQP_PORT + 20000))}
  if [[ $RABBITMQ_NODENAME != "$RABBITMQ_DEFAULT_NODE" ]]; then
    # A dedicated node keeps everything under the state directory, and enables no plugin
    # (a management listener would collide with the shared node's).
    export RABBITMQ_MNESIA_BASE="$state/rabbitmq/mnesia"
    export RABBITMQ_PID_FILE="$state/rabbitmq/pid"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$state/rabbitmq/enabled_plugins"
  fi
}

# rabbitmqctl, always aimed at this script's node (the shared one unless told otherwise).
rabbitmq_ctl() { rabbitmqctl -n "$RABBITMQ_NODENAME" "$@"; }

rabbitmq_install() {
  command -v rabbitmq-server >/dev/null && return 0
  [[ $(id -u) == 0 ]] || die "RabbitMQ is not installed and this is not root: run 'sudo apt-get install rabbitmq-server'"
  log "installing Debian's rabbitmq-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends rabbitmq-server >&2 || die "apt-get install rabbitmq-server failed"
}

rabbitmq_up() {
  if [[ -n ${AMQP_URL:-} ]]; then log "RabbitMQ: using AMQP_URL"; return 0; fi
  if port_open $AMQP_PORT; then log "RabbitMQ: reusing the broker on 127.0.0.1:$AMQP_PORT"; return 0; fi
  rabbitmq_install
  rabbitmq_env
  mkdir -p "$state/rabbitmq/log"; chmod 777 "$state/rabbitmq" "$state/rabbitmq/log"
  if [[ $RABBITMQ_NODENAME != "$RABBITMQ_DEFAULT_NODE" ]]; then
    mkdir -p "$state/rabbitmq/mnesia"; chmod 777 "$state/rabbitmq/mnesia"
    [[ -f $RABBITMQ_ENABLED_PLUGINS_FILE ]] || { echo '[].' >"$RABBITMQ_ENABLED_PLUGINS_FILE"; chmod 666 "$RABBITMQ_ENABLED_PLUGINS_FILE"; }
  fi
  log "starting RabbitMQ node $RABBITMQ_NODENAME on 127.0.0.1:$AMQP_PORT"
  rabbitmq-server -detached >"$state/rabbitmq/start.out" 2>&1 || die "rabbitmq-server -detached failed: $(cat "$state/rabbitmq/start.out")"
  touch "$state/rabbitmq/started-here"
  wait_for RabbitMQ 120 rabbitmq_ready || die "RabbitMQ did not become ready in 120 s; see $state/rabbitmq/log"
}

rabbitmq_ready() { rabbitmq_ctl -q await_startup --timeout 5 && port_open $AMQP_PORT; }

rabbitmq_down() {
  [[ -f $state/rabbitmq/started-here ]] || return 0
  log "stopping RabbitMQ"
  rabbitmq_env
  rabbitmq_ctl -q stop >/dev/null 2>&1 || true
  wait_for "RabbitMQ shutdown" 60 bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$AMQP_PORT) 2>/dev/null" || true
  rm -rf "$state/rabbitmq"
}

# Stops the node cleanly and keeps its mnesia (durable queues and their messages): `up`
# resumes it. Only a dedicated node keeps its data under the state directory.
rabbitmq_stop() {
  [[ -f $state/rabbitmq/started-here ]] || return 0
  log "stopping RabbitMQ node $RABBITMQ_NODENAME (data kept)"
  rabbitmq_env
  rabbitmq_ctl -q stop >/dev/null 2>&1 || true
  wait_for "RabbitMQ shutdown" 60 bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$AMQP_PORT) 2>/dev/null" || true
}

rabbitmq_kill() {
  [[ -f $state/rabbitmq/started-here ]] || return 0
  rabbitmq_env
  [[ $RABBITMQ_NODENAME != "$RABBITMQ_DEFAULT_NODE" ]] || die "kill is for a dedicated RabbitMQ node (TRACEHOP_RABBITMQ_NODENAME)"
  pid_alive "$RABBITMQ_PID_FILE" && crash_pid RabbitMQ "$RABBITMQ_PID_FILE"
  return 0
}

rabbitmq_status() {
  if [[ -n ${AMQP_URL:-} ]]; then printf 'rabbitmq  %-24s %-10s %s\n' "(AMQP_URL)" "(env)" external; return; fi
  local version=-
  if port_open $AMQP_PORT; then
    version=$(rabbitmq_ctl -q version 2>/dev/null || echo unknown)
    printf 'rabbitmq  %-24s %-10s %s\n' "127.0.0.1:$AMQP_PORT" "$version" running
  else
    command -v rabbitmqctl >/dev/null && version=$(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null || echo -)
    printf 'rabbitmq  %-24s %-10s %s\n' "127.0.0.1:$AMQP_PORT" "$version" stopped
  fi
}

# ----------------------------------------------------------------------------------- nsqd
nsqd_bin() { echo "$cache/nsqd-$NSQ_VERSION/nsqd"; }

nsqd_install() {
  local bin; bin=$(nsqd_bin)
  [[ -x $bin ]] && return 0
  command -v go >/dev/null || die "nsqd is built from its Go module: install Go (apt-get install golang)"
  log "building nsqd $NSQ_VERSION from github.com/nsqio/nsq (Go module proxy)"
  mkdir -p "$(dirname "$bin")"
  (cd "$here/nsqd" && GOFLAGS=-mod=mod go build -trimpath -o "$bin.tmp" github.com/nsqio/nsq/apps/nsqd) >&2 \
    || die "building nsqd failed"
  mv "$bin.tmp" "$bin"
}

nsqd_up() {
  if [[ -n ${NSQD_TCP_ADDRESS:-} ]]; then log "nsqd: using NSQD_TCP_ADDRESS=$NSQD_TCP_ADDRESS"; return 0; fi
  if port_open $NSQD_TCP_PORT; then log "nsqd: reusing the daemon on 127.0.0.1:$NSQD_TCP_PORT"; return 0; fi
  nsqd_install
  local dir="$state/nsqd"
  # After `stop` or `kill` the data is resumed (messages nsqd persisted, topics, channels).
  if [[ -f $dir/kept ]]; then rm -f "$dir/kept"; else rm -rf "$dir"; fi
  mkdir -p "$dir/data"
  log "starting nsqd $NSQ_VERSION on 127.0.0.1:$NSQD_TCP_PORT (HTTP $NSQD_HTTP_PORT)"
  nohup "$(nsqd_bin)" --tcp-address="127.0.0.1:$NSQD_TCP_PORT" --http-address="127.0.0.1:$NSQD_HTTP_PORT" \
    --broadcast-address=127.0.0.1 --data-path="$dir/data" >"$dir/nsqd.out" 2>&1 &
  echo $! >"$dir/pid"
  wait_for nsqd 30 nsqd_ready "$dir" || die "nsqd did not become ready in 30 s; see $dir/nsqd.out"
}

nsqd_ready() {
  pid_alive "$1/pid" || { tail -n 20 "$1/nsqd.out" >&2; exit 1; }
  curl -fsS "http://127.0.0.1:$NSQD_HTTP_PORT/ping"
}

nsqd_down() {
  local dir="$state/nsqd"
  if pid_alive "$dir/pid"; then
    log "stopping nsqd"
    kill "$(cat "$dir/pid")"
    wait_for "nsqd shutdown" 30 bash -c "! kill -0 $(cat "$dir/pid") 2>/dev/null" || kill -9 "$(cat "$dir/pid")" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

# Stops nsqd cleanly: it writes its in-memory messages to disk, and `up` resumes them.
nsqd_stop() {
  local dir="$state/nsqd"
  pid_alive "$dir/pid" || return 0
  log "stopping nsqd (data kept)"
  stop_pid nsqd "$dir/pid" 30
  touch "$dir/kept"
}

nsqd_kill() {
  local dir="$state/nsqd"
  pid_alive "$dir/pid" || return 0
  crash_pid nsqd "$dir/pid"
  touch "$dir/kept"
}

nsqd_status() {
  if [[ -n ${NSQD_TCP_ADDRESS:-} ]]; then printf 'nsqd      %-24s %-10s %s\n' "$NSQD_TCP_ADDRESS" "(env)" external; return; fi
  if port_open $NSQD_TCP_PORT; then
    local version
    version=$(curl -fsS "http://127.0.0.1:$NSQD_HTTP_PORT/info" 2>/dev/null | sed -n 's/.*"version":"\([^"]*\)".*/\1/p')
    printf 'nsqd      %-24s %-10s %s\n' "127.0.0.1:$NSQD_TCP_PORT" "${version:-unknown}" running
  else
    printf 'nsqd      %-24s %-10s %s\n' "127.0.0.1:$NSQD_TCP_PORT" "$NSQ_VERSION" stopped
  fi
}

# ------------------------------------------------------------------------------------ main
all=(kafka rabbitmq nsqd)
command=${1:-status}; shift || true
names=("$@"); ((${#names[@]})) || names=("${all[@]}")
for name in "${names[@]}"; do
  [[ " ${all[*]} " == *" $name "* ]] || die "unknown broker '$name' (expected: ${all[*]})"
done

case $command in
  up)
    if [[ ${TRACEHOP_BROKERS:-auto} == auto ]] && command -v docker >/dev/null && docker info >/dev/null 2>&1; then
      log "a container runtime answers: the test harness starts brokers with testcontainers (TRACEHOP_BROKERS=native to start them here instead)"
      exit 0
    fi
    for name in "${names[@]}"; do "${name}_up"; done
    ;;
  down) for name in "${names[@]}"; do "${name}_down"; done ;;
  stop) for name in "${names[@]}"; do "${name}_stop"; done ;;
  kill) for name in "${names[@]}"; do "${name}_kill"; done ;;
  status)
    printf '%-9s %-24s %-10s %s\n' broker address version state
    for name in "${all[@]}"; do "${name}_status"; done
    ;;
  *) die "usage: brokers.sh up|down|stop|kill|status [kafka|rabbitmq|nsqd ...]" ;;
esac
