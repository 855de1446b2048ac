# Sourced by the bench/gpu_*.sh scripts: the environment of a device call. Expects .gpu/ (git-
# ignored) as bench/gpu_run.sh describes; sets root, out, ADAMERGE and the OpenCL ICD loader's
# search path, and registers the NVIDIA OpenCL driver when the image's vendors folder lacks it.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${OUT:-/tmp/out}; mkdir -p "$out"
export ADAMERGE="$root/.gpu/adamerge" PYTHONUNBUFFERED=1
export LD_LIBRARY_PATH="$root/.gpu/icd/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
if ! grep -qs nvidia /etc/OpenCL/vendors/*.icd; then
  lib=$(ls /usr/local/nvidia/lib64/libnvidia-opencl.so.1 /usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1 2>/dev/null | head -1)
  [ -z "$lib" ] && lib=$(find / -xdev -name 'libnvidia-opencl.so.1' 2>/dev/null | head -1)
  mkdir -p /tmp/vendors && echo "$lib" > /tmp/vendors/nvidia.icd && export OCL_ICD_VENDORS=/tmp/vendors
  echo "OpenCL ICD: $lib (OCL_ICD_VENDORS=/tmp/vendors)"
fi
