#!/usr/bin/env bash
# Every GPU measurement in one device call (see bench/results/gpu-h100.md). Expects .gpu/ (git-
# ignored) with jre/ (jlink'ed JDK 25 + jdk.incubator.vector), lib/ (cli/target/adamerge.jar and
# cli/target/lib/*.jar), icd/ (Debian's ocl-icd-libopencl1 unpacked) and the launcher adamerge.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/gpu_env.sh"
py=python3
step() { echo; echo "=== $*"; "$@" 2>&1 | tee -a "$out/log.txt"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,memory.total --format=csv | tee "$out/log.txt"
step "$ADAMERGE" devices
step $py bench/gemm_cuda.py --ours-device opencl
step $py bench/vit_cuda.py --batch 128 --ours-device opencl
step $py bench/adamerging_pytorch.py --device cuda --tasks 8 --batch 16 --steps 5 --ours-device opencl --json
# merge once per step (run 1, 2026-11-22: 0.503 s/step): $py bench/adamerging_pytorch.py --device cuda --merge-once --no-ours
ADAMERGE_JAVA_OPTS="-Dadamerge.opencl.profile=true" step "$ADAMERGE" bench adamerging --tasks 8 --batch 16 --steps 3 --device opencl
ADAMERGE_JAVA_OPTS="-Dadamerge.opencl.syncUploads=true -Dadamerge.opencl.smallTiles=false" step "$ADAMERGE" bench adamerging --tasks 8 --batch 16 --steps 3 --device opencl --json
