// Row microkernels of the fast float32 Softmax and LayerNormalization (norm/softmax_f32.cc,
// norm/layer_norm_f32.cc): one contiguous row at a time, one variant per ISA level.
//
// Contracts (x, y: n floats, contiguous; y may equal x; n >= 1):
// - softmax(x, y, n): y = exp(x - max(x)) / sum(exp(x - max(x))). Three passes over the row:
//   the max, then exp(x - max) stored to y and summed, then y *= 1 / sum. Float sums in
//   2 x lanes partial accumulators. Special rows follow the reference's arithmetic: a NaN
//   or +inf anywhere, or a row of only -inf, gives a row of NaN; -inf entries give 0.
// - layer_norm(x, scale, bias, epsilon, y, n, &mean, &inv_std): mean = sum(x) / n,
//   var = sum((x - mean)^2) / n (two passes, float partial sums), inv_std =
//   1 / sqrt(var + epsilon), y = (x - mean) * inv_std * scale + bias (bias may be null).
//   scale and bias hold n floats.
// Both read and write exactly the row (masked tails, no over-read). Accuracy against the
// double-precision reference kernels: see the kernels' headers (norm/norm_f32.h).
// Names follow <dtype>_<op>__<isa>: "f32_softmax__avx512", "f32_layernorm__avx2".
#pragma once

#include <cstdint>
#include <span>

#include "engine/base/cpu_features.h"

namespace trt::kernels::norm {

struct F32NormRows {
  Isa isa;  // lowest ISA level that can run the variant
  const char* softmax_name;
  const char* layer_norm_name;
  void (*softmax)(const float* x, float* y, int64_t n);
  void (*layer_norm)(const float* x, const float* scale, const float* bias, float epsilon, float* y,
                     int64_t n, float* mean, float* inv_std);
};

// Every variant compiled in, lowest ISA first.
std::span<const F32NormRows> F32NormRowsVariants();
// The best variant runnable at `isa`; nullptr for Isa::kGeneric (reference kernels only).
const F32NormRows* SelectF32NormRows(Isa isa);

}  // namespace trt::kernels::norm
