#!/usr/bin/env bash
# Runs the randomised tests (fast-check properties and fuzzers) under many
# seeds, one after another: `bash scripts/seeds.sh [count]` (default 20).
# A failing seed is printed; replay it with FC_SEED=<seed> npx vitest run <file>.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-20}"
files=$(grep -l "fc.assert" test/unit/*.ts test/integration/configure.test.ts test/reliability/cli-fuzz.test.ts)
failed=0
for i in $(seq 1 "$count"); do
  seed=$((RANDOM * 32768 + RANDOM))
  if FC_SEED=$seed bash scripts/with-keyring.sh npx vitest run $files >/tmp/keytray-seed.log 2>&1; then
    echo "seed $seed: ok"
  else
    echo "seed $seed: FAILED (log: /tmp/keytray-seed.$seed.log)"
    cp /tmp/keytray-seed.log "/tmp/keytray-seed.$seed.log"
    failed=1
  fi
done
exit $failed
