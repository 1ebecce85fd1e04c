#!/usr/bin/env bash
# Install zzgeo into .venv and run the main job on the shipped default data: zzgeo report.
# The bundle goes to out/report/ (git-ignored; open out/report/index.html). PNG maps use Chromium
# (installed here when running as root), else a matplotlib drawing; the png extra (Playwright) draws them all, and
# prints report.pdf, in one shared Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv "png"
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; } >/dev/null 2>&1 \
    || echo "chromium not installed: PNG maps will be drawn with matplotlib instead" >&2
fi
exec .venv/bin/zzgeo report --out "${1:-out/report}"
