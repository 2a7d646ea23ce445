#!/usr/bin/env bash
# A Flink 2.2 standalone session cluster on this machine, without Docker: a JobManager and TaskManagers as separate
# JVMs started from Flink's own entry points (StandaloneSessionClusterEntrypoint, TaskManagerRunner), the way Flink's
# bin/ scripts start them. Class path = what a distribution's lib/ holds for these jobs (deploy/standalone/target/lib,
# resolved from Maven by this module) + DJL and PyTorch (pipeline/target/flink-lib), as the compose image layers them.
#
#   cluster.sh start [--taskmanagers N]   start a JobManager and N TaskManagers (default 2); returns once REST answers
#                                         and all N have registered
#   cluster.sh add-taskmanager            start one more TaskManager and wait until it has registered
#   cluster.sh status                     every process with PID, role and state, and what REST reports
#   cluster.sh stop                       stop every process (SIGTERM, then SIGKILL after 30 s); harmless when stopped
#
# flink-conf/ is the one configuration; only what differs on one host is given as dynamic properties (-D): loopback
# addresses and bind hosts, this host's ports, memory that fits 2-3 TaskManagers in 24 GiB, one Prometheus port per
# process, no GPU resource, checkpoints and savepoints under the state directory.
#
# Environment: DEPTHSTREAM_CLUSTER_DIR (state directory: logs, PIDs, checkpoints, savepoints, temp files; default
# ~/.depthstream/cluster), DEPTHSTREAM_REST_PORT (8081), DEPTHSTREAM_RPC_PORT (6123; the blob server takes the next
# port), DEPTHSTREAM_METRICS_PORT (9249 for the JobManager, TaskManager i takes this + i),
# DEPTHSTREAM_TM_PROCESS_SIZE (4g), DEPTHSTREAM_TM_OFF_HEAP (1g).
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(cd "$here/../.." && pwd)"
conf="$root/flink-conf"
flink_lib="$here/target/lib"
djl_lib="$root/pipeline/target/flink-lib"
plugins="$here/target/plugins"
state="${DEPTHSTREAM_CLUSTER_DIR:-$HOME/.depthstream/cluster}"
rest_port="${DEPTHSTREAM_REST_PORT:-8081}"
rpc_port="${DEPTHSTREAM_RPC_PORT:-6123}"
metrics_port="${DEPTHSTREAM_METRICS_PORT:-9249}"
tm_process_size="${DEPTHSTREAM_TM_PROCESS_SIZE:-4g}"
tm_off_heap="${DEPTHSTREAM_TM_OFF_HEAP:-1g}"

die() { echo "cluster.sh: $*" >&2; exit 1; }

ensure_built() {
  if [ ! -d "$flink_lib" ] || [ ! -d "$djl_lib" ] || [ ! -d "$plugins" ]; then
    command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to build $flink_lib and $djl_lib"
    echo "cluster.sh: building the Flink lib/ and DJL jars (first run; takes a minute)..." >&2
    (cd "$root" && mvn -B -q -DskipTests -pl pipeline,deploy/standalone -am package) >&2 \
      || die "build failed"
  fi
}

class_path() { echo "$flink_lib/*:$djl_lib/*"; }

# Settings every process of this host shares (see the header).
host_properties() {
  local file_uri="file://$state"
  printf '%s\n' \
    "jobmanager.rpc.address=localhost" "jobmanager.rpc.port=$rpc_port" "jobmanager.bind-host=localhost" \
    "taskmanager.bind-host=localhost" "taskmanager.host=localhost" \
    "rest.address=localhost" "rest.bind-address=localhost" "rest.port=$rest_port" \
    "blob.server.port=$((rpc_port + 1))" \
    "external-resources=none" \
    "execution.checkpointing.dir=$file_uri/checkpoints" \
    "execution.checkpointing.savepoint-dir=$file_uri/savepoints" \
    "io.tmp.dirs=$state/tmp"
}

