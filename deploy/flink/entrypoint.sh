#!/usr/bin/env bash
# Installs the repository's flink-conf/ (mounted read-only at /opt/depthstream/flink-conf) as the Flink conf dir,
# then hands over to the official image's entrypoint. The official entrypoint rewrites $FLINK_HOME/conf/config.yaml
# in place on every start (jobmanager.rpc.address, blob.server.port, FLINK_PROPERTIES), so mounting flink-conf/
# straight onto $FLINK_HOME/conf would either fail (read-only) or rewrite the repository's file (read-write).
set -euo pipefail

conf_src=/opt/depthstream/flink-conf
if [ -d "$conf_src" ]; then
  cp -f "$conf_src"/* "$FLINK_HOME/conf/"
else
  echo "depthstream: $conf_src is not mounted; using the image's default Flink configuration" >&2
fi

exec /docker-entrypoint.sh "$@"
