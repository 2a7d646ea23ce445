#!/usr/bin/env bash
# One-shot topic set-up for docker-compose.yml's `topic-init` service: waits for the broker, then creates the
# streaming job's topics (TopicSpec.streamingTopics: the names of WireFormat / StreamingConfig.defaults()) when they
# are missing. Every topic accepts frame-sized records (WireFormat.MAX_RECORD_BYTES = 4 MiB + 64 KiB): depth maps and
# rejected frames are as large as frames. model-updates has one partition so every subtask reads all updates in
# order. An existing topic is left as it is (partitions can only grow: kafka-topics.sh --alter).
set -euo pipefail

bootstrap="${BOOTSTRAP:-kafka:9092}"
partitions="${PARTITIONS:-4}"
max_message_bytes="${MAX_MESSAGE_BYTES:-4259840}"
replication="${REPLICATION_FACTOR:-1}"
topics=/opt/kafka/bin/kafka-topics.sh

echo "waiting for the broker at $bootstrap"
for attempt in $(seq 1 60); do
  if "$topics" --bootstrap-server "$bootstrap" --list >/dev/null 2>&1; then
    break
  fi
  if [ "$attempt" -eq 60 ]; then
    echo "broker $bootstrap not reachable after 120 s" >&2
    exit 1
  fi
  sleep 2
done

create_topic() {
  "$topics" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$1" --partitions "$2" \
    --replication-factor "$replication" --config max.message.bytes="$max_message_bytes"
}

create_topic frames "$partitions"
create_topic depth "$partitions"
create_topic poses "$partitions"
create_topic frames-dlq "$partitions"
create_topic model-updates 1

# for the log only: a failing describe must not keep the job from being submitted
"$topics" --bootstrap-server "$bootstrap" --describe --topic 'frames|depth|poses|frames-dlq|model-updates' || true
