#include "engine/graph/sym_dim.h"

#include <gtest/gtest.h>

namespace trt::graph {
namespace {

TEST(SymDimTest, FoldsConstantsAndCanonicalizes) {
  Dim b = Dim::Symbol("batch"), s = Dim::Symbol("seq");
  EXPECT_EQ((Dim(2) * Dim(3)).value(), 6);
  EXPECT_EQ(b * s, s * b);
  EXPECT_EQ(b * Dim(1), b);
  EXPECT_EQ(b + Dim(0), b);
  EXPECT_TRUE((b - b).is_known());
  EXPECT_EQ((b * Dim(2)).ToString(), "batch*2");
  EXPECT_NE(Dim::Unknown(), Dim::Unknown());
}

TEST(SymDimTest, EvaluatesConvOutputExpression) {
  // floor((h + 2*pad - dilation*(k-1) - 1) / stride) + 1 with pad 1, k 3, stride 2.
  Dim h = Dim::Symbol("h");
  Dim out = FloorDiv(h + Dim(2) - Dim(2) - Dim(1), Dim(2)) + Dim(1);
  for (int64_t v : {1, 7, 8, 224}) {
    auto r = out.Evaluate({{"h", v}});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, (v - 1) / 2 + 1) << v;
  }
  EXPECT_FALSE(out.Evaluate({}).has_value());
  EXPECT_EQ(out.Symbols(), std::vector<std::string>{"h"});
  EXPECT_EQ(CeilDiv(Dim(7), Dim(2)).value(), 4);
  EXPECT_EQ(FloorDiv(Dim(-7), Dim(2)).value(), -4);
}

}  // namespace
}  // namespace trt::graph