# A key of the effective configuration (flink-conf/ + dynamic properties), read by Flink itself, as its scripts do.
config_value() {
  local key="$1"; shift
  java -cp "$(class_path)" org.apache.flink.runtime.util.bash.BashJavaUtils UPDATE_AND_GET_FLINK_CONFIGURATION \
      --configDir "$conf" --flatten "$@" 2>/dev/null \
    | sed -n "s/^BASH_JAVA_UTILS_EXEC_RESULT:$key: //p" | head -n 1
}

# The JVM and dynamic memory parameters BashJavaUtils derives, as Flink's scripts do (GET_TM_RESOURCE_PARAMS /
# GET_JM_RESOURCE_PARAMS): line 1 the JVM options, line 2 the -D options.
resource_params() {
  local command="$1"; shift
  local output
  output="$(java -cp "$(class_path)" org.apache.flink.runtime.util.bash.BashJavaUtils "$command" \
      --configDir "$conf" "$@" 2>&1)" || { echo "$output" >&2; die "$command failed"; }
  echo "$output" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p' | tail -n 2
}

rest() { curl -sf --max-time 5 "http://localhost:$rest_port$1"; }

registered_taskmanagers() {
  rest /overview 2>/dev/null | sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p' || true
}

# start_process ROLE MAIN_CLASS METRICS_PORT RESOURCE_COMMAND EXTRA_ARGS...
start_process() {
  local role="$1" main="$2" port="$3" resources="$4"; shift 4
  local dynamic=()
  while IFS= read -r p; do dynamic+=(-D "$p"); done < <(host_properties)
  dynamic+=(-D "metrics.reporter.prom.port=$port")
  if [ "$role" != jobmanager ]; then
    # the role as resource id: REST, the logs and `status` name TaskManagers as this script does
    dynamic+=(-D "taskmanager.resource-id=$role")
    dynamic+=(-D "taskmanager.memory.process.size=$tm_process_size" -D "taskmanager.memory.task.off-heap.size=$tm_off_heap")
  fi
  local params jvm_memory memory_properties java_opts role_opts
  params="$(resource_params "$resources" "${dynamic[@]}")"
  jvm_memory="$(echo "$params" | head -n 1)"
  memory_properties="$(echo "$params" | tail -n 1)"
  java_opts="$(config_value env.java.opts.all "${dynamic[@]}")"
  role_opts="$(config_value "env.java.opts.${role%%-*}" "${dynamic[@]}")"
  local log="$state/log/$role.log"
  # shellcheck disable=SC2086  # JVM option lists and the "-D key=value" pairs are split on purpose, as in Flink's scripts
  FLINK_CONF_DIR="$conf" FLINK_PLUGINS_DIR="$plugins" FLINK_LIB_DIR="$flink_lib" \
    nohup java $jvm_memory $java_opts $role_opts \
      -Dlog.file="$log" -Dlog4j.configuration="file:$conf/log4j.properties" \
      -Dlog4j.configurationFile="file:$conf/log4j.properties" \
      -classpath "$(class_path)" "$main" --configDir "$conf" "$@" "${dynamic[@]}" $memory_properties \
      >"$state/log/$role.out" 2>&1 </dev/null &
  echo $! >"$state/pid/$role.pid"
  echo "cluster.sh: started $role (PID $!), log $log" >&2
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

next_taskmanager() {
  local i=1
  while [ -e "$state/pid/taskmanager-$i.pid" ]; do i=$((i + 1)); done
  echo "$i"
}

start_taskmanager() {
  local i
  i="$(next_taskmanager)"
  started+=("taskmanager-$i")
  start_process "taskmanager-$i" org.apache.flink.runtime.taskexecutor.TaskManagerRunner "$((metrics_port + i))" \
    GET_TM_RESOURCE_PARAMS
}

# await_taskmanagers ROLE...: until REST lists each of these TaskManagers (started with their role as resource id);
# fails as soon as one of them has exited. A TaskManager that died earlier stays listed until its heartbeat times out.
await_taskmanagers() {
  local deadline=$((SECONDS + ${DEPTHSTREAM_START_TIMEOUT:-180})) listed="" missing
  while [ $SECONDS -lt $deadline ]; do
    listed="$(rest /taskmanagers 2>/dev/null || true)"
    missing=0
    for role in "$@"; do
      [[ "$role" == taskmanager-* ]] || continue
      [[ "$listed" == *"\"id\":\"$role\""* ]] || missing=1
    done
    [ "$missing" = 0 ] && [ -n "$listed" ] && return 0
    for role in "$@"; do
      alive "$state/pid/$role.pid" || die "$role exited; see $state/log/$role.{log,out}"
    done
    sleep 1
  done
  die "REST on localhost:$rest_port does not list all of $* after ${DEPTHSTREAM_START_TIMEOUT:-180} s"
}

cmd_start() {
  local n=2
  while [ $# -gt 0 ]; do
    case "$1" in
      --taskmanagers) n="${2:?--taskmanagers needs a number}"; shift 2 ;;
      *) die "unknown option $1 (start [--taskmanagers N])" ;;
    esac
  done
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "--taskmanagers must be a positive number, got '$n'"
  if alive "$state/pid/jobmanager.pid"; then die "already running (state directory $state); stop it first"; fi
  ensure_built
  rm -rf "$state/pid"
  mkdir -p "$state/log" "$state/pid" "$state/tmp" "$state/checkpoints" "$state/savepoints"
  if rest /config >/dev/null 2>&1; then die "something else answers on localhost:$rest_port"; fi
  start_process jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "$metrics_port" \
    GET_JM_RESOURCE_PARAMS
  started=(jobmanager)
  for _ in $(seq "$n"); do start_taskmanager; done
  await_taskmanagers "${started[@]}"
  echo "cluster.sh: REST on http://localhost:$rest_port, $n TaskManagers registered; state directory $state"
}

