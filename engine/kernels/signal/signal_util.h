// Small helpers of the signal family: reading integer scalars, converting tensors to and
// from double (all signal kernels compute in double; see common/double_convert.h), and a naive
// complex DFT.
#pragma once

#include <complex>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/kernels/common/double_convert.h"
#include "engine/kernels/kernel.h"

namespace trt::kernels::signal {

// Reads a one-element int32/int64 tensor; `what` names it in errors.
StatusOr<int64_t> ReadIntScalar(const KernelContext& ctx, const Tensor* t, const std::string& what);
// Reads a one-element floating-point or integer tensor as double.
StatusOr<double> ReadRealScalar(const KernelContext& ctx, const Tensor* t, const std::string& what);

// out[k] = sum_j in[j] * exp(sign * 2*pi*i * j*k / n) for k in [0, out.size()), n = in.size().
// Angles are reduced exactly (j*k mod n) before calling cos/sin.
void NaiveDft(const std::vector<std::complex<double>>& in, int sign,
              std::vector<std::complex<double>>* out);

// Validates an output_datatype attribute value (a numeric ONNX dtype).
Status CheckOutputDType(const KernelInfo& info, int64_t value, DType* out);

}  // namespace trt::kernels::signal
