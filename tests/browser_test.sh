#!/usr/bin/env bash
# browser_test.sh HASHFORGE OUTDIR: the two web pages of issue 17 in a real browser (headless
# Chromium), checked against hashforge itself:
#  - `pipeline --html`: loads without errors; for every design on the page, playing it to a clock
#    shows the clock, nonce counter and found nonce that the text picture (`hashforge pipeline
#    FLAGS --cycles N`) prints for that clock;
#  - `mine --http`: the status page loads without errors, shows the backend and pool the miner
#    reports, and its hashrate plot has more points a few seconds later.
# Screenshots of both pages are left in OUTDIR (test artefacts, not in the repository).
# Exit 77 (CTest: skipped) only when no Chromium is installed.
set -uo pipefail
hf=$1
out=$2
mkdir -p "$out"
rm -f "$out"/*.png "$out"/*.dom "$out"/*.log

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
  echo "SKIP: no Chromium found (scripts/deps.sh installs Debian's chromium); the browser tests did not run"
  exit 77
fi

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
n=0
# chrome ARGS...: one headless run with a fresh profile; stdout is the DOM for --dump-dom.
chrome() {
  n=$((n + 1))
  local profile="$out/profile-$n"
  rm -rf "$profile"
  DBUS_SESSION_BUS_ADDRESS=disabled: timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage --hide-scrollbars \
    --mute-audio --enable-logging=stderr --v=0 --user-data-dir="$profile" "$@" 2>"$out/chrome-$n.log"
  local rc=$?
  # Our pages never write to the console: any console message is an error or a warning.
  if grep -q "CONSOLE" "$out/chrome-$n.log"; then fail "console messages in run $n:"; grep "CONSOLE" "$out/chrome-$n.log"; fi
  rm -rf "$profile"
  return $rc
}
# dom_text FILE ID: the text of the element with that id (single-line elements).
dom_attr() { grep -o "$2=\"[^\"]*\"" "$1" | head -1 | cut -d'"' -f2; }
no_page_errors() {
  if ! grep -q '<pre id="errors"></pre>' "$1"; then fail "$2 reports errors:"; sed -n '/<pre id="errors">/,/<\/pre>/p' "$1"; fi
}

started=$(date +%s)
# ---- the pipeline page ------------------------------------------------------------------------
"$hf" pipeline --html "$out/pipeline.html" >"$out/pipeline.txt" || { fail "pipeline --html"; cat "$out/pipeline.txt"; }
checks=""
expected=""
while IFS= read -r line; do
  index=$(sed -E 's/^ *\[([0-9]+)\].*/\1/' <<<"$line")
  flags=$(grep -oE -- '--rounds-per-stage [^;]*' <<<"$line")
  found_clock=$(grep -oE 'at clock [0-9]+' <<<"$line" | awk '{print $3}')
  [ -n "$found_clock" ] || { fail "design $index: no found nonce on the page ($line)"; continue; }
  # Two clocks per design: halfway (nothing found yet) and the clock the found strobe rises.
  for clock in $((found_clock / 2)) "$found_clock"; do
    # shellcheck disable=SC2086
    row=$("$hf" pipeline $flags --cycles "$clock" | awk -v c="$clock" '$1 == c && NF >= 4 {print; exit}')
    [ -n "$row" ] || { fail "design $index: the text picture has no clock $clock"; continue; }
    found=$(awk '$5 == "FOUND" {print $6 " " $7; exit} END {}' <<<"$row")
    counter=$(awk '{print $3}' <<<"$row")
    checks+="${checks:+,}$index:$clock"
    expected+="design $index clock $clock counter $counter found ${found:--}"$'\n'
  done
done < <(grep -E '^ *\[[0-9]+\]' "$out/pipeline.txt")
designs=$(grep -cE '^ *\[[0-9]+\]' "$out/pipeline.txt")
[ "$designs" -ge 5 ] || fail "only $designs designs on the page"

# One run checks and takes the screenshot (at the end: the last design at its found clock).
chrome --window-size=1280,1800 --virtual-time-budget=60000 --screenshot="$out/pipeline.png" --dump-dom \
  "file://$out/pipeline.html#speed=1000&checks=$checks" >"$out/pipeline.dom"
no_page_errors "$out/pipeline.dom" "pipeline page"
[ "$(dom_attr "$out/pipeline.dom" data-checks)" = "done" ] || fail "pipeline page: the checks did not finish"
shown=$(sed -n '/<pre id="checks"/,/<\/pre>/p' "$out/pipeline.dom" | sed -E 's/<[^>]*>//g')
if [ "$shown" != "$(printf '%s' "$expected")" ]; then
  fail "pipeline page and text picture differ"
  diff <(printf '%s\n' "$expected") <(printf '%s\n' "$shown")
else
  echo "pipeline page: $designs designs, $(grep -c . <<<"$expected") clocks agree with the text picture"
fi
[ -s "$out/pipeline.png" ] || fail "no screenshot of the pipeline page"
echo "pipeline page checks took $(($(date +%s) - started)) s"

# ---- the miner's status page ------------------------------------------------------------------
started=$(date +%s)
"$hf" mine --http 0 --duration 600 -t 1 --status-interval 60 >"$out/mine.log" 2>&1 &
miner=$!
url=""
for _ in $(seq 1 100); do
  url=$(grep -oE 'status page on http://[0-9.]+:[0-9]+/' "$out/mine.log" | awk '{print $4}')
  [ -n "$url" ] && break
  sleep 0.2
done
if [ -z "$url" ]; then
  fail "mine --http printed no address"; cat "$out/mine.log"
else
  backend=$(grep -oE 'hashing with [a-z0-9+-]+' "$out/mine.log" | awk '{print $3}')
  pool=$(grep -oE 'built-in pool at stratum\+tcp://[0-9.:]+' "$out/mine.log" | awk '{print $4}')
  sleep 2
  chrome --virtual-time-budget=2500 --dump-dom "$url" >"$out/status-1.dom"
  sleep 3
  chrome --window-size=1200,1000 --virtual-time-budget=2500 --screenshot="$out/status.png" --dump-dom "$url" >"$out/status-2.dom"
  for f in "$out/status-1.dom" "$out/status-2.dom"; do no_page_errors "$f" "status page"; done
  p1=$(dom_attr "$out/status-1.dom" data-points)
  p2=$(dom_attr "$out/status-2.dom" data-points)
  [ "$(dom_attr "$out/status-1.dom" data-updates)" -ge 1 ] 2>/dev/null || fail "status page never rendered /api/status"
  if [ -n "$p1" ] && [ -n "$p2" ] && [ "$p2" -gt "$p1" ] && [ "$p1" -ge 1 ]; then
    echo "status page: the hashrate plot grew from $p1 to $p2 points while mining"
  else
    fail "status page: the plot did not grow ($p1 -> $p2 points)"
  fi
  grep -q "<td class=\"n\">$backend</td>" "$out/status-2.dom" || fail "status page does not show the backend '$backend'"
  grep -q "<td class=\"n\">$pool</td>" "$out/status-2.dom" || fail "status page does not show the pool '$pool'"
  [ -s "$out/status.png" ] || fail "no screenshot of the status page"
fi
kill -TERM "$miner" 2>/dev/null
wait "$miner"
rc=$?
[ "$rc" -eq 0 ] || { fail "mine --http exited with $rc after SIGTERM"; tail -20 "$out/mine.log"; }
echo "status page checks took $(($(date +%s) - started)) s"

echo "screenshots: $out/pipeline.png $out/status.png"
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all browser checks passed"
