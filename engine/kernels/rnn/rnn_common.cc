// The shared recurrent-op driver: activation table, attribute parsing, validation and the
// direction / batch / time loop used by RNN, GRU and LSTM (see rnn_common.h).
#include "engine/kernels/rnn/rnn_common.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "engine/kernels/common/double_convert.h"

namespace trt::kernels::rnn {
namespace {

struct ActivationSpec {
  const char* name;
  Activation::Kind kind;
  bool uses_alpha, uses_beta;
  double default_alpha, default_beta;  // the defaults of the matching ONNX operator
};

constexpr ActivationSpec kActivations[] = {
    {"sigmoid", Activation::Kind::kSigmoid, false, false, 0, 0},
    {"tanh", Activation::Kind::kTanh, false, false, 0, 0},
    {"relu", Activation::Kind::kRelu, false, false, 0, 0},
    {"affine", Activation::Kind::kAffine, true, true, 1.0, 0.0},
    {"leakyrelu", Activation::Kind::kLeakyRelu, true, false, 0.01, 0},
    {"thresholdedrelu", Activation::Kind::kThresholdedRelu, true, false, 1.0, 0},
    {"scaledtanh", Activation::Kind::kScaledTanh, true, true, 1.0, 1.0},
    {"hardsigmoid", Activation::Kind::kHardSigmoid, true, true, 0.2, 0.5},
    {"elu", Activation::Kind::kElu, true, false, 1.0, 0},
    {"softsign", Activation::Kind::kSoftsign, false, false, 0, 0},
    {"softplus", Activation::Kind::kSoftplus, false, false, 0, 0},
};

std::string Lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// Checks that input `index` has exactly `expected` dims; `what` describes them.
Status CheckShape(const KernelContext& ctx, const Tensor& t, int index, const char* name,
                  const Shape& expected, const std::string& what) {
  if (t.shape() == expected) return Status::Ok();
  return ctx.Invalid("input " + std::to_string(index) + " (" + name + ") has shape " +
                     t.shape().ToString() + ", expected " + what);
}

// Swaps the first two axes of a rank-3 [a, b, c] buffer, giving [b, a, c].
std::vector<double> SwapFirstAxes(const std::vector<double>& v, int64_t a, int64_t b, int64_t c) {
  std::vector<double> out(v.size());
  for (int64_t i = 0; i < a; ++i) {
    for (int64_t j = 0; j < b; ++j) {
      std::copy_n(v.data() + (i * b + j) * c, c, out.data() + (j * a + i) * c);
    }
  }
  return out;
}

}  // namespace

double Activation::operator()(double x) const {
  switch (kind) {
    case Kind::kSigmoid:
      return 1.0 / (1.0 + std::exp(-x));
    case Kind::kTanh:
      return std::tanh(x);
    case Kind::kRelu:
      return x > 0 ? x : 0.0;
    case Kind::kAffine:
      return alpha * x + beta;
    case Kind::kLeakyRelu:
      return x >= 0 ? x : alpha * x;
    case Kind::kThresholdedRelu:
      return x > alpha ? x : 0.0;
    case Kind::kScaledTanh:
      return alpha * std::tanh(beta * x);
    case Kind::kHardSigmoid:
      return std::max(0.0, std::min(1.0, alpha * x + beta));
    case Kind::kElu:
      return x >= 0 ? x : alpha * (std::exp(x) - 1.0);
    case Kind::kSoftsign:
      return x / (1.0 + std::fabs(x));
    case Kind::kSoftplus:
      return std::log1p(std::exp(-std::fabs(x))) + std::max(x, 0.0);
  }
  return x;
}

void MatVecAdd(const double* m, const double* v, int64_t rows, int64_t cols, double* y) {
  for (int64_t i = 0; i < rows; ++i) {
    double acc = 0;
    for (int64_t k = 0; k < cols; ++k) acc += m[i * cols + k] * v[k];
    y[i] += acc;
  }
}

StatusOr<RnnAttrs> ParseRnnAttrs(const KernelInfo& info,
                                 const std::vector<std::string>& default_acts) {
  RnnAttrs a;
  a.hidden_size = info.GetInt("hidden_size", 0);
  if (!info.HasAttr("hidden_size") || a.hidden_size <= 0) {
    return info.Invalid("attribute hidden_size is required and must be > 0, got " +
                        std::to_string(a.hidden_size));
  }
  const std::string direction = info.GetString("direction", "forward");
  if (direction == "forward" || direction == "reverse") {
    a.num_directions = 1;
    a.reverse = direction == "reverse";
  } else if (direction == "bidirectional") {
    a.num_directions = 2;
  } else {
    return info.Invalid("attribute direction is '" + direction +
                        "', expected 'forward', 'reverse' or 'bidirectional'");
  }
  if (info.HasAttr("clip")) {
    a.has_clip = true;
    a.clip = info.GetFloat("clip", 0);
    if (!(a.clip > 0)) {
      return info.Invalid("attribute clip must be > 0, got " + std::to_string(a.clip));
    }
  }
  if (info.opset() >= 14) a.layout = static_cast<int>(info.GetInt("layout", 0));
  if (a.layout != 0 && a.layout != 1) {
    return info.Invalid("attribute layout must be 0 or 1, got " + std::to_string(a.layout));
  }
  a.acts_per_direction = static_cast<int>(default_acts.size());
  std::vector<std::string> names = info.GetStrings("activations");
  const size_t per_dir = default_acts.size();
  if (names.empty()) {
    for (int d = 0; d < a.num_directions; ++d)
      names.insert(names.end(), default_acts.begin(), default_acts.end());
  } else if (names.size() == per_dir && a.num_directions == 2) {
    // Only the forward list given: use it for both directions.
    std::vector<std::string> both = names;
    both.insert(both.end(), names.begin(), names.end());
    names = both;
  } else if (names.size() != per_dir * a.num_directions) {
    return info.Invalid("attribute activations has " + std::to_string(names.size()) +
                        " entries, expected " + std::to_string(per_dir) + " per direction x " +
                        std::to_string(a.num_directions) + " directions");
  }
  const std::vector<float> alphas = info.GetFloats("activation_alpha");
  const std::vector<float> betas = info.GetFloats("activation_beta");
  size_t next_alpha = 0, next_beta = 0;
  for (const std::string& name : names) {
    const std::string lower = Lower(name);
    const ActivationSpec* spec = nullptr;
    for (const auto& s : kActivations) {
      if (lower == s.name) spec = &s;
    }
    if (!spec) {
      return info.Invalid("unknown activation '" + name +
                          "'; supported: Sigmoid, Tanh, Relu, Affine, LeakyRelu, "
                          "ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus");
    }
    Activation act;
    act.kind = spec->kind;
    act.alpha = spec->default_alpha;
    act.beta = spec->default_beta;
    // activation_alpha / activation_beta list values in order for the activations that
    // take them.
    if (spec->uses_alpha && next_alpha < alphas.size()) act.alpha = alphas[next_alpha++];
    if (spec->uses_beta && next_beta < betas.size()) act.beta = betas[next_beta++];
    a.activations.push_back(act);
  }
  return a;
}

Status RunRecurrent(KernelContext& ctx, const RnnAttrs& attrs, const RnnCell& cell) {
  const bool lstm = cell.has_cell_state();
  const Tensor* x = ctx.Input(0);
  const Tensor* w = ctx.Input(1);
  const Tensor* r = ctx.Input(2);
  if (!x || !w || !r) return ctx.Invalid("inputs X, W and R are required");
  if (x->rank() != 3) {
    return ctx.Invalid(
        "input 0 (X) has shape " + x->shape().ToString() + ", expected rank 3 " +
        (attrs.layout ? "[batch, seq_length, input_size]" : "[seq_length, batch, input_size]"));
  }
  RnnProblem p;
  p.num_gates = cell.num_gates();
  p.num_directions = attrs.num_directions;
  p.seq_length = attrs.layout ? x->shape()[1] : x->shape()[0];
  p.batch = attrs.layout ? x->shape()[0] : x->shape()[1];
  p.input_size = x->shape()[2];
  p.hidden = attrs.hidden_size;
  const int64_t dirs = p.num_directions, gh = p.num_gates * p.hidden, hid = p.hidden;
  const std::string g = std::to_string(p.num_gates);
  const std::string dirs_s = "num_directions=" + std::to_string(dirs);
  const std::string gh_s = g + "*hidden_size=" + std::to_string(gh);
  for (int i = 1; i < ctx.num_inputs(); ++i) {
    const Tensor* t = ctx.Input(i);
    if (t && t->dtype() != x->dtype() && i != 4) {
      return ctx.Invalid("input " + std::to_string(i) + " has dtype " +
                         std::string(DTypeName(t->dtype())) + ", expected " +
                         std::string(DTypeName(x->dtype())) + " like X");
    }
  }
  TRT_RETURN_IF_ERROR(CheckShape(
      ctx, *w, 1, "W", Shape{dirs, gh, p.input_size},
      "[" + dirs_s + ", " + gh_s + ", input_size=" + std::to_string(p.input_size) + "]"));
  TRT_RETURN_IF_ERROR(
      CheckShape(ctx, *r, 2, "R", Shape{dirs, gh, hid},
                 "[" + dirs_s + ", " + gh_s + ", hidden_size=" + std::to_string(hid) + "]"));
  p.x = ToDoubles(*x);
  if (attrs.layout) p.x = SwapFirstAxes(p.x, p.batch, p.seq_length, p.input_size);
  p.w = ToDoubles(*w);
  p.r = ToDoubles(*r);
  if (const Tensor* b = ctx.Input(3)) {
    TRT_RETURN_IF_ERROR(
        CheckShape(ctx, *b, 3, "B", Shape{dirs, 2 * gh}, "[" + dirs_s + ", 2*" + gh_s + "]"));
    p.b = ToDoubles(*b);
  } else {
    p.b.assign(dirs * 2 * gh, 0.0);
  }
  p.lens.assign(p.batch, p.seq_length);
  if (const Tensor* lens = ctx.Input(4)) {
    if (lens->dtype() != DType::kInt32 && lens->dtype() != DType::kInt64) {
      return ctx.Invalid("input 4 (sequence_lens) has dtype " +
                         std::string(DTypeName(lens->dtype())) + ", expected int32 or int64");
    }
    TRT_RETURN_IF_ERROR(CheckShape(ctx, *lens, 4, "sequence_lens", Shape{p.batch},
                                   "[batch_size=" + std::to_string(p.batch) + "]"));
    for (int64_t i = 0; i < p.batch; ++i) {
      p.lens[i] = lens->GetAsInt64(i);
      if (p.lens[i] < 0 || p.lens[i] > p.seq_length) {
        return ctx.Invalid("sequence_lens[" + std::to_string(i) +
                           "] = " + std::to_string(p.lens[i]) +
                           " is outside [0, seq_length=" + std::to_string(p.seq_length) + "]");
      }
    }
  }
  // Initial states: [dirs, batch, hidden] (layout 0) or [batch, dirs, hidden] (layout 1).
  const Shape state_shape = attrs.layout ? Shape{p.batch, dirs, hid} : Shape{dirs, p.batch, hid};
  const std::string state_what = attrs.layout
                                     ? "[batch_size=" + std::to_string(p.batch) + ", " + dirs_s +
                                           ", hidden_size=" + std::to_string(hid) + "]"
                                     : "[" + dirs_s + ", batch_size=" + std::to_string(p.batch) +
                                           ", hidden_size=" + std::to_string(hid) + "]";
  auto load_state = [&](int index, const char* name, std::vector<double>* out) -> Status {
    const Tensor* t = ctx.Input(index);
    if (!t) {
      out->assign(dirs * p.batch * hid, 0.0);
      return Status::Ok();
    }
    TRT_RETURN_IF_ERROR(CheckShape(ctx, *t, index, name, state_shape, state_what));
    *out = ToDoubles(*t);
    if (attrs.layout) *out = SwapFirstAxes(*out, p.batch, dirs, hid);
    return Status::Ok();
  };
  TRT_RETURN_IF_ERROR(load_state(5, "initial_h", &p.h0));
  if (lstm) {
    TRT_RETURN_IF_ERROR(load_state(6, "initial_c", &p.c0));
    if (const Tensor* peep = ctx.Input(7)) {
      TRT_RETURN_IF_ERROR(
          CheckShape(ctx, *peep, 7, "P", Shape{dirs, 3 * hid},
                     "[" + dirs_s + ", 3*hidden_size=" + std::to_string(3 * hid) + "]"));
      p.p = ToDoubles(*peep);
    } else {
      p.p.assign(dirs * 3 * hid, 0.0);
    }
  }

  // The loop. Batch rows are independent, so each row runs its own time loop: the forward
  // direction visits t = 0 .. len-1 and the reverse one t = len-1 .. 0. Y stays zero for
  // t >= len; Y_h / Y_c hold the state after the row's last step (zero when len == 0).
  std::vector<double> y(p.seq_length * dirs * p.batch * hid, 0.0);
  std::vector<double> yh(dirs * p.batch * hid, 0.0), yc(dirs * p.batch * hid, 0.0);
  std::vector<double> h(hid), c(hid), scratch(4 * gh);
  for (int d = 0; d < dirs; ++d) {
    const bool backward = (dirs == 2) ? d == 1 : attrs.reverse;
    for (int64_t b = 0; b < p.batch; ++b) {
      const int64_t len = p.lens[b];
      const int64_t state_off = (d * p.batch + b) * hid;
      std::copy_n(p.h0.data() + state_off, hid, h.data());
      if (lstm) std::copy_n(p.c0.data() + state_off, hid, c.data());
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = backward ? len - 1 - s : s;
        const double* x_t = p.x.data() + (t * p.batch + b) * p.input_size;
        cell.Step(p, attrs, d, x_t, h.data(), c.data(), scratch.data());
        std::copy_n(h.data(), hid, y.data() + ((t * dirs + d) * p.batch + b) * hid);
      }
      if (len > 0) {
        std::copy_n(h.data(), hid, yh.data() + state_off);
        if (lstm) std::copy_n(c.data(), hid, yc.data() + state_off);
      }
    }
  }

