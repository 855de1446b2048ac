#!/usr/bin/env bash
# The SGEMM measurements of bench/results/gpu-h100.md in one device call: our kernel's correctness
# and tiling x split-K sweep (ClGemmBench --sweep), then bench/gemm_cuda.py (PyTorch FP32, TF32
# off, against `adamerge bench gemm --device opencl` with the tuned tiling). Expects .gpu/ as
# bench/gpu_run.sh describes. Extra arguments go to the sweep (e.g. --configs "128,128,8,8,16").
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/gpu_env.sh"
java() { "$dist/runtime/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$dist/lib/adamerge4j/*" "$@"; }
step() { echo; echo "=== $*"; "$@" 2>&1 | tee -a "$out/log.txt"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,memory.total --format=csv | tee "$out/log.txt"
step java -Dadamerge.opencl.tuningFile=/tmp/tuning.properties adamerge.opencl.ClGemmBench --sweep "$@"
step python3 bench/gemm_cuda.py --ours-device opencl
cat ~/.cache/adamerge4j/opencl-tuning.properties 2>/dev/null | tee -a "$out/log.txt"
