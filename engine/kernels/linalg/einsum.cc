// Einsum reference kernel (ai.onnx opsets 12+). The equation is parsed once at load time;
// Compute binds every label (letters, plus one pseudo label per ellipsis dim) to a size and
// enumerates the full index space: output labels outside, summed labels inside. Repeated
// labels in one operand address its diagonal; ellipsis dims broadcast across operands.
#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "engine/kernels/kernel.h"
#include "engine/kernels/linalg/matmul_ref.h"

namespace trt::kernels {
namespace {

constexpr int kEllipsis = -1;  // term entry standing for "..."

// A term is a list of letter ids (0..51) or kEllipsis.
using Term = std::vector<int>;

int LetterId(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return 26 + (c - 'a');
  return -2;
}

Status ParseTerm(const std::string& s, Term* term) {
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ') continue;
    if (c == '.') {
      if (s.compare(i, 3, "...") != 0)
        return InvalidArgument("'.' not part of '...' in '" + s + "'");
      if (std::count(term->begin(), term->end(), kEllipsis) > 0) {
        return InvalidArgument("more than one '...' in term '" + s + "'");
      }
      term->push_back(kEllipsis);
      i += 2;
      continue;
    }
    const int id = LetterId(c);
    if (id < 0) return InvalidArgument(std::string("invalid character '") + c + "' in equation");
    term->push_back(id);
  }
  return Status::Ok();
}

class EinsumKernel final : public Kernel {
 public:
  EinsumKernel(std::vector<Term> inputs, Term output)
      : inputs_(std::move(inputs)), output_(std::move(output)) {}

  Status Compute(KernelContext& ctx) const override {
    const int n_in = static_cast<int>(inputs_.size());
    if (ctx.num_inputs() != n_in) {
      return ctx.Invalid("equation has " + std::to_string(n_in) + " operands but the node has " +
                         std::to_string(ctx.num_inputs()) + " inputs");
    }
    std::vector<const Tensor*> ins(n_in);
    for (int i = 0; i < n_in; ++i) {
      ins[i] = ctx.Input(i);
      if (!ins[i]) return ctx.Invalid("input " + std::to_string(i) + " is missing");
      if (ins[i]->dtype() != ins[0]->dtype()) {
        return ctx.Invalid("all inputs must share one dtype, got " + ins[0]->Description() +
                           " and " + ins[i]->Description());
      }
    }
    const DType dtype = ins[0]->dtype();
    if (dtype == DType::kBool || !IsSupportedDType(dtype)) {
      return ctx.Unsupported("dtype " + std::string(DTypeName(dtype)) + " is not supported");
    }
    // Label ids: 0..51 letters, 52.. ellipsis dims (52 + position from the right - 1).
    // Bind sizes; the ellipsis rank is the max over operands, broadcasting right-aligned.
    constexpr int kLetters = 52;
    int ell_rank = 0;
    std::vector<int> op_ell_rank(n_in, 0);
    for (int i = 0; i < n_in; ++i) {
      const Term& t = inputs_[i];
      const bool has_ell = std::count(t.begin(), t.end(), kEllipsis) > 0;
      const int letters = static_cast<int>(t.size()) - (has_ell ? 1 : 0);
      const int r = ins[i]->rank();
      if (has_ell ? r < letters : r != letters) {
        return ctx.Invalid("input " + std::to_string(i) + " has shape " +
                           ins[i]->shape().ToString() + ", expected rank " +
                           (has_ell ? ">= " : "") + std::to_string(letters) + " for its term");
      }
      op_ell_rank[i] = has_ell ? r - letters : 0;
      ell_rank = std::max(ell_rank, op_ell_rank[i]);
    }
    const int n_labels = kLetters + ell_rank;
    std::vector<int64_t> size(n_labels, -1);
    // strides[i][label]: element stride of input i along a label (summed when repeated).
    std::vector<std::vector<int64_t>> strides(n_in, std::vector<int64_t>(n_labels, 0));
    for (int i = 0; i < n_in; ++i) {
      const Shape& s = ins[i]->shape();
      const std::vector<int64_t> st = s.Strides();
      int dim = 0;
      for (int id : inputs_[i]) {
        if (id == kEllipsis) {
          for (int e = 0; e < op_ell_rank[i]; ++e, ++dim) {
            const int label = kLetters + (ell_rank - op_ell_rank[i]) + e;
            if (s[dim] == 1) continue;  // broadcast: stride stays 0
            if (size[label] > 1 && size[label] != s[dim]) {
              return ctx.Invalid("ellipsis dims do not broadcast: input " + std::to_string(i) +
                                 " has shape " + s.ToString());
            }
            size[label] = s[dim];
            strides[i][label] += st[dim];
          }
          continue;
        }
        if (size[id] >= 0 && size[id] != s[dim]) {
          return ctx.Invalid("label '" + LabelName(id) + "' has size " + std::to_string(size[id]) +
                             " elsewhere but input " + std::to_string(i) + " has shape " +
                             s.ToString() + " (dim " + std::to_string(dim) + ")");
        }
        size[id] = s[dim];
        strides[i][id] += st[dim];
        ++dim;
      }
    }
    for (int l = kLetters; l < n_labels; ++l) size[l] = std::max<int64_t>(size[l], 1);
    // Output labels in order, then the summed labels (every other bound label; ellipsis dims
    // missing from an explicit output are summed too).
    std::vector<int> out_labels;
    for (int id : output_) {
      if (id == kEllipsis) {
        for (int e = 0; e < ell_rank; ++e) out_labels.push_back(kLetters + e);
      } else {
        if (size[id] < 0) {
          return ctx.Invalid("output label '" + LabelName(id) + "' does not appear in any input");
        }
        out_labels.push_back(id);
      }
    }
    std::vector<bool> is_out(n_labels, false);
    for (int l : out_labels) is_out[l] = true;
    std::vector<int> sum_labels;
    for (int l = 0; l < n_labels; ++l) {
      if (size[l] >= 0 && !is_out[l]) sum_labels.push_back(l);
    }
    Shape out_shape;
    for (int l : out_labels) out_shape.push_back(size[l]);
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, dtype, out_shape));
    VisitDType(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_same_v<T, bool>) {
        Run<T>(ins, strides, size, out_labels, sum_labels, y);
      }
    });
    return Status::Ok();
  }

 private:
  static std::string LabelName(int id) {
    return std::string(1, id < 26 ? static_cast<char>('A' + id) : static_cast<char>('a' + id - 26));
  }

  // Odometer over the given labels; returns false once it wraps around.
  static bool Advance(const std::vector<int>& labels, const std::vector<int64_t>& size,
                      std::vector<int64_t>* idx, const std::vector<std::vector<int64_t>>& strides,
                      std::vector<int64_t>* off) {
    for (int d = static_cast<int>(labels.size()) - 1; d >= 0; --d) {
      const int l = labels[d];
      for (size_t i = 0; i < off->size(); ++i) (*off)[i] += strides[i][l];
      if (++(*idx)[d] < size[l]) return true;
      for (size_t i = 0; i < off->size(); ++i) (*off)[i] -= strides[i][l] * size[l];
      (*idx)[d] = 0;
    }
    return false;
  }

  template <typename T>
  static void Run(const std::vector<const Tensor*>& ins,
                  const std::vector<std::vector<int64_t>>& strides,
                  const std::vector<int64_t>& size, const std::vector<int>& out_labels,
                  const std::vector<int>& sum_labels, Tensor* y) {
    using Acc = std::conditional_t<std::is_integral_v<T>, linalg::MatMulAccT<T>, double>;
    const size_t n_in = ins.size();
    for (int l : sum_labels) {
      if (size[l] == 0) {  // empty sum: every output element is 0
        std::memset(y->raw_data(), 0, y->nbytes());
        return;
      }
    }
    const int64_t total = y->NumElements();
    std::vector<int64_t> out_idx(out_labels.size(), 0), sum_idx(sum_labels.size(), 0);
    std::vector<int64_t> out_off(n_in, 0), off(n_in, 0);
    T* out = y->data<T>();
    for (int64_t o = 0; o < total; ++o) {
      Acc acc{0};
      off = out_off;
      do {
        Acc prod{1};
        for (size_t i = 0; i < n_in; ++i) {
          prod *= static_cast<Acc>(linalg::ToCompute(ins[i]->data<T>()[off[i]]));
        }
        acc += prod;
      } while (Advance(sum_labels, size, &sum_idx, strides, &off));
      out[o] = linalg::FromAcc<T>(acc);
      Advance(out_labels, size, &out_idx, strides, &out_off);
    }
  }

  std::vector<Term> inputs_;
  Term output_;
};

}  // namespace

