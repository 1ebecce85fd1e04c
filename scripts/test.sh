#!/usr/bin/env bash
# Install zzgeo with its test dependencies into .venv and run the test suite.
# Optional system packages (Chromium + a CJK font for PNG export tests and the web app's browser tests) are
# installed when running as root; without them those tests skip. PostGIS tests run when ZZGEO_TEST_PG_DSN is set
# (see scripts/start-postgis.sh, which .ci/run calls first).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv "test,docs,postgis,scale,riverside,crosscheck,web"
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; } \
    || echo "chromium not installed: PNG export and browser tests will skip" >&2
fi
.venv/bin/python -m ipykernel install --user --name python3 >/dev/null 2>&1 || true
# two workers by default (ZZGEO_TEST_WORKERS=0 runs in one process)
exec .venv/bin/python -m pytest -n "${ZZGEO_TEST_WORKERS:-2}" "$@"
