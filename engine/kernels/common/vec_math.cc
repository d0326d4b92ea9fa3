// The table of vector math variants (see vec_math.h).
#include "engine/kernels/common/vec_math.h"

#include <array>

#include "engine/kernels/common/isa_variants.h"

namespace trt::kernels::vecmath {

// Defined in f32_vec_math__avx2.cc / f32_vec_math__avx512.cc.
extern const F32VecMath kF32VecMathAvx2;
extern const F32VecMath kF32VecMathAvx512;

std::span<const F32VecMath> F32VecMathVariants() {
  static const std::array<F32VecMath, 2> variants = {kF32VecMathAvx2,
                                                     kF32VecMathAvx512};  // lowest ISA first
  return variants;
}

const F32VecMath* SelectF32VecMath(Isa isa) { return SelectIsaVariant(F32VecMathVariants(), isa); }

}  // namespace trt::kernels::vecmath
