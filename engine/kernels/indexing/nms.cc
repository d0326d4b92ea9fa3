// NonMaxSuppression (10-11) reference kernel: per batch and class, greedy selection of the
// highest-scoring boxes (ties: lower box index first) whose IoU with every already selected
// box is <= iou_threshold, among boxes scoring > score_threshold, up to
// max_output_boxes_per_class. Output: int64 [num_selected, 3] of (batch, class, box).
#include <algorithm>
#include <vector>

#include "engine/kernels/indexing/index_util.h"

namespace trt::kernels {
namespace {

struct Box {
  float y1, x1, y2, x2;  // normalized so that y1 <= y2 and x1 <= x2
};

class NmsKernel : public Kernel {
 public:
  explicit NmsKernel(bool center_point_box) : center_point_box_(center_point_box) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* boxes = ctx.Input(0);
    const Tensor* scores = ctx.Input(1);
    if (!boxes || !scores) return ctx.Invalid("needs inputs 0 (boxes) and 1 (scores)");
    if (boxes->dtype() != DType::kFloat32 || scores->dtype() != DType::kFloat32) {
      return ctx.Invalid("boxes and scores must be float32, got " + boxes->Description() + " and " +
                         scores->Description());
    }
    const Shape& bs = boxes->shape();
    const Shape& ss = scores->shape();
    if (bs.rank() != 3 || bs[2] != 4 || ss.rank() != 3 || ss[0] != bs[0] || ss[2] != bs[1]) {
      return ctx.Invalid(
          "boxes must be [num_batches, spatial_dimension, 4] and scores "
          "[num_batches, num_classes, spatial_dimension]; got boxes " +
          bs.ToString() + ", scores " + ss.ToString());
    }
    int64_t max_per_class = 0;
    float iou_threshold = 0.f;
    float score_threshold = 0.f;
    bool has_score_threshold = false;
    if (const Tensor* t = ctx.Input(2); t && t->NumElements() > 0) {
      if (t->dtype() != DType::kInt64) {
        return ctx.Invalid("input 2 (max_output_boxes_per_class) must be int64, got " +
                           t->Description());
      }
      max_per_class = t->data<int64_t>()[0];
    }
    if (const Tensor* t = ctx.Input(3); t && t->NumElements() > 0) {
      iou_threshold = static_cast<float>(t->GetAsDouble(0));
    }
    if (const Tensor* t = ctx.Input(4); t && t->NumElements() > 0) {
      score_threshold = static_cast<float>(t->GetAsDouble(0));
      has_score_threshold = true;
    }
    if (iou_threshold < 0.f || iou_threshold > 1.f) {
      return ctx.Invalid("iou_threshold must be in [0, 1], got " + std::to_string(iou_threshold));
    }
    const int64_t batches = bs[0], classes = ss[1], n = bs[1];
    std::vector<Box> box(n);
    std::vector<int64_t> selected;  // flattened triples
    std::vector<int64_t> cand;
    std::vector<int64_t> picked;
    for (int64_t b = 0; b < batches; ++b) {
      for (int64_t i = 0; i < n; ++i) box[i] = ReadBox(boxes->data<float>() + (b * n + i) * 4);
      for (int64_t c = 0; c < classes; ++c) {
        const float* sc = scores->data<float>() + (b * classes + c) * n;
        cand.clear();
        for (int64_t i = 0; i < n; ++i) {
          if (!has_score_threshold || sc[i] > score_threshold) cand.push_back(i);
        }
        std::stable_sort(cand.begin(), cand.end(),
                         [&](int64_t x, int64_t y) { return sc[x] > sc[y]; });
        picked.clear();
        for (int64_t i : cand) {
          if (static_cast<int64_t>(picked.size()) >= max_per_class) break;
          bool keep = true;
          for (int64_t p : picked) {
            if (IoU(box[i], box[p]) > iou_threshold) {
              keep = false;
              break;
            }
          }
          if (!keep) continue;
          picked.push_back(i);
          selected.insert(selected.end(), {b, c, i});
        }
      }
    }
    const int64_t num = static_cast<int64_t>(selected.size()) / 3;
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kInt64, Shape{num, 3}));
    std::copy(selected.begin(), selected.end(), y->data<int64_t>());
    return Status::Ok();
  }

 private:
  Box ReadBox(const float* p) const {
    if (center_point_box_) {  // [x_center, y_center, width, height]
      return Box{p[1] - p[3] / 2, p[0] - p[2] / 2, p[1] + p[3] / 2, p[0] + p[2] / 2};
    }
    return Box{std::min(p[0], p[2]), std::min(p[1], p[3]), std::max(p[0], p[2]),
               std::max(p[1], p[3])};
  }

  static float IoU(const Box& a, const Box& b) {
    const float area_a = (a.y2 - a.y1) * (a.x2 - a.x1);
    const float area_b = (b.y2 - b.y1) * (b.x2 - b.x1);
    if (area_a <= 0.f || area_b <= 0.f) return 0.f;
    const float ih = std::max(0.f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
    const float iw = std::max(0.f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
    const float inter = ih * iw;
    return inter / (area_a + area_b - inter);
  }

  bool center_point_box_;
};

}  // namespace

StatusOr<KernelPtr> CreateNonMaxSuppression(const KernelInfo& info) {
  const int64_t cpb = info.GetInt("center_point_box", 0);
  if (cpb != 0 && cpb != 1) {
    return info.Invalid("center_point_box must be 0 or 1, got " + std::to_string(cpb));
  }
  return MakeKernel<NmsKernel>(cpb == 1);
}

}  // namespace trt::kernels
