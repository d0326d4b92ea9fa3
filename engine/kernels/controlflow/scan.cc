// Scan: opset 9+ (scan_input_axes/directions, scan_output_axes/directions) and opset 8
// (leading batch axis, optional sequence_lens, `directions`). The body runs once per scan
// step with the state variables and one slice of every scan input.
#include <cstring>
#include <string>
#include <vector>

#include "engine/kernels/controlflow/subgraph_util.h"

namespace trt::kernels {
namespace {

using controlflow::SliceAxis;

struct ScanSpec {
  int num_states = 0;
  int num_scan_inputs = 0;
  int num_scan_outputs = 0;
  std::vector<int64_t> in_axes, in_reverse, out_axes, out_reverse;
};

// Runs the body over `seq_len` steps. `scan_in[j]` is sliced along in_axes[j] (already
// normalized). On return `states` hold the final states and `scan_out[k]` the stacked
// scan outputs.
Status RunScanSteps(KernelContext& ctx, const graph::Graph& body, const ScanSpec& spec,
                    int64_t seq_len, std::vector<Tensor>& states,
                    const std::vector<const Tensor*>& scan_in, std::vector<Tensor>* scan_out) {
  SubgraphRunner* runner = ctx.subgraphs();
  if (!runner) return ctx.Unsupported("the executor cannot run subgraphs");
  std::vector<std::vector<Tensor>> per_step(spec.num_scan_outputs);
  std::vector<Tensor> body_in(spec.num_states + spec.num_scan_inputs);
  for (int64_t t = 0; t < seq_len; ++t) {
    for (int i = 0; i < spec.num_states; ++i) body_in[i] = std::move(states[i]);
    for (int j = 0; j < spec.num_scan_inputs; ++j) {
      const int64_t index = spec.in_reverse[j] ? seq_len - 1 - t : t;
      body_in[spec.num_states + j] =
          SliceAxis(*scan_in[j], static_cast<int>(spec.in_axes[j]), index);
    }
    TRT_ASSIGN_OR_RETURN(std::vector<Tensor> outs, runner->Run(body, body_in));
    if (static_cast<int>(outs.size()) != spec.num_states + spec.num_scan_outputs) {
      return ctx.Invalid("body produced " + std::to_string(outs.size()) + " outputs, expected " +
                         std::to_string(spec.num_states + spec.num_scan_outputs));
    }
    for (int i = 0; i < spec.num_states; ++i) states[i] = std::move(outs[i]);
    for (int k = 0; k < spec.num_scan_outputs; ++k) {
      per_step[k].push_back(std::move(outs[spec.num_states + k]));
    }
  }
  scan_out->assign(spec.num_scan_outputs, Tensor());
  for (int k = 0; k < spec.num_scan_outputs; ++k) {
    const std::string what = "scan output " + std::to_string(k);
    const graph::Value& v = *body.outputs()[spec.num_states + k];
    int64_t axis = spec.out_axes[k];
    if (per_step[k].empty()) {
      const int rank = v.shape ? static_cast<int>(v.shape->size()) : 0;
      if (axis < 0) axis += rank + 1;
      TRT_ASSIGN_OR_RETURN((*scan_out)[k],
                           controlflow::EmptyStack(ctx, v, static_cast<int>(axis), what));
      continue;
    }
    const int rank = per_step[k][0].rank();
    if (axis < -(rank + 1) || axis > rank) {
      return ctx.Invalid("scan_output_axes[" + std::to_string(k) +
                         "] = " + std::to_string(spec.out_axes[k]) + " is out of range for rank " +
                         std::to_string(rank + 1));
    }
    if (axis < 0) axis += rank + 1;
    TRT_ASSIGN_OR_RETURN((*scan_out)[k],
                         controlflow::StackSlices(ctx, per_step[k], static_cast<int>(axis),
                                                  spec.out_reverse[k] != 0, what));
  }
  return Status::Ok();
}

class Scan9Kernel final : public Kernel {
 public:
  Scan9Kernel(const graph::Graph* body, ScanSpec spec) : body_(body), spec_(std::move(spec)) {}

