// CPU feature detection, done once per process.
//
// AVX2 is reported usable only if CPUID advertises AVX2+FMA+F16C *and* the OS saves YMM
// state (OSXSAVE + XGETBV XCR0 bits 1 and 2). AVX-512 additionally needs AVX512F, BW, DQ and
// VL and the OS saving opmask and ZMM state (XCR0 bits 5, 6 and 7). The environment variable
// TRTSERVE_ISA=generic|avx2|avx512 caps the ISA (to force a path in tests, CI or debugging);
// asking for an ISA the CPU lacks falls back to what it has, with a warning.
// Thread safety: all functions are safe to call concurrently.
#pragma once

#include <string_view>

namespace trt {

enum class Isa { kGeneric = 0, kAvx2 = 1, kAvx512 = 2 };

struct CpuFeatures {
  bool avx = false;
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512dq = false;
  bool avx512vl = false;
  bool avx512_vnni = false;
  bool avx_vnni = false;
  bool os_saves_ymm = false;
  bool os_saves_zmm = false;  // opmask + ZMM0-15 upper halves + ZMM16-31
};

// Raw detection result (independent of TRTSERVE_ISA).
const CpuFeatures& DetectedCpuFeatures();
// Best ISA the hardware and OS support.
Isa HardwareIsa();
// The ISA kernels should use: HardwareIsa() capped by TRTSERVE_ISA.
Isa ActiveIsa();
std::string_view IsaName(Isa isa);
bool ParseIsa(std::string_view name, Isa* out);

}  // namespace trt
