#!/usr/bin/env bash
# Renders poolguard's HTML campaign report in headless Chromium and saves a screenshot.
#
#   scripts/check-report.sh [OUT_DIR] [VARIANT]
#
# Runs `poolguard gate` on VARIANT (default fee-001-commission-cap-25, so the page shows a violation), then
# screenshots OUT_DIR/report.html to OUT_DIR/report.png. Needs Debian's `chromium` (apt-get install chromium).
# Exits non-zero when the page does not render (no screenshot, or an empty one).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-target/report-check}"
VARIANT="${2:-fee-001-commission-cap-25}"
CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -z "$CHROMIUM" ]; then
  echo "chromium not found (apt-get install chromium, or set CHROMIUM)" >&2
  exit 2
fi
mkdir -p "$OUT"
cargo run --release --quiet -- gate --variant "$VARIANT" --runs 300 --regressions corpus/regressions --out "$OUT" || [ $? -eq 1 ]
"$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,3000 \
  --screenshot="$OUT/report.png" "file://$(realpath "$OUT/report.html")" 2>"$OUT/chromium.log"
size=$(stat -c %s "$OUT/report.png" 2>/dev/null || echo 0)
if [ "$size" -lt 20000 ]; then
  echo "screenshot missing or blank ($size bytes); see $OUT/chromium.log" >&2
  exit 1
fi
echo "rendered $OUT/report.html -> $OUT/report.png ($size bytes)"
