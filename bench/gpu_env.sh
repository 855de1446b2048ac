# Sourced by the bench/gpu_*.sh scripts: the environment of a device call. Expects in .gpu/ (git-
# ignored) the archive that `mvn package` builds (dist/target/adamerge4j-*-linux-x64.tar.gz, or
# that archive recompressed as .tar.xz to fit the run tool's carry limit; bench/gpu_run.sh), which
# it unpacks there, and icd/ (Debian's ocl-icd-libopencl1 unpacked) for a machine without an
# OpenCL ICD loader. Sets root, out, dist (the unpacked archive), ADAMERGE and the loader's search
# path, and registers the NVIDIA OpenCL driver when the image's vendors folder lacks it.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${OUT:-/tmp/out}; mkdir -p "$out"
archive=$(ls -t "$root"/.gpu/adamerge4j-*.tar.* | head -1)
base=${archive##*/}; dist="$root/.gpu/${base%-linux-*}"   # adamerge4j-VERSION, the archive's folder
rm -rf "$dist" && tar -xf "$archive" -C "$root/.gpu"   # afresh: a warm machine may hold an older one
export ADAMERGE="$dist/bin/adamerge" PYTHONUNBUFFERED=1
export LD_LIBRARY_PATH="$root/.gpu/icd/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
if ! grep -qs nvidia /etc/OpenCL/vendors/*.icd; then
  lib=$(ls /usr/local/nvidia/lib64/libnvidia-opencl.so.1 /usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1 2>/dev/null | head -1)
  [ -z "$lib" ] && lib=$(find / -xdev -name 'libnvidia-opencl.so.1' 2>/dev/null | head -1)
  mkdir -p /tmp/vendors && echo "$lib" > /tmp/vendors/nvidia.icd && export OCL_ICD_VENDORS=/tmp/vendors
  echo "OpenCL ICD: $lib (OCL_ICD_VENDORS=/tmp/vendors)"
fi