cmd_add_taskmanager() {
  alive "$state/pid/jobmanager.pid" || die "no cluster runs from $state; start one first"
  started=()
  start_taskmanager
  await_taskmanagers "${started[@]}"
  echo "cluster.sh: $(registered_taskmanagers) TaskManagers registered"
}

cmd_status() {
  printf '%-16s %-8s %s\n' ROLE PID STATE
  local any=0
  for pid in "$state"/pid/*.pid; do
    [ -e "$pid" ] || continue
    any=1
    local role state_word
    role="$(basename "$pid" .pid)"
    if alive "$pid"; then state_word=running; else state_word="exited (log $state/log/$role.log)"; fi
    printf '%-16s %-8s %s\n' "$role" "$(cat "$pid")" "$state_word"
  done
  [ "$any" = 1 ] || echo "(no processes; state directory $state)"
  local overview
  if overview="$(rest /overview 2>/dev/null)"; then
    echo "REST http://localhost:$rest_port: $overview"
  else
    echo "REST http://localhost:$rest_port: no answer"
  fi
}

cmd_stop() {
  local pids=()
  for pid in "$state"/pid/*.pid; do
    [ -e "$pid" ] || continue
    alive "$pid" && pids+=("$(cat "$pid")")
  done
  if [ ${#pids[@]} -eq 0 ]; then
    rm -rf "$state/pid"
    echo "cluster.sh: nothing runs from $state"
    return 0
  fi
  # TaskManagers first, so the JobManager does not try to restart their tasks meanwhile
  local ordered=()
  for pid in "$state"/pid/taskmanager-*.pid "$state/pid/jobmanager.pid"; do
    alive "$pid" && ordered+=("$(cat "$pid")")
  done
  kill -TERM "${ordered[@]}" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  for p in "${ordered[@]}"; do
    while kill -0 "$p" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
    if kill -0 "$p" 2>/dev/null; then
      echo "cluster.sh: PID $p did not stop in 30 s; killing it" >&2
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  rm -rf "$state/pid"
  echo "cluster.sh: stopped ${#ordered[@]} processes"
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  start) cmd_start "$@" ;;
  add-taskmanager) cmd_add_taskmanager ;;
  status) cmd_status ;;
  stop) cmd_stop ;;
  *) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
