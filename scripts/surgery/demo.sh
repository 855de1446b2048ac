#!/usr/bin/env bash
# Representation Surgery on the shipped demo checkpoints, on top of task arithmetic and of
# layer-wise AdaMerging (120 steps, the fast demo's), with upstream's surgery defaults: per-task
# accuracy on the demo's 1000 test images per task, without and with surgery, and the reports.
#   scripts/surgery/demo.sh [OUT_DIR]      (default /tmp/adamerge-surgery)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-/tmp/adamerge-surgery}
mkdir -p "$out"
JAVA_HOME=$("$root/bin/find-jdk")
[ -f "$root/cli/target/adamerge.jar" ] || (cd "$root" && mvn -B -q -o -DskipTests package -pl cli -am >&2)
# The study's test images as safetensors files (same tasks, seed and order as bin/adamerge demo).
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$root/cli/target/adamerge.jar:$root/cli/target/lib/*" \
    "$root/scripts/surgery/ExportDemoTestSets.java" "$out/data" 2>/dev/null
tasks=(mnist fashion svhn-like gtsrb-like dtd-like eurosat-like solids sun-like)
args=(--pretrained "$root/models/demo/pretrained.safetensors")
for t in "${tasks[@]}"; do
  args+=(--finetuned "$root/models/demo/finetuned/$t.safetensors" --head "$root/models/demo/heads/$t.safetensors" --data "$out/data/$t.safetensors")
done
"$root/bin/adamerge" merge --method task-arithmetic "${args[@]}" --surgery \
    --out "$out/ta.safetensors" --report "$out/ta.report.json"
"$root/bin/adamerge" merge --method adamerging-layer --steps 120 "${args[@]}" --surgery \
    --out "$out/ada.safetensors" --report "$out/ada.report.json" --lambdas-out "$out/ada.lambdas.json"

# Held out: the surgery trained on each task's 1000 validation images instead, scored on the test images.
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$root/cli/target/adamerge.jar:$root/cli/target/lib/*" \
    "$root/scripts/surgery/ExportDemoTestSets.java" "$out/val" VALIDATION 2>/dev/null
for m in ta ada; do
  method=task-arithmetic; [ $m = ada ] && method=adamerging-layer
  vargs=(--pretrained "$root/models/demo/pretrained.safetensors")
  for t in "${tasks[@]}"; do
    vargs+=(--finetuned "$root/models/demo/finetuned/$t.safetensors" --head "$root/models/demo/heads/$t.safetensors" --data "$out/val/$t.safetensors")
  done
  # The merged model is the one above (--lambdas-in: AdaMerging's coefficients learned on the test images, applied with --steps 0).
  extra=(); [ $m = ada ] && extra=(--lambdas-in "$out/ada.lambdas.json" --steps 0)
  "$root/bin/adamerge" merge --method $method "${vargs[@]}" "${extra[@]}" --surgery --surgery-out "$out/$m.val.surgery.safetensors" \
      --out "$out/$m.val.safetensors" --report "$out/$m.val.report.json"
  for t in "${tasks[@]}"; do
    printf '%s %s ' $m "$t"
    "$root/bin/adamerge" eval --model "$out/$m.val.safetensors" --head "$root/models/demo/heads/$t.safetensors" --data "$out/data/$t.safetensors" \
        --surgery "$out/$m.val.surgery.safetensors" --json 2>/dev/null
  done
done
