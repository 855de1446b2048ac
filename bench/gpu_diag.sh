#!/usr/bin/env bash
# Device-memory diagnosis of `bench adamerging --device opencl` (CL_MEM_OBJECT_ALLOCATION_FAILURE
# with non-blocking uploads): stack trace, forced early reclaims, both upload modes.
. "$(dirname "${BASH_SOURCE[0]}")/gpu_env.sh"
a="$ADAMERGE bench adamerging --tasks 8 --batch 16 --steps 5 --device opencl --json"
for opts in "-Dadamerge.opencl.softLimitMiB=8192" "-Dadamerge.opencl.softLimitMiB=8192 -Dadamerge.opencl.syncUploads=true"; do
  echo "=== $opts"
  ADAMERGE_JAVA_OPTS="-Dadamerge.trace=true $opts" timeout 200 $a 2>&1 | grep -v WARNING | head -30
  nvidia-smi --query-gpu=memory.used --format=csv
done
