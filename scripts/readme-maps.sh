#!/usr/bin/env bash
# Re-make the small PNGs under maps/ that the README shows (one per theme), from the default layers.
# Needs Chromium for the browser rendering (else zzgeo map falls back to matplotlib and says so).
set -euo pipefail
cd "$(dirname "$0")/.."
for theme in land-price shelters groundwater children scores; do
  .venv/bin/zzgeo map "$theme" --out "maps/$theme.html" --png --width 960 --height 720 2>/dev/null
  rm -f "maps/$theme.html"
done
# 128-colour palette PNGs: a fraction of the size, the same look
.venv/bin/python - <<'PY'
from pathlib import Path
from PIL import Image
for p in ("land-price", "shelters", "groundwater", "children", "scores"):
    f = Path("maps") / f"{p}.png"
    Image.open(f).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(f, optimize=True)
    print(f, f.stat().st_size // 1024, "KiB")
PY
