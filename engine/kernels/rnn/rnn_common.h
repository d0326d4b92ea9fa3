// Shared driver of the recurrent ops (RNN, GRU, LSTM): attribute parsing (direction,
// hidden_size, activation lists, clip, layout), input validation, conversion to a canonical
// double-precision problem, the direction / batch / time loop with sequence_lens masking,
// and writing Y / Y_h / Y_c back in the requested layout and dtype.
//
// A cell (RnnCell) only implements one time step for one batch row; everything else lives
// here, so the three ops share one tested loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/kernels/kernel.h"

namespace trt::kernels::rnn {

// One activation function of the ONNX RNN activation list, with its alpha/beta.
struct Activation {
  enum class Kind {
    kSigmoid,
    kTanh,
    kRelu,
    kAffine,
    kLeakyRelu,
    kThresholdedRelu,
    kScaledTanh,
    kHardSigmoid,
    kElu,
    kSoftsign,
    kSoftplus
  };
  Kind kind = Kind::kSigmoid;
  double alpha = 0;
  double beta = 0;
  double operator()(double x) const;
};

// Attributes common to RNN, GRU and LSTM, validated at load time.
struct RnnAttrs {
  int64_t hidden_size = 0;
  int num_directions = 1;
  bool reverse = false;  // direction == "reverse" (only meaningful with 1 direction)
  bool has_clip = false;
  double clip = 0;
  int layout = 0;              // opset 14+: 1 = batch-major X/Y/states
  int acts_per_direction = 0;  // 1 (RNN), 2 (GRU), 3 (LSTM)
  // acts_per_direction * num_directions activations, direction-major.
  std::vector<Activation> activations;

  const Activation* ActsOf(int direction) const {
    return activations.data() + direction * acts_per_direction;
  }
  double Clip(double x) const {
    if (!has_clip) return x;
    return x < -clip ? -clip : (x > clip ? clip : x);
  }
};

// Parses the common attributes. `default_acts` are the spec defaults for one direction.
StatusOr<RnnAttrs> ParseRnnAttrs(const KernelInfo& info,
                                 const std::vector<std::string>& default_acts);

// The whole op in canonical layout and double precision.
struct RnnProblem {
  int64_t seq_length = 0, batch = 0, input_size = 0, hidden = 0;
  int num_directions = 1;
  int num_gates = 1;
  std::vector<double> x;      // [seq, batch, input]
  std::vector<double> w;      // [dirs, gates*hidden, input]
  std::vector<double> r;      // [dirs, gates*hidden, hidden]
  std::vector<double> b;      // [dirs, 2*gates*hidden] (zeros when B is absent)
  std::vector<double> h0;     // [dirs, batch, hidden]
  std::vector<double> c0;     // [dirs, batch, hidden] (LSTM only)
  std::vector<double> p;      // [dirs, 3*hidden] (LSTM peepholes; zeros when absent)
  std::vector<int64_t> lens;  // [batch]

  const double* W(int d) const { return w.data() + d * num_gates * hidden * input_size; }
  const double* R(int d) const { return r.data() + d * num_gates * hidden * hidden; }
  const double* Wb(int d) const { return b.data() + d * 2 * num_gates * hidden; }
  const double* Rb(int d) const { return Wb(d) + num_gates * hidden; }
  const double* P(int d) const { return p.data() + d * 3 * hidden; }
};

// y[i] += sum_k m[i * cols + k] * v[k] for i in [0, rows).
void MatVecAdd(const double* m, const double* v, int64_t rows, int64_t cols, double* y);

// One recurrent cell. Step advances one batch row by one time step: reads x_t (input_size)
// and the state h (hidden) / c (hidden, LSTM only) and overwrites them with the new state.
// `scratch` has room for 4 * num_gates * hidden doubles.
class RnnCell {
 public:
  virtual ~RnnCell() = default;
  virtual int num_gates() const = 0;
  virtual bool has_cell_state() const { return false; }
  virtual void Step(const RnnProblem& p, const RnnAttrs& a, int direction, const double* x_t,
                    double* h, double* c, double* scratch) const = 0;
};

// Runs the op: inputs X, W, R, [B], [sequence_lens], [initial_h], (LSTM: [initial_c], [P]);
// outputs [Y], [Y_h], (LSTM: [Y_c]).
Status RunRecurrent(KernelContext& ctx, const RnnAttrs& attrs, const RnnCell& cell);

}  // namespace trt::kernels::rnn