StatusOr<KernelPtr> CreateEinsum(const KernelInfo& info) {
  const std::string eq = info.GetString("equation");
  if (eq.empty()) return info.Invalid("attribute 'equation' is required");
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<Term> inputs;
  size_t start = 0;
  while (true) {
    const size_t comma = lhs.find(',', start);
    Term t;
    Status s = ParseTerm(lhs.substr(start, comma - start), &t);
    if (!s.ok()) return info.Invalid("equation '" + eq + "': " + s.message());
    inputs.push_back(std::move(t));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (static_cast<int>(inputs.size()) != info.num_inputs()) {
    return info.Invalid("equation '" + eq + "' has " + std::to_string(inputs.size()) +
                        " operands but the node has " + std::to_string(info.num_inputs()) +
                        " inputs");
  }
  Term output;
  if (arrow != std::string::npos) {
    Status s = ParseTerm(eq.substr(arrow + 2), &output);
    if (!s.ok()) return info.Invalid("equation '" + eq + "': " + s.message());
    std::array<int, 52> seen{};
    for (int id : output) {
      if (id >= 0 && seen[id]++) {
        return info.Invalid("equation '" + eq + "': output repeats a label");
      }
    }
  } else {
    // Implicit output: "..." first, then labels seen exactly once, in alphabetical order.
    std::array<int, 52> count{};
    bool any_ellipsis = false;
    for (const Term& t : inputs) {
      for (int id : t) {
        if (id == kEllipsis) {
          any_ellipsis = true;
        } else {
          ++count[id];
        }
      }
    }
    if (any_ellipsis) output.push_back(kEllipsis);
    for (int id = 0; id < 52; ++id) {
      if (count[id] == 1) output.push_back(id);
    }
  }
  return MakeKernel<EinsumKernel>(std::move(inputs), std::move(output));
}

}  // namespace trt::kernels
