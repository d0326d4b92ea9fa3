// Shape inference for linear algebra and normalization: MatMul (batched broadcast), Gemm,
// Einsum, BatchNormalization, LayerNormalization, InstanceNormalization, LRN, GroupNorm,
// Softmax/LogSoftmax/Hardmax and com.microsoft SkipLayerNormalization.
#include <map>

#include "engine/graph/shape_inference.h"

namespace trt::graph {
namespace {

Status CheckK(const InferContext& ctx, const Dim& ka, const Dim& kb) {
  if (ka.is_known() && kb.is_known() && ka != kb) {
    return ctx.Error("inner dimensions differ: " + ka.ToString() + " vs " + kb.ToString());
  }
  return Status::Ok();
}

Status MatMul(InferContext& ctx) {
  auto a = ctx.input_shape(0), b = ctx.input_shape(1);
  std::optional<SymShape> out;
  if (a && b) {
    TRT_ASSIGN_OR_RETURN(out, MatMulShape(ctx, *a, *b));
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  return Status::Ok();
}

Status Gemm(InferContext& ctx) {
  auto a = ctx.input_shape(0), b = ctx.input_shape(1);
  std::optional<SymShape> out;
  if (a && b) {
    if (a->size() != 2 || b->size() != 2) return ctx.Error("Gemm inputs must be 2-D");
    const bool ta = ctx.AttrInt("transA", 0) != 0, tb = ctx.AttrInt("transB", 0) != 0;
    TRT_RETURN_IF_ERROR(CheckK(ctx, (*a)[ta ? 0 : 1], (*b)[tb ? 1 : 0]));
    out = SymShape{(*a)[ta ? 1 : 0], (*b)[tb ? 0 : 1]};
    if (auto c = ctx.input_shape(2)) {
      auto bc = BroadcastShapes(*out, *c);
      if (!bc.ok() || bc->size() != 2) return ctx.Error("C does not broadcast to [M, N]");
    }
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  return Status::Ok();
}

Status Einsum(InferContext& ctx) {
  std::string eq;
  for (char c : ctx.AttrString("equation", "")) {
    if (c != ' ') eq += c;
  }
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms(1);
  for (char c : lhs) {
    if (c == ',') {
      terms.emplace_back();
    } else {
      terms.back() += c;
    }
  }
  const DType dt = ctx.input_dtype(0);
  if (static_cast<int>(terms.size()) != ctx.num_inputs()) {
    return ctx.Error("equation '" + eq + "' has " + std::to_string(terms.size()) +
                     " operands for " + std::to_string(ctx.num_inputs()) + " inputs");
  }
  std::map<char, Dim> dims;
  std::map<char, int> counts;
  SymShape ellipsis;
  for (size_t t = 0; t < terms.size(); ++t) {
    auto s = ctx.input_shape(static_cast<int>(t));
    if (!s) {
      ctx.SetOutput(0, dt, std::nullopt);
      return Status::Ok();
    }
    const std::string& term = terms[t];
    const size_t dots = term.find("...");
    const size_t letters = term.size() - (dots == std::string::npos ? 0 : 3);
    if (letters > s->size() || (dots == std::string::npos && letters != s->size())) {
      return ctx.Error("operand " + std::to_string(t) + " ('" + term + "') does not match rank " +
                       std::to_string(s->size()));
    }
    const size_t ell_rank = s->size() - letters;
    size_t d = 0;
    for (size_t i = 0; i < term.size(); ++i) {
      if (i == dots) {
        auto b = BroadcastShapes(ellipsis, SymShape(s->begin() + d, s->begin() + d + ell_rank));
        if (!b.ok()) return ctx.Error(b.status().message());
        ellipsis = *b;
        d += ell_rank;
        i += 2;
        continue;
      }
      const Dim& x = (*s)[d++];
      ++counts[term[i]];
      auto it = dims.find(term[i]);
      if (it == dims.end() || (it->second.is_known() && it->second.value() == 1)) {
        dims[term[i]] = x;
      } else if (it->second.is_known() && x.is_known() && x.value() != 1 && it->second != x) {
        return ctx.Error(std::string("label '") + term[i] + "' has sizes " + it->second.ToString() +
                         " and " + x.ToString());
      }
    }
  }
  std::string out_term;
  if (arrow != std::string::npos) {
    out_term = eq.substr(arrow + 2);
  } else {
    out_term = lhs.find("...") != std::string::npos ? "..." : "";
    for (const auto& [c, n] : counts) {
      if (n == 1) out_term += c;
    }
  }
  SymShape out;
  for (size_t i = 0; i < out_term.size(); ++i) {
    if (out_term.compare(i, 3, "...") == 0) {
      out.insert(out.end(), ellipsis.begin(), ellipsis.end());
      i += 2;
      continue;
    }
    auto it = dims.find(out_term[i]);
    if (it == dims.end())
      return ctx.Error(std::string("output label '") + out_term[i] + "' is not an input label");
    out.push_back(it->second);
  }
  ctx.SetOutput(0, dt, out);
  return Status::Ok();
}

// Y has X's shape; further outputs (running mean/var, saved stats) are per-channel.
Status BatchNorm(InferContext& ctx) {
  ctx.PassThrough(0, 0);
  auto x = ctx.input_shape(0);
  auto scale = ctx.input_shape(1);
  if (x && x->size() >= 2 && scale && scale->size() == 1 && (*x)[1].is_known() &&
      (*scale)[0].is_known() && (*x)[1] != (*scale)[0]) {
    return ctx.Error("scale has " + (*scale)[0].ToString() + " elements for " + (*x)[1].ToString() +
                     " channels");
  }
  for (int i = 1; i < ctx.num_outputs(); ++i) ctx.PassThrough(i, 3);
  return Status::Ok();
}

Status LayerNorm(InferContext& ctx) {
  ctx.PassThrough(0, 0);
  auto x = ctx.input_shape(0);
  std::optional<SymShape> stats;
  if (x) {
    int64_t ax;
    TRT_RETURN_IF_ERROR(ctx.NormalizeAxis(ctx.AttrInt("axis", -1), x->size(), &ax));
    stats = *x;
    for (size_t i = ax; i < stats->size(); ++i) (*stats)[i] = Dim(1);
  }
  const DType stash = static_cast<DType>(ctx.AttrInt("stash_type", 1));
  ctx.SetOutput(1, stash, stats);
  ctx.SetOutput(2, stash, stats);
  return Status::Ok();
}

Status SameAsInput(InferContext& ctx) {
  ctx.PassThrough(0, 0);
  return Status::Ok();
}

// com.microsoft SkipLayerNormalization: output, mean, inv_std_var, input+skip(+bias).
Status SkipLayerNorm(InferContext& ctx) {
  ctx.PassThrough(0, 0);
  ctx.PassThrough(3, 0);
  return Status::Ok();
}

}  // namespace

StatusOr<SymShape> MatMulShape(const InferContext& ctx, const SymShape& a, const SymShape& b) {
  if (a.empty() || b.empty()) return ctx.Error("MatMul operands must have rank >= 1");
  const SymShape a2 = a.size() == 1 ? SymShape{Dim(1), a[0]} : a;
  const SymShape b2 = b.size() == 1 ? SymShape{b[0], Dim(1)} : b;
  TRT_RETURN_IF_ERROR(CheckK(ctx, a2[a2.size() - 1], b2[b2.size() - 2]));
  auto batch =
      BroadcastShapes(SymShape(a2.begin(), a2.end() - 2), SymShape(b2.begin(), b2.end() - 2));
  if (!batch.ok()) return ctx.Error("batch dims: " + batch.status().message());
  SymShape out = *batch;
  if (a.size() != 1) out.push_back(a2[a2.size() - 2]);
  if (b.size() != 1) out.push_back(b2[b2.size() - 1]);
  return out;
}

void RegisterLinalgNormInfer(InferTable& t) {
  t.emplace_back(":MatMul", MatMul);
  t.emplace_back(":Gemm", Gemm);
  t.emplace_back(":Einsum", Einsum);
  t.emplace_back(":BatchNormalization", BatchNorm);
  t.emplace_back(":LayerNormalization", LayerNorm);
  for (const char* op : {"InstanceNormalization", "LRN", "Softmax", "LogSoftmax", "Hardmax",
                         "LpNormalization", "MeanVarianceNormalization", "GroupNormalization"}) {
    t.emplace_back(std::string(":") + op, SameAsInput);
  }
  t.emplace_back("com.microsoft:SkipLayerNormalization", SkipLayerNorm);
}

}  // namespace trt::graph
