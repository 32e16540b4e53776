#!/usr/bin/env bash
# Browser tests: starts `fanzha demo` on a free port with a throwaway data dir, waits for it,
# runs e2e/tests/ in headless Chromium, stops the server. Build the binary first:
#   cargo build -p fanzha --bin fanzha
# Env: CARGO_TARGET_DIR (where the binary is), FANZHA_BIN (the binary itself), CHROMIUM,
#      SCREENSHOTS=1 (write docs/screenshots/), E2E_OUT (logs and other screenshots),
#      E2E_KEEP=1 (keep the data dir), E2E_HISTORY_MONTHS (the demo's history; none by default,
#      so the tests start from empty registers). Extra arguments go to `node --test` (e.g. a test file).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

target="${CARGO_TARGET_DIR:-$root/target}"
bin="${FANZHA_BIN:-$target/debug/fanzha}"
if [[ ! -x "$bin" && -z "${FANZHA_BIN:-}" && -x "$target/release/fanzha" ]]; then
  bin="$target/release/fanzha"
fi
if [[ ! -x "$bin" ]]; then
  echo "e2e: no fanzha binary at $bin; build it with: cargo build -p fanzha --bin fanzha" >&2
  exit 2
fi
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$CHROMIUM" ]]; then
  echo "e2e: no Chromium at $CHROMIUM; install it with: apt-get install -y chromium" >&2
  exit 2
fi
if [[ ! -d "$here/node_modules/playwright-core" ]]; then
  echo "e2e: installing playwright-core (npm ci)"
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

port="${E2E_PORT:-$(node -e '
  const s = require("net").createServer();
  s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')}"
export E2E_OUT="${E2E_OUT:-$(mktemp -d /tmp/fanzha-e2e.XXXXXX)}"
mkdir -p "$E2E_OUT"
data="$(mktemp -d /tmp/fanzha-e2e-data.XXXXXX)"
log="$E2E_OUT/server.log"
export BASE_URL="http://127.0.0.1:$port"

pid=""
status=1
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [[ "$status" != 0 ]]; then
    echo "---- server log ($log) ----"
    tail -n 200 "$log" 2>/dev/null || true
    echo "---- end of server log ----"
    # The failures last, so that the tail of a CI log names them.
    if [[ -s "$E2E_OUT/tests.log" ]]; then
      echo "---- failing tests ($E2E_OUT/tests.log) ----"
      sed -n '/failing tests:/,$p' "$E2E_OUT/tests.log" | tail -n 150
    fi
  fi
  if [[ "${E2E_KEEP:-}" == 1 ]]; then echo "e2e: data kept in $data"; else rm -rf "$data"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "e2e: starting $bin demo on $BASE_URL (data $data, log $log)"
"$bin" --data-dir "$data" demo --port "$port" --people 2000 --speed 60 \
  --history-months "${E2E_HISTORY_MONTHS:-0}" </dev/null >"$log" 2>&1 &
pid=$!

deadline=$((SECONDS + ${E2E_START_TIMEOUT:-120}))
healthy() {
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "$BASE_URL/healthz"
}
until healthy; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "e2e: the server exited before it answered /healthz" >&2
    exit 1
  fi
  if ((SECONDS > deadline)); then
    echo "e2e: no answer on $BASE_URL/healthz after ${E2E_START_TIMEOUT:-120}s" >&2
    exit 1
  fi
  sleep 0.3
done
echo "e2e: server up after ${SECONDS}s"

tests=("$@")
if [[ ${#tests[@]} -eq 0 ]]; then tests=("$here/tests/"); fi
set +e
node --test --test-concurrency=1 --test-reporter=spec "${tests[@]}" 2>&1 | tee "$E2E_OUT/tests.log"
status=${PIPESTATUS[0]}
set -e
exit "$status"
