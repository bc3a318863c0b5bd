#!/usr/bin/env bash
# stop-rgw.sh - stop a throw-away Ceph RADOS Gateway started by start-rgw.sh
# and delete its data dir.
#
# Usage:
#   bash tests/s3/stop-rgw.sh [--keep] DIR
#
# DIR is the data dir printed by start-rgw.sh as TRACECRAFT_RGW_DIR (defaults
# to $TRACECRAFT_RGW_DIR). The daemons are stopped in reverse start order
# (gateway, OSD, monitor) so that none of them spends time retrying a peer
# that is already gone. Each gets SIGTERM and up to 10 s to exit, then
# SIGKILL. --keep leaves DIR in place (start-rgw.sh uses it on failure so the
# logs survive). Safe to run again, or on a dir whose daemons already died.
set -euo pipefail

readonly MARKER_NAME=.tracecraft-rgw
readonly MARKER_TEXT="tracecraft throw-away ceph rgw data dir"
readonly GRACE_SECONDS=10

log() { printf 'stop-rgw: %s\n' "$*" >&2; }

keep=0
if [[ "${1:-}" == --keep ]]; then keep=1; shift; fi
dir=${1:-${TRACECRAFT_RGW_DIR:-}}
if [[ -z "$dir" ]]; then
    log "usage: stop-rgw.sh [--keep] DIR   (or set TRACECRAFT_RGW_DIR)"
    exit 2
fi
if [[ ! -e "$dir" ]]; then
    log "$dir does not exist; nothing to stop"
    exit 0
fi
dir=$(cd "$dir" && pwd -P)

# This script ends in `rm -rf`: only touch dirs start-rgw.sh made, recognised
# by the marker file it writes first thing, and never / or a top-level dir.
if [[ ! -f "$dir/$MARKER_NAME" || "$(head -n 1 "$dir/$MARKER_NAME")" != "$MARKER_TEXT" ]]; then
    log "refusing: $dir has no $MARKER_NAME marker, so it is not a start-rgw.sh data dir"
    exit 2
fi
if [[ "$dir" =~ ^/[^/]*$ ]]; then
    log "refusing: $dir is a top-level directory"
    exit 2
fi

# alive PID: true while the process exists and is not a zombie. The daemons
# daemonized, so their parent is init; an init that reaps lazily (this dev
# sandbox's PID 1 reaps only every ~2 s) would otherwise make every exited
# daemon look alive that long, and `kill -0` alone cannot tell.
alive() {
    local state
    kill -0 "$1" 2>/dev/null || return 1
    state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
    [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# stop_daemon NAME COMM: stop the daemon whose pid file is run/NAME.pid, if it
# is still the process we started (COMM = its executable name, and its
# command line names this dir's ceph.conf): pids get reused after a crash.
stop_daemon() {
    local name=$1 comm=$2 pidf pid i
    pidf=$dir/run/$name.pid
    [[ -f "$pidf" ]] || return 0
    pid=$(cat "$pidf" 2>/dev/null || true)
    if ! [[ "$pid" =~ ^[0-9]+$ ]] || ! alive "$pid" \
        || [[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" != "$comm" ]]; then
        rm -f "$pidf"   # stale: the daemon already exited
        return 0
    fi
    # start-rgw.sh passes `-c DIR/ceph.conf` to every daemon; check that the
    # process really belongs to this dir before signalling it.
    if ! tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF "$dir/ceph.conf"; then
        log "pid $pid ($comm) does not belong to $dir; leaving it alone"
        rm -f "$pidf"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < GRACE_SECONDS * 10; i++)); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        log "$name (pid $pid) still running after ${GRACE_SECONDS}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            alive "$pid" || break
            sleep 0.1
        done
    fi
    rm -f "$pidf"
}

stop_daemon client.rgw.tc radosgw
stop_daemon osd.0 ceph-osd
stop_daemon mon.a ceph-mon

if ((keep)); then
    log "stopped; kept $dir"
else
    rm -rf -- "$dir"
    log "stopped; removed $dir"
fi
