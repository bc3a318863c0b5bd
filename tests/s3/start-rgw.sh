#!/usr/bin/env bash
# start-rgw.sh - start a throw-away, single-node Ceph RADOS Gateway (a real S3
# server) on loopback, for TraceCraft's test suites and CI.
#
# Usage:
#   eval "$(bash tests/s3/start-rgw.sh [DIR])"      # sets shell variables
#   set -a; eval "$(bash tests/s3/start-rgw.sh [DIR])"; set +a   # exported
#   set -a; source "$DIR/env"; set +a                # later, from the file
#   ...
#   bash tests/s3/stop-rgw.sh "$TRACECRAFT_RGW_DIR"
#
# DIR (first argument, else $TRACECRAFT_RGW_DIR, else a fresh
# `mktemp -d /tmp/tcrgw.XXXXXX`) holds everything: ceph.conf, keyring, monitor
# and OSD data, logs, pid files and admin sockets. It must be absent or empty.
# Bucket name: $TRACECRAFT_RGW_BUCKET (default tracecraft-test).
# Note: after `set -a; eval "$(start-rgw.sh)"` TRACECRAFT_RGW_DIR is exported,
# so a second start in that shell needs its own DIR argument (or
# `env -u TRACECRAFT_RGW_DIR`); reusing a non-empty dir is refused.
#
# On success, stdout gets exactly these lines (also written to DIR/env):
#   TRACECRAFT_TEST_S3_ENDPOINT=http://127.0.0.1:<port>
#   TRACECRAFT_TEST_S3_ACCESS_KEY=<key>
#   TRACECRAFT_TEST_S3_SECRET_KEY=<secret>
#   TRACECRAFT_TEST_S3_BUCKET=<bucket>
#   TRACECRAFT_RGW_DIR=<dir>
# Progress and errors go to stderr. On failure the daemons started so far are
# stopped, DIR is kept for its logs, and the exit status is non-zero.
#
# Why Ceph RGW: no Docker here, and the npm S3 emulators ignore conditional
# headers (If-None-Match / If-Match), which are what TraceCraft's claims rest
# on. See /work/shared/reference/s3-servers.md for the measurements.
set -euo pipefail

# Everything except the final result goes to stderr, so that
# `eval "$(start-rgw.sh)"` only ever sees the five variable lines. Tools such
# as ceph-authtool chatter on stdout; this catches all of it. The real stdout
# is kept on fd 3 for the result.
exec 3>&1 1>&2

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
readonly MARKER_NAME=.tracecraft-rgw
readonly MARKER_TEXT="tracecraft throw-away ceph rgw data dir"
readonly STEP_TIMEOUT=${TRACECRAFT_RGW_TIMEOUT:-60}   # seconds, per wait step
readonly RGW_NAME=client.rgw.tc                       # gateway's cephx identity

log() { printf 'start-rgw: %s\n' "$*" >&2; }

# die MESSAGE [LOGFILE]: print the message (and the tail of the log that
# explains it), then exit; the EXIT trap stops whatever was started.
die() {
    printf 'start-rgw: ERROR: %s\n' "$1" >&2
    if [[ -n "${2:-}" && -f "$2" ]]; then
        printf 'start-rgw: ---- last lines of %s ----\n' "$2" >&2
        tail -n 40 "$2" >&2 || true
        printf 'start-rgw: ---- end of %s ----\n' "$2" >&2
    fi
    exit 1
}

# --------------------------------------------------------------------------
# 1. Packages. Debian 12 ships Ceph 16.2 (Pacific). Installing takes ~20 s,
#    so skip it when the tools are already there (CI images, second runs).
# --------------------------------------------------------------------------
need_cmds=(radosgw radosgw-admin ceph-mon ceph-osd ceph ceph-authtool monmaptool curl uuidgen)
missing=()
for c in "${need_cmds[@]}"; do
    command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done
