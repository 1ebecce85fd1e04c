#!/usr/bin/env bash
# Build the wheel, install it into a clean environment outside the checkout, and run the main job there:
# `zzgeo report --no-png` and one lookup, from an empty folder, with the layer store built on first use
# into the per-user data folder (XDG_DATA_HOME is pointed into the scratch folder). Fails when a command
# fails, when the first use does not announce the store build, or when anything is written into the
# installed package.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
work="$(mktemp -d "${TMPDIR:-/tmp}/zzgeo-wheel.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "wheel smoke test in $work" >&2
python3 -m pip wheel --disable-pip-version-check -q --no-deps -w "$work/dist" "$repo"
wheel="$(ls "$work"/dist/zzgeo-*.whl)"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --disable-pip-version-check -q "$wheel"
pkg="$("$work/venv/bin/python" -c 'import zzgeo, os; print(os.path.dirname(zzgeo.__file__))')"
before="$(find "$pkg" -type f -not -name '*.pyc' -exec sha256sum {} + | sort | sha256sum)"
mkdir "$work/office"
cd "$work/office"
export XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache" ZZGEO_STORE= ZZGEO_MAPS_DIR=
unset ZZGEO_STORE ZZGEO_MAPS_DIR
# the checks below read the English messages; the Chinese catalogue of the wheel is checked at the end
export ZZGEO_LANG=en
"$work/venv/bin/zzgeo" --version
"$work/venv/bin/zzgeo" land-price lookup --lon 113.6654 --lat 34.7536 --json > lookup.json 2> lookup.err
cat lookup.err >&2
grep -q "building the layer store at $work/data/zzgeo/zzgeo.gpkg" lookup.err \
  || { echo "wheel smoke: the first use did not announce the store build in the user data folder" >&2; exit 1; }
"$work/venv/bin/python" - <<'PY'
import json
r = json.load(open("lookup.json"))
assert r["district"]["name"] == "管城回族区", r["district"]
assert r["doc_number"] == "郑政文〔2022〕42号", r["doc_number"]
PY
"$work/venv/bin/zzgeo" report --no-png --out report
test -s report/index.html && test -s report/report.json
ls report | head -50 >&2
# the Chinese interface from the installed wheel: its catalogue compiled on first use into the user cache
LC_ALL=zh_CN.UTF-8 LANG=zh_CN.UTF-8 ZZGEO_LANG= "$work/venv/bin/zzgeo" report --help > help_zh.txt
grep -q "用法" help_zh.txt || { echo "wheel smoke: zzgeo report --help is not in Chinese with LANG=zh_CN.UTF-8" >&2; exit 1; }
after="$(find "$pkg" -type f -not -name '*.pyc' -exec sha256sum {} + | sort | sha256sum)"
[ "$before" = "$after" ] || { echo "wheel smoke: files were written into the installed package $pkg" >&2; exit 1; }
echo "wheel smoke test passed: $(basename "$wheel")" >&2