  Status Compute(KernelContext& ctx) const override {
    std::vector<Tensor> states;
    for (int i = 0; i < spec_.num_states; ++i) {
      if (!ctx.Input(i)) return ctx.Invalid("state input " + std::to_string(i) + " is missing");
      states.push_back(*ctx.Input(i));
    }
    ScanSpec spec = spec_;
    std::vector<const Tensor*> scan_in;
    int64_t seq_len = -1;
    for (int j = 0; j < spec.num_scan_inputs; ++j) {
      const int index = spec.num_states + j;
      const Tensor* t = ctx.Input(index);
      if (!t) return ctx.Invalid("scan input " + std::to_string(index) + " is missing");
      int axis;
      if (!NormalizeAxis(spec.in_axes[j], t->rank(), &axis)) {
        return ctx.Invalid("scan_input_axes[" + std::to_string(j) + "] = " +
                           std::to_string(spec.in_axes[j]) + " is out of range for input " +
                           std::to_string(index) + " of shape " + t->shape().ToString());
      }
      spec.in_axes[j] = axis;
      const int64_t n = t->shape()[axis];
      if (seq_len >= 0 && n != seq_len) {
        return ctx.Invalid("scan input " + std::to_string(index) + " has " + std::to_string(n) +
                           " steps along axis " + std::to_string(axis) + ", expected " +
                           std::to_string(seq_len) + " like the first scan input");
      }
      seq_len = n;
      scan_in.push_back(t);
    }
    if (seq_len < 0) seq_len = 0;
    std::vector<Tensor> scan_out;
    TRT_RETURN_IF_ERROR(RunScanSteps(ctx, *body_, spec, seq_len, states, scan_in, &scan_out));
    for (int i = 0; i < spec.num_states; ++i) ctx.SetOutput(i, std::move(states[i]));
    for (int k = 0; k < spec.num_scan_outputs; ++k) {
      ctx.SetOutput(spec.num_states + k, std::move(scan_out[k]));
    }
    return Status::Ok();
  }

 private:
  const graph::Graph* body_;
  ScanSpec spec_;
};

// Opset 8: input 0 is the optional sequence_lens [batch]; every state and scan input has a
// leading batch axis and scan inputs scan along axis 1. Each batch row runs separately;
// scan outputs are zero past the row's length.
class Scan8Kernel final : public Kernel {
 public:
  Scan8Kernel(const graph::Graph* body, ScanSpec spec) : body_(body), spec_(std::move(spec)) {}

  Status Compute(KernelContext& ctx) const override {
    const int first = 1;
    const int n_in = spec_.num_states + spec_.num_scan_inputs;
    int64_t batch = -1, max_len = -1;
    for (int i = 0; i < n_in; ++i) {
      const Tensor* t = ctx.Input(first + i);
      if (!t) return ctx.Invalid("input " + std::to_string(first + i) + " is missing");
      const bool scan = i >= spec_.num_states;
      if (t->rank() < (scan ? 2 : 1)) {
        return ctx.Invalid("input " + std::to_string(first + i) + " has shape " +
                           t->shape().ToString() + ", expected [batch" +
                           (scan ? ", sequence, ...]" : ", ...]"));
      }
      if (batch >= 0 && t->shape()[0] != batch) {
        return ctx.Invalid("input " + std::to_string(first + i) + " has batch size " +
                           std::to_string(t->shape()[0]) + ", expected " + std::to_string(batch));
      }
      batch = t->shape()[0];
      if (scan) {
        if (max_len >= 0 && t->shape()[1] != max_len) {
          return ctx.Invalid("scan input " + std::to_string(first + i) + " has " +
                             std::to_string(t->shape()[1]) + " steps, expected " +
                             std::to_string(max_len));
        }
        max_len = t->shape()[1];
      }
    }
    if (batch < 0) return ctx.Invalid("Scan needs at least one state or scan input");
    if (max_len < 0) max_len = 0;
    std::vector<int64_t> lens(batch, max_len);
    if (const Tensor* sl = ctx.Input(0)) {
      if (sl->dtype() != DType::kInt64 || sl->shape() != Shape{batch}) {
        return ctx.Invalid("input 0 (sequence_lens) is " + sl->Description() + ", expected int64[" +
                           std::to_string(batch) + "]");
      }
      for (int64_t b = 0; b < batch; ++b) {
        lens[b] = sl->data<int64_t>()[b];
        if (lens[b] < 0 || lens[b] > max_len) {
          return ctx.Invalid("sequence_lens[" + std::to_string(b) +
                             "] = " + std::to_string(lens[b]) + " is outside [0, " +
                             std::to_string(max_len) + "]");
        }
      }
    }
    // Per batch row: states and scan inputs without the batch axis (scan axis becomes 0).
    std::vector<std::vector<Tensor>> row_states(batch), row_scans(batch);
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<Tensor> states;
      for (int i = 0; i < spec_.num_states; ++i)
        states.push_back(SliceAxis(*ctx.Input(first + i), 0, b));
      // Only the first lens[b] steps of each row are visited (in either direction).
      std::vector<Tensor> rows;
      for (int j = 0; j < spec_.num_scan_inputs; ++j) {
        rows.push_back(SliceAxis(*ctx.Input(first + spec_.num_states + j), 0, b));
      }
      std::vector<const Tensor*> scan_in;
      for (const Tensor& r : rows) scan_in.push_back(&r);
      TRT_RETURN_IF_ERROR(
          RunScanSteps(ctx, *body_, spec_, lens[b], states, scan_in, &row_scans[b]));
      row_states[b] = std::move(states);
    }
    for (int i = 0; i < spec_.num_states; ++i) {
      std::vector<Tensor> rows;
      for (int64_t b = 0; b < batch; ++b) rows.push_back(row_states[b][i]);
      TRT_ASSIGN_OR_RETURN(
          Tensor out, controlflow::StackSlices(ctx, rows, 0, false, "state " + std::to_string(i)));
      ctx.SetOutput(i, std::move(out));
    }
    for (int k = 0; k < spec_.num_scan_outputs; ++k) {
      // Pad each row's [len, ...] result to [max_len, ...] with zeros, then stack rows.
      std::vector<Tensor> rows;
      for (int64_t b = 0; b < batch; ++b) {
        const Tensor& r = row_scans[b][k];
        Shape s = r.shape();
        s[0] = max_len;
        TRT_ASSIGN_OR_RETURN(Tensor padded, Tensor::Allocate(r.dtype(), s));
        std::memcpy(padded.raw_data(), r.raw_data(), r.nbytes());
        rows.push_back(std::move(padded));
      }
      TRT_ASSIGN_OR_RETURN(
          Tensor out,
          controlflow::StackSlices(ctx, rows, 0, false, "scan output " + std::to_string(k)));
      ctx.SetOutput(spec_.num_states + k, std::move(out));
    }
    return Status::Ok();
  }

