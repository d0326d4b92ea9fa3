// Unit tests of the RNN family (RNN, GRU, LSTM): hand-computed single-unit cases with
// identity/Relu activations (exact arithmetic), direction, sequence_lens, layout and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

graph::Attribute Strings(std::vector<std::string> v) {
  graph::Attribute a;
  a.kind = graph::Attribute::Kind::kStrings;
  a.strings = std::move(v);
  return a;
}

// X = [1, 2] (seq 2, batch 1, input 1), W = 0.5, R = 1: h1 = relu(0.5) = 0.5,
// h2 = relu(1 + 0.5) = 1.5.
TEST(RnnOpsTest, RnnForwardRelu) {
  NodeRunner r("RNN", 14);
  r.Input("X", Tensor::FromVector<float>({1, 2}, Shape{2, 1, 1}))
      .Input("W", Tensor::FromVector<float>({0.5f}, Shape{1, 1, 1}))
      .Input("R", Tensor::FromVector<float>({1}, Shape{1, 1, 1}))
      .Attr("hidden_size", int64_t{1})
      .Attr("activations", Strings({"Relu"}))
      .Output("Y")
      .Output("Y_h");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 1, 1, 1}));
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{0.5f, 1.5f}));
  EXPECT_EQ(Values((*out)[1]), (std::vector<float>{1.5f}));
}

// Reverse: t=1 first: relu(1) = 1, then t=0: relu(0.5 + 1) = 1.5.
TEST(RnnOpsTest, RnnReverseAndBias) {
  NodeRunner r("RNN", 14);
  r.Input("X", Tensor::FromVector<float>({1, 2}, Shape{2, 1, 1}))
      .Input("W", Tensor::FromVector<float>({0.5f}, Shape{1, 1, 1}))
      .Input("R", Tensor::FromVector<float>({1}, Shape{1, 1, 1}))
      .Input("B", Tensor::FromVector<float>({0.25f, 0.75f}, Shape{1, 2}))
      .Attr("hidden_size", int64_t{1})
      .Attr("direction", std::string("reverse"))
      .Attr("activations", Strings({"Relu"}))
      .Output("Y")
      .Output("Y_h");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  // t=1: 1 + 1 = 2; t=0: 0.5 + 2 + 1 = 3.5.
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{3.5f, 2.0f}));
  EXPECT_EQ(Values((*out)[1]), (std::vector<float>{3.5f}));
}

// Batch 2 with sequence_lens [2, 1]: row 1 stops after one step and Y is zero after it.
TEST(RnnOpsTest, SequenceLensBidirectionalBatchMajor) {
  NodeRunner r("RNN", 14);
  // layout 1: X [batch=2, seq=2, input=1].
  r.Input("X", Tensor::FromVector<float>({1, 2, 4, 8}, Shape{2, 2, 1}))
      .Input("W", Tensor::FromVector<float>({1, 1}, Shape{2, 1, 1}))
      .Input("R", Tensor::FromVector<float>({1, 1}, Shape{2, 1, 1}))
      .OmittedInput()
      .Input("lens", Tensor::FromVector<int32_t>({2, 1}, Shape{2}))
      .Attr("hidden_size", int64_t{1})
      .Attr("layout", int64_t{1})
      .Attr("direction", std::string("bidirectional"))
      .Attr("activations", Strings({"Relu", "Relu"}))
      .Output("Y")
      .Output("Y_h");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  // Y [batch, seq, dirs, hidden]. Row 0: fwd 1, 3; bwd (t=1) 2, (t=0) 3.
  // Row 1 (len 1): fwd 4; bwd 4; t=1 zero.
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 2, 2, 1}));
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{1, 3, 3, 2, 4, 4, 0, 0}));
  EXPECT_EQ((*out)[1].shape(), (Shape{2, 2, 1}));
  EXPECT_EQ(Values((*out)[1]), (std::vector<float>{3, 3, 4, 4}));
}

// Identity (Affine) activations: i = 2, o = 3, f = 0.5, c~ = 4 with x = 1 and c0 = 1:
// c = 0.5 * 1 + 2 * 4 = 8.5, h = 3 * 8.5 = 25.5. Gate order in W is i, o, f, c.
TEST(RnnOpsTest, LstmGateOrderAndCellState) {
  NodeRunner r("LSTM", 14);
  r.Input("X", Tensor::FromVector<float>({1}, Shape{1, 1, 1}))
      .Input("W", Tensor::FromVector<float>({2, 3, 0.5f, 4}, Shape{1, 4, 1}))
      .Input("R", Tensor::FromVector<float>({0, 0, 0, 0}, Shape{1, 4, 1}))
      .OmittedInput()
      .OmittedInput()
      .OmittedInput()
      .Input("c0", Tensor::FromVector<float>({1}, Shape{1, 1, 1}))
      .Attr("hidden_size", int64_t{1})
      .Attr("activations", Strings({"Affine", "Affine", "Affine"}))
      .Output("Y")
      .Output("Y_h")
      .Output("Y_c");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{25.5f}));
  EXPECT_EQ(Values((*out)[1]), (std::vector<float>{25.5f}));
  EXPECT_EQ(Values((*out)[2]), (std::vector<float>{8.5f}));
}

