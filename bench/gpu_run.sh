#!/usr/bin/env bash
# Every GPU measurement in one device call (see bench/results/gpu-h100.md). Expects .gpu/ (git-
# ignored) holding the archive of `mvn package` (runtime, jars and launcher: no JDK on the device)
# and, for a machine without an OpenCL ICD loader, icd/ (Debian's ocl-icd-libopencl1 unpacked):
#   mkdir -p .gpu && cp dist/target/adamerge4j-*-linux-x64.tar.gz .gpu/
# With the working tree the .tar.gz passes the run tool's 64 MiB carry limit; xz brings it under:
#   gzip -dc dist/target/adamerge4j-*-linux-x64.tar.gz | xz -T2 -6 > .gpu/adamerge4j-VERSION-linux-x64.tar.xz
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
