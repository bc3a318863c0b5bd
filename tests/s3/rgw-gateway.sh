#!/usr/bin/env bash
# rgw-gateway.sh stop|start DIR - stop (SIGKILL, as a crash) or start again only the radosgw of a test cluster
# made by start-rgw.sh, leaving the monitor and OSD (and so every object) in place. Fault tests use it to make
# the S3 server go away in the middle of a run and come back.
set -euo pipefail
action=${1:?usage: rgw-gateway.sh stop|start DIR}
dir=${2:?usage: rgw-gateway.sh stop|start DIR}
[[ -f "$dir/.tracecraft-rgw" ]] || { echo "rgw-gateway.sh: $dir is not a test cluster made by start-rgw.sh" >&2; exit 2; }
name=client.rgw.tc
pidfile="$dir/run/$name.pid"
endpoint=$(sed -n 's/^TRACECRAFT_TEST_S3_ENDPOINT=//p' "$dir/env")
case "$action" in
    stop)
        pid=$(cat "$pidfile" 2>/dev/null || true)
        if [[ "$pid" =~ ^[0-9]+$ ]] && grep -qs -- "$dir/ceph.conf" "/proc/$pid/cmdline"; then
            kill -KILL "$pid"
            # Wait until the port refuses connections.
            for _ in $(seq 1 100); do
                curl -s -o /dev/null --max-time 1 "$endpoint/" || exit 0
                sleep 0.05
            done
            echo "rgw-gateway.sh: $endpoint still answers after kill" >&2; exit 1
        fi
        ;;
    start)
        rm -f "$pidfile"
        radosgw -c "$dir/ceph.conf" -n "$name" </dev/null >>"$dir/log/daemon-stderr.log" 2>&1 3>&-
        for _ in $(seq 1 300); do
            [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$endpoint/" || true)" == 200 ]] && exit 0
            sleep 0.1
        done
        echo "rgw-gateway.sh: $endpoint did not come back within 30 s" >&2; exit 1
        ;;
    *) echo "usage: rgw-gateway.sh stop|start DIR" >&2; exit 2 ;;
esac
