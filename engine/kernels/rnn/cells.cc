// The RNN, GRU and LSTM ops (ai.onnx opset 7+, layout attribute from 14): one cell per op
// implementing a single time step; the shared driver in rnn_common.cc does the rest.
#include <memory>

#include "engine/kernels/rnn/rnn_common.h"

namespace trt::kernels {
namespace {

using rnn::RnnAttrs;
using rnn::RnnProblem;

// Input part of all gate pre-activations for one step: g = W x_t + Wb.
void InputProjection(const RnnProblem& p, int d, const double* x_t, double* g) {
  const int64_t gh = p.num_gates * p.hidden;
  std::copy_n(p.Wb(d), gh, g);
  rnn::MatVecAdd(p.W(d), x_t, gh, p.input_size, g);
}

// Ht = f(W x + R h + Wb + Rb).
class RnnCellImpl final : public rnn::RnnCell {
 public:
  int num_gates() const override { return 1; }
  void Step(const RnnProblem& p, const RnnAttrs& a, int d, const double* x_t, double* h, double*,
            double* g) const override {
    const int64_t H = p.hidden;
    InputProjection(p, d, x_t, g);
    rnn::MatVecAdd(p.R(d), h, H, H, g);
    const rnn::Activation& f = a.ActsOf(d)[0];
    for (int64_t i = 0; i < H; ++i) h[i] = f(a.Clip(g[i] + p.Rb(d)[i]));
  }
};

// Gates z, r, h (in that order in W/R/B):
//   z = f(W_z x + R_z h + b), r = f(W_r x + R_r h + b)
//   n = g(W_h x + R_h (r . h) + Rb_h + Wb_h)            linear_before_reset = 0
//   n = g(W_h x + r . (R_h h + Rb_h) + Wb_h)            linear_before_reset != 0
//   h' = (1 - z) . n + z . h
class GruCell final : public rnn::RnnCell {
 public:
  explicit GruCell(bool linear_before_reset) : linear_before_reset_(linear_before_reset) {}
  int num_gates() const override { return 3; }
  void Step(const RnnProblem& p, const RnnAttrs& a, int d, const double* x_t, double* h, double*,
            double* scratch) const override {
    const int64_t H = p.hidden;
    double* g = scratch;            // [3H] input projections + Wb
    double* rec = scratch + 3 * H;  // [3H] recurrent projections + Rb
    double* tmp = scratch + 6 * H;  // [H] r . h
    InputProjection(p, d, x_t, g);
    const double* R = p.R(d);
    const double* Rb = p.Rb(d);
    std::copy_n(Rb, 3 * H, rec);
    rnn::MatVecAdd(R, h, 2 * H, H, rec);  // z and r rows
    const rnn::Activation& f = a.ActsOf(d)[0];
    const rnn::Activation& gact = a.ActsOf(d)[1];
    double* z = g;
    double* r = g + H;
    for (int64_t i = 0; i < 2 * H; ++i) g[i] = f(a.Clip(g[i] + rec[i]));
    if (linear_before_reset_) {
      rnn::MatVecAdd(R + 2 * H * H, h, H, H, rec + 2 * H);
      for (int64_t i = 0; i < H; ++i) tmp[i] = r[i] * rec[2 * H + i];
    } else {
      for (int64_t i = 0; i < H; ++i) tmp[i] = r[i] * h[i];
      double* n = rec + 2 * H;  // = Rb_h; add R_h (r . h)
      rnn::MatVecAdd(R + 2 * H * H, tmp, H, H, n);
      std::copy_n(n, H, tmp);
    }
    for (int64_t i = 0; i < H; ++i) {
      const double n = gact(a.Clip(g[2 * H + i] + tmp[i]));
      h[i] = (1.0 - z[i]) * n + z[i] * h[i];
    }
  }

 private:
  bool linear_before_reset_;
};

// Gates i, o, f, c (in that order in W/R/B), peepholes P = [p_i, p_o, p_f]:
//   i = f(Wi x + Ri h + p_i . c + b), f = f(Wf x + Rf h + p_f . c + b) (1 - i if coupled)
//   c' = f . c + i . g(Wc x + Rc h + b)
//   o = f(Wo x + Ro h + p_o . c' + b),  h' = o . h(c')
class LstmCell final : public rnn::RnnCell {
 public:
  explicit LstmCell(bool input_forget) : input_forget_(input_forget) {}
  int num_gates() const override { return 4; }
  bool has_cell_state() const override { return true; }
  void Step(const RnnProblem& p, const RnnAttrs& a, int d, const double* x_t, double* h, double* c,
            double* g) const override {
    const int64_t H = p.hidden;
    InputProjection(p, d, x_t, g);
    rnn::MatVecAdd(p.R(d), h, 4 * H, H, g);
    const double* Rb = p.Rb(d);
    for (int64_t i = 0; i < 4 * H; ++i) g[i] += Rb[i];
    const double* pi = p.P(d);
    const double* po = pi + H;
    const double* pf = pi + 2 * H;
    const rnn::Activation* acts = a.ActsOf(d);
    for (int64_t k = 0; k < H; ++k) {
      const double in = acts[0](a.Clip(g[k] + pi[k] * c[k]));
      const double forget = input_forget_ ? 1.0 - in : acts[0](a.Clip(g[2 * H + k] + pf[k] * c[k]));
      const double cand = acts[1](a.Clip(g[3 * H + k]));
      c[k] = forget * c[k] + in * cand;
      const double out = acts[0](a.Clip(g[H + k] + po[k] * c[k]));
      h[k] = out * acts[2](c[k]);
    }
  }

 private:
  bool input_forget_;
};

class RecurrentKernel final : public Kernel {
 public:
  RecurrentKernel(RnnAttrs attrs, std::unique_ptr<rnn::RnnCell> cell)
      : attrs_(std::move(attrs)), cell_(std::move(cell)) {}
  Status Compute(KernelContext& ctx) const override {
    return rnn::RunRecurrent(ctx, attrs_, *cell_);
  }

 private:
  RnnAttrs attrs_;
  std::unique_ptr<rnn::RnnCell> cell_;
};

}  // namespace

StatusOr<KernelPtr> CreateRnn(const KernelInfo& info) {
  TRT_ASSIGN_OR_RETURN(RnnAttrs attrs, rnn::ParseRnnAttrs(info, {"Tanh"}));
  return MakeKernel<RecurrentKernel>(std::move(attrs), std::make_unique<RnnCellImpl>());
}

StatusOr<KernelPtr> CreateGru(const KernelInfo& info) {
  TRT_ASSIGN_OR_RETURN(RnnAttrs attrs, rnn::ParseRnnAttrs(info, {"Sigmoid", "Tanh"}));
  const bool lbr = info.GetInt("linear_before_reset", 0) != 0;
  return MakeKernel<RecurrentKernel>(std::move(attrs), std::make_unique<GruCell>(lbr));
}

StatusOr<KernelPtr> CreateLstm(const KernelInfo& info) {
  TRT_ASSIGN_OR_RETURN(RnnAttrs attrs, rnn::ParseRnnAttrs(info, {"Sigmoid", "Tanh", "Tanh"}));
  const bool input_forget = info.GetInt("input_forget", 0) != 0;
  return MakeKernel<RecurrentKernel>(std::move(attrs), std::make_unique<LstmCell>(input_forget));
}

}  // namespace trt::kernels
