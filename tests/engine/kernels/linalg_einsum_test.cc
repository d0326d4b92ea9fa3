// Unit tests for the Einsum and Det reference kernels: explicit/implicit outputs, traces
// and diagonals, ellipsis broadcasting, batched determinants and error messages.
#include <gtest/gtest.h>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

StatusOr<std::vector<Tensor>> RunEinsum(const std::string& eq, std::vector<Tensor> ins) {
  NodeRunner r("Einsum", 12);
  for (size_t i = 0; i < ins.size(); ++i)
    r.Input(std::string("x").append(std::to_string(i)), ins[i]);
  r.Attr("equation", eq).Output("Y");
  return r.Run();
}

TEST(LinalgEinsumTest, MatMulExplicitAndImplicit) {
  const Tensor a = F32({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = F32({1, 0, 0, 1, 1, 1}, {3, 2});
  auto out = RunEinsum("ij,jk->ik", {a, b});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{4, 5, 10, 11}));
  // Implicit: output labels sorted alphabetically -> "ki" order is irrelevant, gives ik.
  auto out2 = RunEinsum("ij,jk", {a, b});
  ASSERT_TRUE(out2.ok()) << out2.status();
  EXPECT_EQ(Values((*out2)[0]), (std::vector<float>{4, 5, 10, 11}));
  // Implicit transpose: "ji" -> output "ij", i.e. the transpose of the input.
  auto out3 = RunEinsum("ji", {a});
  ASSERT_TRUE(out3.ok()) << out3.status();
  EXPECT_EQ((*out3)[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(Values((*out3)[0]), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST(LinalgEinsumTest, TraceDiagonalAndSum) {
  const Tensor m = F32({1, 2, 3, 4, 5, 6, 7, 8, 9}, {3, 3});
  auto trace = RunEinsum("ii", {m});
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_EQ((*trace)[0].shape(), Shape{});
  EXPECT_EQ(Values((*trace)[0]), (std::vector<float>{15}));
  auto diag = RunEinsum("ii->i", {m});
  ASSERT_TRUE(diag.ok()) << diag.status();
  EXPECT_EQ(Values((*diag)[0]), (std::vector<float>{1, 5, 9}));
  auto colsum = RunEinsum("ij->j", {m});
  ASSERT_TRUE(colsum.ok()) << colsum.status();
  EXPECT_EQ(Values((*colsum)[0]), (std::vector<float>{12, 15, 18}));
}

TEST(LinalgEinsumTest, EllipsisBatchBroadcast) {
  // a: [2, 1, 2] (batch 2), b: [2, 1] -> "...ij,jk->...ik" = [2, 1, 1].
  auto out = RunEinsum("...ij,jk->...ik", {F32({1, 2, 3, 4}, {2, 1, 2}), F32({10, 1}, {2, 1})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 1, 1}));
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{12, 34}));
  // Batched dot with ellipsis broadcasting [2, 1, 2] against [3, 2]: result [2, 3].
  auto out2 =
      RunEinsum("...i,...i->...", {F32({1, 1, 2, 2}, {2, 1, 2}), F32({1, 0, 0, 1, 1, 1}, {3, 2})});
  ASSERT_TRUE(out2.ok()) << out2.status();
  EXPECT_EQ((*out2)[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(Values((*out2)[0]), (std::vector<float>{1, 1, 2, 2, 2, 4}));
}

TEST(LinalgEinsumTest, Errors) {
  auto bad_size = RunEinsum("ij,jk->ik", {F32({1, 2, 3, 4, 5, 6}, {2, 3}), F32({1, 2}, {2, 1})});
  ASSERT_FALSE(bad_size.ok());
  EXPECT_NE(bad_size.status().message().find("label 'j' has size 3"), std::string::npos)
      << bad_size.status();
  auto bad_rank = RunEinsum("ijk->i", {F32({1, 2}, {2})});
  ASSERT_FALSE(bad_rank.ok());
  EXPECT_NE(bad_rank.status().message().find("expected rank 3"), std::string::npos);
  auto bad_char = RunEinsum("i1->i", {F32({1, 2}, {2})});
  ASSERT_FALSE(bad_char.ok());
  EXPECT_NE(bad_char.status().message().find("invalid character '1'"), std::string::npos);
  auto bad_out = RunEinsum("ij->ik", {F32({1, 2}, {1, 2})});
  ASSERT_FALSE(bad_out.ok());
  EXPECT_NE(bad_out.status().message().find("output label 'k'"), std::string::npos);
}

TEST(LinalgDetTest, BatchedWithPivoting) {
  // [[0, 1], [1, 0]] needs a row swap (det -1); [[2, 0, 0], ...] is triangular.
  NodeRunner r("Det", 11);
  r.Input("X", F32({0, 1, 1, 0, 3, 8, 4, 6}, {2, 2, 2})).Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{2}));
  const std::vector<float> v = Values((*out)[0]);
  EXPECT_FLOAT_EQ(v[0], -1.0f);
  EXPECT_FLOAT_EQ(v[1], 18.0f - 32.0f);

  NodeRunner r2("Det", 11);
  r2.Input("X", F32({2, 1, 3, 0, 0, 4, 1, 5, 6}, {3, 3})).Output("Y");
  auto out2 = r2.Run();
  ASSERT_TRUE(out2.ok()) << out2.status();
  // 2*(0*6-4*5) - 1*(0*6-4*1) + 3*(0*5-0*1) = -40 + 4 = -36.
  EXPECT_NEAR(Values((*out2)[0])[0], -36.0f, 1e-5);

  NodeRunner r3("Det", 11);
  r3.Input("X", F32({1, 2, 3, 4, 5, 6}, {2, 3})).Output("Y");
  auto out3 = r3.Run();
  ASSERT_FALSE(out3.ok());
  EXPECT_NE(out3.status().message().find("expected [*, M, M]"), std::string::npos);
}

}  // namespace
}  // namespace trt::testing
