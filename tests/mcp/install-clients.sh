#!/usr/bin/env bash
# Installs the real MCP clients the native tests drive `tracecraft mcp` with, when missing: the MCP Inspector (its CLI
# mode: tools/list, tools/call) and the official TypeScript SDK (the two-agent story, the per-call benchmark), at the
# versions tests/mcp/package.json pins, into out/mcp-clients (outside the source tree, ignored by git).
# Installs Node.js and npm from apt when they are missing (CI runs on a fresh machine). Idempotent: a second run with
# everything in place does nothing. Prints the clients folder on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${TRACECRAFT_MCP_CLIENTS:-$root/out/mcp-clients}"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "Node.js/npm missing: installing them with apt-get." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq nodejs npm >&2
fi

mkdir -p "$target"
# Installed already, at the pinned versions? (package.json in the target is the copy of the last successful install.)
if cmp -s "$here/package.json" "$target/package.json" \
    && [ -x "$target/node_modules/.bin/mcp-inspector" ] \
    && [ -f "$target/node_modules/@modelcontextprotocol/sdk/package.json" ]; then
    echo "$target"
    exit 0
fi

echo "Installing the MCP test clients into $target (npm install)." >&2
staging="$target.staging.$$"
rm -rf "$staging"
mkdir -p "$staging"
cp "$here/package.json" "$staging/package.json"
# --ignore-scripts: the inspector's postinstall only installs its own clients in a source checkout (a no-op here).
# engine-strict off: the inspector asks for Node 22 but its CLI mode runs on Node 20 (what the machines have).
(cd "$staging" && npm install --no-audit --no-fund --no-package-lock --ignore-scripts --engine-strict=false --loglevel=error >&2)
rm -rf "$target"
mv "$staging" "$target"
echo "$target"