  const DType dt = x->dtype();
  if (ctx.OutputRequested(0)) {
    Shape ys = attrs.layout ? Shape{p.batch, p.seq_length, dirs, hid}
                            : Shape{p.seq_length, dirs, p.batch, hid};
    if (attrs.layout) {  // [seq, dirs, batch, h] -> [batch, seq, dirs, h]
      std::vector<double> t(y.size());
      for (int64_t s = 0; s < p.seq_length; ++s)
        for (int64_t d = 0; d < dirs; ++d)
          for (int64_t b = 0; b < p.batch; ++b)
            std::copy_n(y.data() + ((s * dirs + d) * p.batch + b) * hid, hid,
                        t.data() + ((b * p.seq_length + s) * dirs + d) * hid);
      y = std::move(t);
    }
    TRT_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dt, ys));
    StoreDoubles(y, out);
  }
  auto write_state = [&](int index, std::vector<double>& v) -> Status {
    if (!ctx.OutputRequested(index)) return Status::Ok();
    if (attrs.layout) v = SwapFirstAxes(v, dirs, p.batch, hid);
    TRT_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(index, dt, state_shape));
    StoreDoubles(v, out);
    return Status::Ok();
  };
  TRT_RETURN_IF_ERROR(write_state(1, yh));
  if (lstm) TRT_RETURN_IF_ERROR(write_state(2, yc));
  return Status::Ok();
}

}  // namespace trt::kernels::rnn
