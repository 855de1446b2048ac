#!/usr/bin/env bash
# Device-memory diagnosis of `bench adamerging --device opencl` (CL_MEM_OBJECT_ALLOCATION_FAILURE
# with non-blocking uploads): stack trace, forced early reclaims, both upload modes.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export LD_LIBRARY_PATH="$root/.gpu/icd/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
lib=$(ls /usr/local/nvidia/lib64/libnvidia-opencl.so.1 2>/dev/null | head -1)
mkdir -p /tmp/vendors && echo "$lib" > /tmp/vendors/nvidia.icd && export OCL_ICD_VENDORS=/tmp/vendors
a="$root/.gpu/adamerge bench adamerging --tasks 8 --batch 16 --steps 5 --device opencl --json"
for opts in "-Dadamerge.opencl.softLimitMiB=8192" "-Dadamerge.opencl.softLimitMiB=8192 -Dadamerge.opencl.syncUploads=true"; do
  echo "=== $opts"
  ADAMERGE_JAVA_OPTS="-Dadamerge.trace=true $opts" timeout 200 $a 2>&1 | grep -v WARNING | head -30
  nvidia-smi --query-gpu=memory.used --format=csv
done