 private:
  const graph::Graph* body_;
  ScanSpec spec_;
};

// Reads an optional per-input attribute list of `count` entries (default all zeros).
Status ReadList(const KernelInfo& info, const char* name, int count, std::vector<int64_t>* out) {
  *out = info.GetInts(name, std::vector<int64_t>(count, 0));
  if (static_cast<int>(out->size()) != count) {
    return info.Invalid("attribute " + std::string(name) + " has " + std::to_string(out->size()) +
                        " entries, expected " + std::to_string(count));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<KernelPtr> CreateScan(const KernelInfo& info) {
  const graph::Graph* body = info.GetGraph("body");
  if (!body) return info.Invalid("graph attribute body is required");
  if (!info.HasAttr("num_scan_inputs"))
    return info.Invalid("attribute num_scan_inputs is required");
  ScanSpec spec;
  spec.num_scan_inputs = static_cast<int>(info.GetInt("num_scan_inputs", 0));
  const bool v8 = info.opset() < 9;
  const int data_inputs = info.num_inputs() - (v8 ? 1 : 0);
  spec.num_states = data_inputs - spec.num_scan_inputs;
  if (spec.num_scan_inputs < 1 || spec.num_states < 0) {
    return info.Invalid("num_scan_inputs = " + std::to_string(spec.num_scan_inputs) +
                        " must be in [1, " + std::to_string(data_inputs) + "]");
  }
  if (static_cast<int>(body->inputs().size()) != data_inputs) {
    return info.Invalid("body has " + std::to_string(body->inputs().size()) + " inputs, expected " +
                        std::to_string(data_inputs) + " (states + one slice per scan input)");
  }
  spec.num_scan_outputs = static_cast<int>(body->outputs().size()) - spec.num_states;
  if (spec.num_scan_outputs < 0 || info.num_outputs() != static_cast<int>(body->outputs().size())) {
    return info.Invalid("body has " + std::to_string(body->outputs().size()) +
                        " outputs; the node has " + std::to_string(info.num_outputs()) + " and " +
                        std::to_string(spec.num_states) + " state variables");
  }
  if (v8) {
    TRT_RETURN_IF_ERROR(ReadList(info, "directions", spec.num_scan_inputs, &spec.in_reverse));
    spec.in_axes.assign(spec.num_scan_inputs, 0);
    spec.out_axes.assign(spec.num_scan_outputs, 0);
    spec.out_reverse.assign(spec.num_scan_outputs, 0);
    return MakeKernel<Scan8Kernel>(body, std::move(spec));
  }
  TRT_RETURN_IF_ERROR(ReadList(info, "scan_input_axes", spec.num_scan_inputs, &spec.in_axes));
  TRT_RETURN_IF_ERROR(
      ReadList(info, "scan_input_directions", spec.num_scan_inputs, &spec.in_reverse));
  TRT_RETURN_IF_ERROR(ReadList(info, "scan_output_axes", spec.num_scan_outputs, &spec.out_axes));
  TRT_RETURN_IF_ERROR(
      ReadList(info, "scan_output_directions", spec.num_scan_outputs, &spec.out_reverse));
  return MakeKernel<Scan9Kernel>(body, std::move(spec));
}

}  // namespace trt::kernels
