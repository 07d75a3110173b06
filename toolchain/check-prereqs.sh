#!/usr/bin/env bash
# One- or two-line errors for a missing prerequisite, instead of a stack trace later.
set -euo pipefail
case "${1:-}" in
  python)
    py=${PYTHON:-python3}
    command -v "$py" >/dev/null || { echo "error: $py not found. Install Python 3.11 or 3.12 (set PYTHON=... to pick one)." >&2; exit 1; }
    "$py" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)' \
      || { echo "error: $py is $("$py" -V 2>&1); DomaCross needs Python 3.11 or 3.12 (set PYTHON=python3.11)." >&2; exit 1; }
    "$py" -c 'import venv, ensurepip' 2>/dev/null \
      || { echo "error: $py lacks venv/ensurepip. On Debian/Ubuntu: apt install python3-venv." >&2; exit 1; }
    ;;
  node)
    command -v node >/dev/null && command -v npm >/dev/null \
      || { echo "error: node/npm not found. Install Node.js 20 LTS or newer (it ships npm), then rerun make." >&2; exit 1; }
    major=$(node -p 'process.versions.node.split(".")[0]')
    [ "$major" -ge 18 ] || { echo "error: Node.js $(node -v) is too old; install Node.js 20 LTS or newer." >&2; exit 1; }
    ;;
  *) echo "usage: $0 python|node" >&2; exit 2 ;;
esac
