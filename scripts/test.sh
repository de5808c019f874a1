#!/usr/bin/env bash
# The README's test command. On a fresh machine (Python 3.11+, apt as root or through sudo):
# installs the system packages the tests drive (Debian's Chromium), makes a FRESH virtual
# environment in a temporary folder, installs the project with its `test` extra there, and runs the
# whole suite with that environment's Python. Nothing installed earlier by hand can stand in for a
# missing dependency. Extra arguments go to pytest.
#
#   PATHWAYS_VENV=DIR   use (and create if missing) this environment instead of a temporary one;
#                       .ci/run passes the fresh one it made for lint, types and the site build.
set -euo pipefail
cd "$(dirname "$0")/.."
export NO_MKDOCS_2_WARNING=1 PIP_DISABLE_PIP_VERSION_CHECK=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# the PostgreSQL server binaries (initdb, pg_ctl): the ledger tests start a private server
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

venv="${PATHWAYS_VENV:-}"
if [ -z "$venv" ]; then
  venv="$(mktemp -d)/venv"
  trap 'rm -rf "$(dirname "$venv")"' EXIT
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "== a fresh virtual environment: $venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q -e ".[test]"
fi
export PATH="$venv/bin:$PATH"
echo "== pytest ($("$venv/bin/python" --version))"
"$venv/bin/python" -m pytest -n 2 "$@"
