#include "engine/base/cpu_features.h"

#include <cpuid.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/base/logging.h"

namespace trt {
namespace {

uint64_t ReadXcr0() {
  uint32_t eax, edx;
  // xgetbv with ecx=0; encoded as bytes so baseline builds need no -mxsave.
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

CpuFeatures Detect() {
  CpuFeatures f;
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = (ecx >> 27) & 1;
  f.avx = (ecx >> 28) & 1;
  f.fma = (ecx >> 12) & 1;
  f.f16c = (ecx >> 29) & 1;
  if (osxsave) {
    const uint64_t xcr0 = ReadXcr0();
    f.os_saves_ymm = (xcr0 & 0x6) == 0x6;
    f.os_saves_zmm = (xcr0 & 0xe6) == 0xe6;
  }
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
    f.avx2 = (ebx >> 5) & 1;
    f.avx512f = (ebx >> 16) & 1;
    f.avx512dq = (ebx >> 17) & 1;
    f.avx512bw = (ebx >> 30) & 1;
    f.avx512vl = (ebx >> 31) & 1;
    f.avx512_vnni = (ecx >> 11) & 1;
  }
  if (__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) f.avx_vnni = (eax >> 4) & 1;
  return f;
}

Isa ComputeActiveIsa() {
  Isa hw = HardwareIsa();
  const char* env = std::getenv("TRTSERVE_ISA");
  if (env == nullptr || *env == '\0') return hw;
  Isa wanted;
  if (!ParseIsa(env, &wanted)) {
    TRT_LOG_WARN("TRTSERVE_ISA='{}' is not one of generic|avx2|avx512; using {}", env, IsaName(hw));
    return hw;
  }
  if (static_cast<int>(wanted) > static_cast<int>(hw)) {
    TRT_LOG_WARN("TRTSERVE_ISA={} requested but this CPU/OS supports only {}; using {}", env,
                 IsaName(hw), IsaName(hw));
    return hw;
  }
  return wanted;
}

}  // namespace

const CpuFeatures& DetectedCpuFeatures() {
  static const CpuFeatures f = Detect();
  return f;
}

Isa HardwareIsa() {
  const CpuFeatures& f = DetectedCpuFeatures();
  if (!(f.avx && f.avx2 && f.fma && f.f16c && f.os_saves_ymm)) return Isa::kGeneric;
  if (f.avx512f && f.avx512bw && f.avx512dq && f.avx512vl && f.os_saves_zmm) return Isa::kAvx512;
  return Isa::kAvx2;
}

Isa ActiveIsa() {
  static const Isa isa = ComputeActiveIsa();
  return isa;
}

std::string_view IsaName(Isa isa) {
  switch (isa) {
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
    default:
      return "generic";
  }
}

bool ParseIsa(std::string_view name, Isa* out) {
  if (name == "generic") {
    *out = Isa::kGeneric;
    return true;
  }
  if (name == "avx2") {
    *out = Isa::kAvx2;
    return true;
  }
  if (name == "avx512") {
    *out = Isa::kAvx512;
    return true;
  }
  return false;
}

}  // namespace trt