// Peepholes P = [p_i, p_o, p_f] = [1, 0.5, 0] and input_forget couples f = 1 - i.
TEST(RnnOpsTest, LstmPeepholesAndInputForget) {
  NodeRunner r("LSTM", 14);
  r.Input("X", Tensor::FromVector<float>({1}, Shape{1, 1, 1}))
      .Input("W", Tensor::FromVector<float>({2, 3, 100, 4}, Shape{1, 4, 1}))
      .Input("R", Tensor::FromVector<float>({0, 0, 0, 0}, Shape{1, 4, 1}))
      .OmittedInput()
      .OmittedInput()
      .OmittedInput()
      .Input("c0", Tensor::FromVector<float>({1}, Shape{1, 1, 1}))
      .Input("P", Tensor::FromVector<float>({1, 0.5f, 0}, Shape{1, 3}))
      .Attr("hidden_size", int64_t{1})
      .Attr("input_forget", int64_t{1})
      .Attr("activations", Strings({"Affine", "Affine", "Affine"}))
      .Output("")
      .Output("Y_h")
      .Output("Y_c");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  // i = 2 + 1*1 = 3, f = 1 - 3 = -2, c = -2 * 1 + 3 * 4 = 10, o = 3 + 0.5 * 10 = 8, h = 80.
  EXPECT_EQ(Values((*out)[0]), (std::vector<float>{80}));
  EXPECT_EQ(Values((*out)[1]), (std::vector<float>{10}));
}

// GRU with identity activations, x = 1, h0 = 1, W = [z 0.5, r 2, h 3], R_h = 1, Rb_h = 1:
// default: n = 3 + R_h (r h) + Rb_h = 6, h = 0.5 * 6 + 0.5 * 1 = 3.5;
// linear_before_reset: n = 3 + r (R_h h + Rb_h) = 7, h = 4.
TEST(RnnOpsTest, GruLinearBeforeReset) {
  for (int64_t lbr : {0, 1}) {
    NodeRunner r("GRU", 14);
    r.Input("X", Tensor::FromVector<float>({1}, Shape{1, 1, 1}))
        .Input("W", Tensor::FromVector<float>({0.5f, 2, 3}, Shape{1, 3, 1}))
        .Input("R", Tensor::FromVector<float>({0, 0, 1}, Shape{1, 3, 1}))
        .Input("B", Tensor::FromVector<float>({0, 0, 0, 0, 0, 1}, Shape{1, 6}))
        .OmittedInput()
        .Input("h0", Tensor::FromVector<float>({1}, Shape{1, 1, 1}))
        .Attr("hidden_size", int64_t{1})
        .Attr("linear_before_reset", lbr)
        .Attr("activations", Strings({"Affine", "Affine"}))
        .Output("Y")
        .Output("Y_h");
    auto out = r.Run();
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(Values((*out)[1]), (std::vector<float>{lbr ? 4.0f : 3.5f})) << "lbr " << lbr;
  }
}

TEST(RnnOpsTest, DefaultActivationsAndClip) {
  NodeRunner r("RNN", 7);
  r.Input("X", Tensor::FromVector<float>({10}, Shape{1, 1, 1}))
      .Input("W", Tensor::FromVector<float>({1}, Shape{1, 1, 1}))
      .Input("R", Tensor::FromVector<float>({0}, Shape{1, 1, 1}))
      .Attr("hidden_size", int64_t{1})
      .Attr("clip", 0.5f)
      .Output("Y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_NEAR((*out)[0].data<float>()[0], std::tanh(0.5), 1e-6);
}

TEST(RnnOpsTest, ErrorsNameTheProblem) {
  NodeRunner r("LSTM", 14);
  r.Input("X", Tensor::FromVector<float>({1, 2, 3}, Shape{1, 1, 3}))
      .Input("W", Tensor(DType::kFloat32, Shape{1, 12, 2}))
      .Input("R", Tensor(DType::kFloat32, Shape{1, 12, 3}))
      .Attr("hidden_size", int64_t{3})
      .Output("Y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(
      out.status().message().find("input 1 (W) has shape [1, 12, 2], expected [num_directions=1, "
                                  "4*hidden_size=12, input_size=3]"),
      std::string::npos)
      << out.status();

  NodeRunner bad_act("GRU", 14);
  bad_act.Input("X", Tensor(DType::kFloat32, Shape{1, 1, 1}))
      .Input("W", Tensor(DType::kFloat32, Shape{1, 3, 1}))
      .Input("R", Tensor(DType::kFloat32, Shape{1, 3, 1}))
      .Attr("hidden_size", int64_t{1})
      .Attr("activations", Strings({"Sigmoid", "Swish"}))
      .Output("Y");
  auto out2 = bad_act.Run();
  ASSERT_FALSE(out2.ok());
  EXPECT_NE(out2.status().message().find("unknown activation 'Swish'"), std::string::npos);

  NodeRunner no_hidden("RNN", 14);
  no_hidden.Input("X", Tensor(DType::kFloat32, Shape{1, 1, 1}))
      .Input("W", Tensor(DType::kFloat32, Shape{1, 1, 1}))
      .Input("R", Tensor(DType::kFloat32, Shape{1, 1, 1}))
      .Output("Y");
  auto out3 = no_hidden.Run();
  ASSERT_FALSE(out3.ok());
  EXPECT_NE(out3.status().message().find("hidden_size is required"), std::string::npos);
}

}  // namespace
}  // namespace trt::testing
