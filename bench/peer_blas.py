"""The peer's best CPU kernels: import this before torch in every CPU benchmark.

This machine image exports OPENBLAS_CORETYPE=Haswell, which makes OpenBLAS run its AVX2 kernels
even where the CPU has AVX-512 (about 183 instead of 320-370 GFLOP/s on the 2-core EPYC). A
benchmark that compared against that would flatter us, so where /proc/cpuinfo lists avx512f the
peer gets its SkylakeX kernels (checked to give correct results on this CPU). Tests and CI never
import this module.
"""
import os


def best_coretype():
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return None
    return "SkylakeX" if "avx512f" in flags else "Haswell" if "avx2" in flags else None


CORETYPE = best_coretype()
if CORETYPE:
    os.environ["OPENBLAS_CORETYPE"] = CORETYPE


def describe():
    """One line for a benchmark's header: which OpenBLAS kernels the peer ran."""
    return f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset: OpenBLAS detects the CPU)')}"
