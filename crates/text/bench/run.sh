#!/usr/bin/env bash
# Fraud-type classifier benchmark: fanzha's cross-validated macro-F1 against the scikit-learn
# reference on the same folds, the shipped model's cross-domain figure, and throughput.
# Usage: crates/text/bench/run.sh [DATA.csv.gz]   (default: $FANZHA_DATA_ROOT or ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/../../.."
DATA=${1:-${FANZHA_DATA_ROOT:-../shared/data}/fraud_texts/train.csv.gz}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cargo build --release -q -p fanzha
FANZHA=${CARGO_TARGET_DIR:-target}/release/fanzha

echo "== fanzha: 5-fold stratified cross-validation"
"$FANZHA" text cv --data "$DATA" --label-col label --folds 5 --folds-out "$WORK/folds.csv" --json | tee "$WORK/fanzha.txt"

echo "== reference: scikit-learn on the same folds"
for pkg in scikit-learn jieba pandas scipy; do
  mod=${pkg/scikit-learn/sklearn}
  python3 -c "import $mod" 2>/dev/null || python3 -m pip install --quiet "$pkg"
done
python3 crates/text/bench/reference_svm.py "$DATA" "$WORK/folds.csv" --label-col label | tee "$WORK/ref.txt"

python3 - "$WORK/fanzha.txt" "$WORK/ref.txt" <<'PY'
import json, sys
ours = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
ref = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
d = ours["macro_f1_mean"] - ref["macro_f1_mean"]
print(f"macro-F1 fanzha {ours['macro_f1_mean']:.4f} ± {ours['macro_f1_sd']:.4f}, "
      f"reference {ref['macro_f1_mean']:.4f} ± {ref['macro_f1_sd']:.4f}, difference {100*d:+.2f} points")
print(f"training+evaluation time: fanzha {ours['seconds']:.1f}s, reference {ref['seconds']:.1f}s, "
      f"ratio {ref['seconds']/max(ours['seconds'],1e-9):.1f}x")
PY

echo "== shipped model (synthetic corpus only) on the research set: cross-domain"
"$FANZHA" text eval --data "$DATA" --label-col label

echo "== throughput"
"$FANZHA" bench text --data "$DATA"
