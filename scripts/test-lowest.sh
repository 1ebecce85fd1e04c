#!/usr/bin/env bash
# Prove the lower bounds in pyproject.toml: install the *lowest* versions they allow
# (uv --resolution lowest-direct, wheels only) and run a quick test subset and two commands.
#
#   bash scripts/test-lowest.sh
#
# Fails when
#   - a direct dependency cannot be installed at its lower bound (the version has no
#     wheel for this Python, invalid metadata, or another dependency needs more): uv then
#     silently picks a higher version, and the bound check below names it;
#   - a test or command fails with those versions (raise the bound that is too low).
# The venv lives outside the checkout (ZZGEO_LOWEST_VENV, default $TMPDIR/zzgeo-lowest) and
# is rebuilt every run; downloads stay in uv's cache, so a second run installs offline in seconds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
t0=$SECONDS

TMPROOT="${TMPDIR:-/tmp}"
VENV="${ZZGEO_LOWEST_VENV:-$TMPROOT/zzgeo-lowest}"
PY="${PYTHON:-python3}"
export UV_PYTHON_DOWNLOADS=never PYTHONNOUSERSITE=1
unset PYTHONPATH VIRTUAL_ENV

if command -v uv >/dev/null 2>&1; then
    UV=(uv)
else  # a throw-away venv that holds uv alone, kept for the next run
    UVVENV="$TMPROOT/zzgeo-uv"
    if [ ! -x "$UVVENV/bin/uv" ]; then
        "$PY" -m venv "$UVVENV"
        "$UVVENV/bin/python" -m pip install -q uv
    fi
    UV=("$UVVENV/bin/uv")
fi
echo "== $("${UV[@]}" --version); venv $VENV"

"${UV[@]}" venv -q --clear --python "$PY" "$VENV"
VPY="$VENV/bin/python"
# --only-binary: a lower bound that only installs by compiling from source is no honest bound
# (zzgeo itself is still built, by hatchling, from this checkout)
"${UV[@]}" pip install -q --python "$VPY" --resolution lowest-direct --only-binary :all: -e '.[test]'
echo "== installed in $((SECONDS - t0)) s"

# each direct dependency (dependencies + the test extra) must sit exactly at its lower bound
names=$("$VPY" - <<'EOF'
import tomllib
from importlib.metadata import PackageNotFoundError, version
from packaging.requirements import Requirement
from packaging.version import Version

project = tomllib.load(open("pyproject.toml", "rb"))["project"]
reqs = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
bad = []
for r in reqs:
    if r.marker and not r.marker.evaluate():
        continue
    try:
        have = version(r.name)
    except PackageNotFoundError:
        bad.append(f"{r.name}: not installed")
        continue
    low = [s.version for s in r.specifier if s.operator in (">=", "==", "~=")]
    if low and Version(have) != Version(low[0]):
        bad.append(f"{r.name}: bound {r.specifier} but lowest-direct installed {have} "
                   "(the bound has no wheel for this Python, is yanked, or another dependency needs more)")
    print(r.name)
if bad:
    import sys
    print("lower bounds that do not install as written:\n  " + "\n  ".join(bad), file=sys.stderr)
    sys.exit(1)
EOF
)
echo "== direct dependencies at their lower bounds"
"${UV[@]}" pip list --python "$VPY" 2>/dev/null \
    | grep -iE "^($(echo "$names" | sed 's/[-_.]/[-_.]/g' | paste -sd'|')) " || true

echo "== quick test subset"
"$VPY" -m pytest -q -p no:cacheprovider -x -m "not slow and not postgis" \
    tests/test_crs.py tests/test_registers.py tests/test_config.py tests/test_landprice_lookup.py \
    tests/test_landprice_valuation.py tests/test_shelters_coverage.py tests/test_cli.py

out=$(mktemp -d "$TMPROOT/zzgeo-lowest-report.XXXXXX")
trap 'rm -rf "$out"' EXIT
echo "== zzgeo land-price lookup"
"$VENV/bin/zzgeo" land-price lookup --lon 113.6654 --lat 34.7536
echo "== zzgeo report"
"$VENV/bin/zzgeo" report --no-png --out "$out/report"
test -s "$out/report/index.html"

echo "== lowest versions pass: $((SECONDS - t0)) s"
