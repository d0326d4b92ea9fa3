// The table of Softmax / LayerNormalization row microkernels (see f32_norm_rows.h).
#include "engine/kernels/norm/f32_norm_rows.h"

#include <array>

#include "engine/kernels/common/isa_variants.h"

namespace trt::kernels::norm {

// Defined in f32_norm_rows__avx2.cc / f32_norm_rows__avx512.cc.
extern const F32NormRows kF32NormRowsAvx2;
extern const F32NormRows kF32NormRowsAvx512;

std::span<const F32NormRows> F32NormRowsVariants() {
  static const std::array<F32NormRows, 2> variants = {kF32NormRowsAvx2,
                                                      kF32NormRowsAvx512};  // lowest ISA first
  return variants;
}

const F32NormRows* SelectF32NormRows(Isa isa) {
  return SelectIsaVariant(F32NormRowsVariants(), isa);
}

}  // namespace trt::kernels::norm
