#!/bin/sh
# Lighthouse 12 on a story page of the demo newsroom, at Lighthouse's mobile settings (a
# throttled phone), with Debian's chromium. A measurement, not a test: CI does not run it.
#
#   scripts/lighthouse.sh            # prints the four category scores and LCP
#   LIGHTHOUSE_DIR=/tmp/lh scripts/lighthouse.sh   # reuse an npm folder holding lighthouse
#
# Needs node/npm (npm install lighthouse@12 into $LIGHTHOUSE_DIR on first run), chromium and Go.
set -eu
cd "$(dirname "$0")/.."
LH=${LIGHTHOUSE_DIR:-${TMPDIR:-/tmp}/broadsheet-lighthouse}
CHROME=${CHROME_PATH:-$(command -v chromium || command -v chromium-browser)}
if [ ! -x "$LH/node_modules/.bin/lighthouse" ]; then
	mkdir -p "$LH"
	(cd "$LH" && npm install --no-audit --no-fund --silent lighthouse@12.8.2)
fi
DATA=$(mktemp -d)
PORT=${PORT:-18181}
go build -o "$DATA/broadsheet" ./cmd/broadsheet
"$DATA/broadsheet" serve --data "$DATA/site" --addr "127.0.0.1:$PORT" >"$DATA/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; [ -n "${KEEP_REPORT:-}" ] && cp "$DATA/report.json" "$KEEP_REPORT"; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do
	curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
	sleep 0.2
done
# The front page's lead story.
STORY=$(curl -fs "http://127.0.0.1:$PORT/" | grep -o 'class="lead-title"><a href="[^"]*"' | head -1 | sed 's/.*href="//; s/"$//')
URL="http://127.0.0.1:$PORT$STORY"
echo "Lighthouse $("$LH/node_modules/.bin/lighthouse" --version) on $URL (mobile)"
CHROME_PATH=$CHROME "$LH/node_modules/.bin/lighthouse" "$URL" --quiet --output=json --output-path="$DATA/report.json" \
	--chrome-flags="--headless=new --no-sandbox --disable-gpu" --form-factor=mobile
node -e '
const r = require(process.argv[1]);
for (const c of Object.values(r.categories)) console.log(c.title.padEnd(16), Math.round(c.score * 100));
const a = r.audits;
console.log("LCP".padEnd(16), a["largest-contentful-paint"].displayValue);
console.log("FCP".padEnd(16), a["first-contentful-paint"].displayValue);
console.log("TBT".padEnd(16), a["total-blocking-time"].displayValue);
console.log("CLS".padEnd(16), a["cumulative-layout-shift"].displayValue);
for (const [id, x] of Object.entries(a)) if (x.score !== null && x.score < 0.9 && x.scoreDisplayMode !== "informative" && x.scoreDisplayMode !== "manual" && x.scoreDisplayMode !== "notApplicable") console.log("  to look at:", id, x.score, x.displayValue || "");
' "$DATA/report.json"