if ((${#missing[@]})); then
    log "missing ${missing[*]}; installing Ceph packages with apt-get"
    # CI runs as root; locally, fall back to non-interactive sudo.
    sudo_cmd=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install packages: ${missing[*]}"
        sudo_cmd=(sudo -n)
    fi
    # </dev/null and DEBIAN_FRONTEND: there is no terminal and no stdin in CI,
    # so nothing may prompt. --no-install-recommends keeps it to ~65 MiB.
    "${sudo_cmd[@]}" apt-get update </dev/null >&2 || die "apt-get update failed"
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        radosgw ceph-mon ceph-osd ceph-common curl uuid-runtime </dev/null >&2 \
        || die "apt-get install failed"
    for c in "${need_cmds[@]}"; do
        command -v "$c" >/dev/null 2>&1 || die "$c still not found after installing packages"
    done
fi

# --------------------------------------------------------------------------
# 2. Data dir and parameters.
# --------------------------------------------------------------------------
bucket=${TRACECRAFT_RGW_BUCKET:-tracecraft-test}
# S3 bucket naming rules; also guarantees the value is safe to eval.
[[ "$bucket" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] \
    || die "invalid bucket name '$bucket' (3-63 chars: a-z 0-9 . -)"

dir=${1:-${TRACECRAFT_RGW_DIR:-}}

# check_dir_path PATH: the path ends up unquoted in the env lines and in
# ceph.conf, so keep it plain; and the longest socket in it,
# $dir/run/ceph-osd.0.asok or $dir/run/client.rgw.tc.asok (< 30 bytes after
# $dir), must stay under the 108-byte unix socket limit (72 leaves room).
check_dir_path() {
    [[ "$1" =~ ^/[A-Za-z0-9._/-]+$ ]] || die "data dir '$1' may only contain A-Z a-z 0-9 . _ / -"
    ((${#1} <= 72)) || die "data dir path '$1' is too long (max 72 chars; unix sockets need < 108 bytes)"
}

if [[ -z "$dir" ]]; then
    # Short prefix on purpose (socket path limit, see above).
    dir=$(mktemp -d /tmp/tcrgw.XXXXXX)
else
    # Check before creating anything, so a rejected path leaves no litter.
    [[ "$dir" == /* ]] || dir=$PWD/$dir
    check_dir_path "$dir"
    if [[ -e "$dir" && ! -d "$dir" ]]; then die "$dir exists and is not a directory"; fi
    mkdir -p "$dir"
    # Refuse to reuse a dir: a previous instance may still be running in it,
    # and stop-rgw.sh would later delete whatever is in it.
    if [[ -n "$(ls -A "$dir")" ]]; then
        die "$dir is not empty (stop a previous server with stop-rgw.sh, or pick another dir)"
    fi
fi
dir=$(cd "$dir" && pwd -P)   # absolute and canonical: daemons chdir to /
check_dir_path "$dir"        # again: symlinks may have changed it

# The marker is what lets stop-rgw.sh `rm -rf` this dir (and nothing else).
printf '%s\n' "$MARKER_TEXT" >"$dir/$MARKER_NAME"
mkdir -p "$dir/mon" "$dir/osd" "$dir/rgw" "$dir/run" "$dir/log" "$dir/crash"

conf=$dir/ceph.conf
export CEPH_CONF=$conf   # every ceph tool we call reads this cluster's config
# Don't let a caller's CEPH_ARGS (e.g. another cluster's --id) leak in.
unset CEPH_ARGS

# From here on, a failure must stop the daemons already started. The trap is
# armed only now, after the dir was checked to be ours and empty, so that a
# refused dir (e.g. one still serving another instance) is never stopped.
success=0
cleanup() {
    local rc=$?
    if ((success == 0)); then
        log "failed; stopping the daemons started so far (logs kept in $dir/log)"
        "$script_dir/stop-rgw.sh" --keep "$dir" >&2 || true
        ((rc != 0)) || rc=1
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Free loopback ports for the monitor and the gateway. Both sockets are held
# open together so the two ports differ; ports come from the kernel's
# ephemeral range, which does not overlap the OSD's 6800-7300 range. Falls
# back to probing random ports with bash's /dev/tcp when python3 is missing.
pick_ports() {
    if command -v python3 >/dev/null 2>&1; then
        python3 - <<'EOF'
import socket
socks = []
for _ in range(2):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
    else
        local ports=() p
        while ((${#ports[@]} < 2)); do
            p=$((20000 + RANDOM % 12000))
            [[ " ${ports[*]} " == *" $p "* ]] && continue
            # A refused connection means nothing listens there.
            if ! (exec 9<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then ports+=("$p"); fi
        done
        echo "${ports[*]}"
    fi
}
read -r mon_port rgw_port < <(pick_ports)
[[ "$mon_port" =~ ^[0-9]+$ && "$rgw_port" =~ ^[0-9]+$ ]] || die "could not pick free ports"
log "data dir $dir, monitor port $mon_port, S3 port $rgw_port"

fsid=$(uuidgen)

# --------------------------------------------------------------------------
# 3. ceph.conf: every path points into $dir; tuned for one node and speed.
# --------------------------------------------------------------------------
cat >"$conf" <<EOF
# Generated by tests/s3/start-rgw.sh: throw-away single-node test cluster.
[global]
fsid = $fsid
# msgr2 only, on loopback: one port per daemon, nothing reachable from outside.
mon host = v2:127.0.0.1:$mon_port
ms bind msgr1 = false
ms bind msgr2 = true
public addr = 127.0.0.1
# Also the OSD's replication/heartbeat sockets, which otherwise bind 0.0.0.0.
cluster addr = 127.0.0.1
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $dir/keyring
run dir = $dir/run
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
crash dir = $dir/crash
# One OSD: pools must be allowed to have a single replica, and CRUSH must
# place replicas across OSDs (type 0) rather than hosts.
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd crush chooseleaf type = 0
# Few PGs: RGW creates ~6 pools; small PG counts peer faster on one OSD.
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
# Commit monitor updates every 50 ms instead of 1 s: much faster start.
paxos propose interval = 0.05
# Quiet health warnings that are expected for a one-node, no-mgr cluster.
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false

[mon]
mon data = $dir/mon

[osd]
osd data = $dir/osd
# Objects live in RAM (nothing to format, fast); the cap is the device size.
osd objectstore = memstore
memstore device bytes = 2147483648

[$RGW_NAME]
rgw data = $dir/rgw
# Fixed, short admin socket name: a client's default embeds pid and a
# pointer ("...rgw.tc.9095.94026481387256.asok"), which eats into the
# 108-byte unix socket limit.
admin socket = $dir/run/\$name.asok
# tcp_nodelay: without it every small request waits ~40 ms (Nagle + delayed ACK).
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
# No background lifecycle or resharding work during tests.
rgw enable lc threads = false
rgw dynamic resharding = false
EOF

# --------------------------------------------------------------------------
# 4. Keys: one keyring holds every identity (test-only cluster). ceph-mon
#    --mkfs imports all of them into the monitor's auth database.
# --------------------------------------------------------------------------
kr=$dir/keyring
ceph-authtool --create-keyring "$kr" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$kr" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
ceph-authtool "$kr" --gen-key -n osd.0 \
    --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' >/dev/null
ceph-authtool "$kr" --gen-key -n "$RGW_NAME" \
    --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null
chmod 600 "$kr"

# Start a daemon. Ceph daemons fork into the background and write their pid
# file themselves. stdin/stdout/stderr are redirected and fd 3 closed so no
# daemon holds the caller's pipe open: otherwise `$(start-rgw.sh)` or
# `... 2>&1 | tee` would wait for the daemons to exit. `-c $conf` is passed
# explicitly (not only via CEPH_CONF) so `ps` shows which dir a daemon
# belongs to, and stop-rgw.sh checks it before signalling a pid.
#
# start_daemon NAME LOG BIN ARGS...: start it, then wait (<= 10 s) for its pid
# file and leave the pid in $daemon_pid. radosgw's parent exits right after
# fork, before the child writes the pid file, hence the wait. A daemon that
# dies removes its pid file, so the pid is kept for the liveness checks.
start_daemon() {
    local name=$1 logf=$2 bin=$3 i
    shift 3
    "$bin" -c "$conf" "$@" </dev/null >>"$dir/log/daemon-stderr.log" 2>&1 3>&- \
        || die "$name did not start" "$logf"
    for ((i = 0; i < 100; i++)); do
        daemon_pid=$(cat "$dir/run/$name.pid" 2>/dev/null || true)
        [[ "$daemon_pid" =~ ^[0-9]+$ ]] && return 0
        sleep 0.1
    done
    die "$name did not start (no pid file after 10 s)" "$logf"
}

# alive PID: the process exists and is not a zombie. Exited daemons are
# reparented to init, which may reap them late (this sandbox's PID 1 takes
# ~2 s), and a zombie still passes `kill -0`.
alive() { grep -qs '^State:[[:space:]]*[^ZX[:space:]]' "/proc/$1/status"; }

# Run a ceph CLI command with a bound on its runtime (it can otherwise retry
# forever when the monitor is not up).
cephq() { timeout 30 ceph --connect-timeout 20 "$@"; }

# --------------------------------------------------------------------------
# 5. Monitor.
# --------------------------------------------------------------------------
log "starting monitor"
monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null \
    || die "monmaptool failed"
ceph-mon --mkfs -i a --monmap "$dir/monmap" --keyring "$kr" >>"$dir/log/mkfs.log" 2>&1 \
    || die "ceph-mon --mkfs failed" "$dir/log/mkfs.log"
start_daemon mon.a "$dir/log/mon.a.log" ceph-mon -i a
mon_pid=$daemon_pid

# --------------------------------------------------------------------------
# 6. OSD: register it, format (memstore: just metadata), start, wait for up.
# --------------------------------------------------------------------------
log "starting OSD"
osd_uuid=$(uuidgen)
osd_id=$(cephq osd new "$osd_uuid" 2>>"$dir/log/cli.log") \
    || die "'ceph osd new' failed (monitor not reachable?)" "$dir/log/mon.a.log"
[[ "$osd_id" == 0 ]] || die "expected OSD id 0, got '$osd_id'"
ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$dir/log/mkfs.log" 2>&1 \
    || die "ceph-osd --mkfs failed" "$dir/log/mkfs.log"
start_daemon osd.0 "$dir/log/osd.0.log" ceph-osd -i 0
osd_pid=$daemon_pid

deadline=$((SECONDS + STEP_TIMEOUT))
until cephq osd dump 2>>"$dir/log/cli.log" | grep -q '^osd\.0 up'; do
    ((SECONDS < deadline)) || die "osd.0 not up after ${STEP_TIMEOUT}s" "$dir/log/osd.0.log"
    alive "$mon_pid" || die "ceph-mon exited during start-up" "$dir/log/mon.a.log"
    alive "$osd_pid" || die "ceph-osd exited during start-up" "$dir/log/osd.0.log"
    sleep 0.2
done

# --------------------------------------------------------------------------
# 7. Gateway: first start creates the default realm/zone and its pools.
# --------------------------------------------------------------------------
log "starting radosgw"
start_daemon "$RGW_NAME" "$dir/log/$RGW_NAME.log" radosgw -n "$RGW_NAME"
rgw_pid=$daemon_pid
endpoint=http://127.0.0.1:$rgw_port
deadline=$((SECONDS + STEP_TIMEOUT))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$endpoint/" || true)" == 200 ]]; do
    ((SECONDS < deadline)) || die "radosgw not answering HTTP 200 on $endpoint/ after ${STEP_TIMEOUT}s" \
        "$dir/log/$RGW_NAME.log"
    # A gateway that died (bad config, port taken) will never answer.
    alive "$rgw_pid" || die "radosgw exited during start-up" "$dir/log/$RGW_NAME.log"
    sleep 0.1
done

# --------------------------------------------------------------------------
# 8. S3 user with random credentials (hex: valid keys, safe to eval), bucket.
# --------------------------------------------------------------------------
log "creating S3 user and bucket $bucket"
access_key=$(od -An -tx1 -N10 /dev/urandom | tr -d ' \n' | tr a-f A-F)   # 20 chars
secret_key=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')                # 40 chars
radosgw-admin user create --uid tracecraft --display-name "TraceCraft tests" \
    --access-key "$access_key" --secret-key "$secret_key" >>"$dir/log/cli.log" 2>&1 \
    || die "radosgw-admin user create failed" "$dir/log/cli.log"

# A signed PUT creates the bucket (curl >= 7.75 signs SigV4 itself). curl
# 7.88 (Debian 12) does not send x-amz-content-sha256, which S3 requires with
# SigV4 (RGW answers 403 SignatureDoesNotMatch); given explicitly, curl also
# signs it. UNSIGNED-PAYLOAD is fine for an empty body on loopback.
code=$(curl -s -o "$dir/log/bucket-create.out" -w '%{http_code}' --max-time 30 \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access_key:$secret_key" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
    -X PUT "$endpoint/$bucket") || code=curl-error
[[ "$code" == 200 ]] || die "creating bucket $bucket failed (HTTP $code)" "$dir/log/bucket-create.out"

# --------------------------------------------------------------------------
# 9. Result: to DIR/env (for `set -a; source`) and to the real stdout.
# --------------------------------------------------------------------------
result="TRACECRAFT_TEST_S3_ENDPOINT=$endpoint
TRACECRAFT_TEST_S3_ACCESS_KEY=$access_key
TRACECRAFT_TEST_S3_SECRET_KEY=$secret_key
TRACECRAFT_TEST_S3_BUCKET=$bucket
TRACECRAFT_RGW_DIR=$dir"
printf '%s\n' "$result" >"$dir/env"
chmod 600 "$dir/env"
success=1
log "ready in ${SECONDS}s at $endpoint (stop with: bash $script_dir/stop-rgw.sh $dir)"
printf '%s\n' "$result" >&3
