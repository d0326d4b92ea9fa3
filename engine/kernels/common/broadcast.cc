#include "engine/kernels/common/broadcast.h"

#include <algorithm>

namespace trt::kernels {

StatusOr<Shape> BroadcastShape(const std::vector<Shape>& shapes) {
  int rank = 0;
  for (const Shape& s : shapes) rank = std::max(rank, s.rank());
  Shape out;
  out.resize(rank, 1);
  for (const Shape& s : shapes) {
    const int pad = rank - s.rank();
    for (int d = 0; d < s.rank(); ++d) {
      const int64_t a = out[pad + d];
      const int64_t b = s[d];
      if (a == b || b == 1) continue;
      if (a == 1) {
        out[pad + d] = b;
        continue;
      }
      std::string list;
      for (const Shape& x : shapes) list += (list.empty() ? "" : " and ") + x.ToString();
      return InvalidArgument("shapes " + list + " cannot be broadcast together");
    }
  }
  return out;
}

StatusOr<Broadcast> MakeBroadcast(const std::vector<Shape>& shapes) {
  Broadcast b;
  TRT_ASSIGN_OR_RETURN(b.out, BroadcastShape(shapes));
  const int rank = b.out.rank();
  for (const Shape& s : shapes) {
    std::vector<int64_t> st(rank, 0);
    const int pad = rank - s.rank();
    int64_t acc = 1;
    for (int d = s.rank() - 1; d >= 0; --d) {
      st[pad + d] = s[d] == 1 ? 0 : acc;
      acc *= s[d];
    }
    b.strides.push_back(std::move(st));
  }
  return b;
}

bool CanBroadcastTo(const Shape& from, const Shape& to) {
  if (from.rank() > to.rank()) return false;
  const int pad = to.rank() - from.rank();
  for (int d = 0; d < from.rank(); ++d) {
    if (from[d] != 1 && from[d] != to[pad + d]) return false;
  }
  return true;
}

}  // namespace trt::kernels
