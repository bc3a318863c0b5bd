#!/usr/bin/env bash
# ensure-tools.sh - installs what the report and board tests drive when it is missing: Debian's chromium (renders the
# HTML report headless) and tmux (hosts the live board in a real terminal). Like tests/s3/start-rgw.sh installs Ceph:
# apt-get, as root in CI, else non-interactive sudo. Prints nothing on stdout; progress goes to stderr.
# Usage: bash tests/browser/ensure-tools.sh [chromium] [tmux]   (no argument: both)
set -euo pipefail
exec 3>&1 1>&2
log() { printf 'ensure-tools: %s\n' "$*" >&2; }
wanted=("$@")
((${#wanted[@]})) || wanted=(chromium tmux)
missing=()
for c in "${wanted[@]}"; do
    command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done
((${#missing[@]})) || exit 0
log "missing ${missing[*]}; installing with apt-get"
sudo_cmd=()
if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || { log "ERROR: need root (or sudo) to install: ${missing[*]}"; exit 1; }
    sudo_cmd=(sudo -n)
fi
# No terminal and no stdin in CI: nothing may prompt. chromium pulls its fonts and libraries; no recommends.
"${sudo_cmd[@]}" apt-get update </dev/null >&2 || { log "ERROR: apt-get update failed"; exit 1; }
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" fonts-dejavu-core </dev/null >&2 \
    || { log "ERROR: apt-get install ${missing[*]} failed"; exit 1; }
for c in "${missing[@]}"; do
    command -v "$c" >/dev/null 2>&1 || { log "ERROR: $c is still missing after apt-get install"; exit 1; }
done
log "installed ${missing[*]}"
