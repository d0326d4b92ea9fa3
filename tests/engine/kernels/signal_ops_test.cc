// Unit tests of the signal family: DFT / STFT on small hand-computed signals, the window
// generators and MelWeightMatrix shape, plus input validation.
#include <gtest/gtest.h>

#include <vector>

#include "tests/testing/kernel_test_util.h"
#include "tests/testing/node_runner.h"

namespace trt::testing {
namespace {

void ExpectNear(const Tensor& t, const std::vector<double>& want) {
  ASSERT_EQ(t.NumElements(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(t.GetAsDouble(static_cast<int64_t>(i)), want[i], 1e-5) << "element " << i;
  }
}

// DFT of the real signal [1, 2, 3, 4]: [10, -2+2i, -2, -2-2i].
TEST(SignalOpsTest, DftRealFullAndOnesided) {
  for (int64_t onesided : {0, 1}) {
    NodeRunner r("DFT", 17);
    r.Input("x", Tensor::FromVector<float>({1, 2, 3, 4}, Shape{1, 4, 1}))
        .Attr("onesided", onesided)
        .Output("y");
    auto out = r.Run();
    ASSERT_TRUE(out.ok()) << out.status();
    if (onesided) {
      EXPECT_EQ((*out)[0].shape(), (Shape{1, 3, 2}));
      ExpectNear((*out)[0], {10, 0, -2, 2, -2, 0});
    } else {
      EXPECT_EQ((*out)[0].shape(), (Shape{1, 4, 2}));
      ExpectNear((*out)[0], {10, 0, -2, 2, -2, 0, -2, -2});
    }
  }
}

// Inverse DFT of [10, -2+2i, -2, -2-2i] gives back [1, 2, 3, 4]; dft_length pads.
TEST(SignalOpsTest, DftInverseAndLength) {
  NodeRunner r("DFT", 17);
  r.Input("x", Tensor::FromVector<double>({10, 0, -2, 2, -2, 0, -2, -2}, Shape{1, 4, 2}))
      .Attr("inverse", int64_t{1})
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectNear((*out)[0], {1, 0, 2, 0, 3, 0, 4, 0});

  // [1, 1] zero-padded to length 4: [2, 1-i, 0, 1+i].
  NodeRunner p("DFT", 17);
  p.Input("x", Tensor::FromVector<float>({1, 1}, Shape{1, 2, 1}))
      .Input("n", Tensor::Scalar<int64_t>(4))
      .Output("y");
  auto out2 = p.Run();
  ASSERT_TRUE(out2.ok()) << out2.status();
  ExpectNear((*out2)[0], {2, 0, 1, -1, 0, 0, 1, 1});
}

TEST(SignalOpsTest, DftRejectsBadShapes) {
  NodeRunner r("DFT", 17);
  r.Input("x", Tensor(DType::kFloat32, Shape{1, 4, 3})).Output("y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("expected [..., signal_dim, 1 (real) or 2 (complex)]"),
            std::string::npos)
      << out.status();
  NodeRunner a("DFT", 17);
  a.Input("x", Tensor(DType::kFloat32, Shape{1, 4, 1})).Attr("axis", int64_t{2}).Output("y");
  auto out2 = a.Run();
  ASSERT_FALSE(out2.ok());
  EXPECT_NE(out2.status().message().find("axis 2 is out of range"), std::string::npos);
}

// Frames of length 2, step 2 over [1, 2, 3, 4] with window [1, 0.5]: frames [1, 1], [3, 2]
// -> onesided DFTs [2, 0], [5, 1].
TEST(SignalOpsTest, StftWithWindow) {
  NodeRunner r("STFT", 17);
  r.Input("x", Tensor::FromVector<float>({1, 2, 3, 4}, Shape{1, 4, 1}))
      .Input("step", Tensor::Scalar<int64_t>(2))
      .Input("w", Tensor::FromVector<float>({1, 0.5f}))
      .Output("y");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 2, 2, 2}));
  ExpectNear((*out)[0], {2, 0, 0, 0, 5, 0, 1, 0});
}

TEST(SignalOpsTest, StftNeedsFrameLength) {
  NodeRunner r("STFT", 17);
  r.Input("x", Tensor::FromVector<float>({1, 2, 3, 4}, Shape{1, 4, 1}))
      .Input("step", Tensor::Scalar<int64_t>(2))
      .Output("y");
  auto out = r.Run();
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("either window or frame_length must be given"),
            std::string::npos);
}

TEST(SignalOpsTest, Windows) {
  struct Case {
    const char* op;
    int64_t periodic;
    int64_t size;
    std::vector<double> want;
  };
  const Case cases[] = {
      {"HannWindow", 1, 4, {0, 0.5, 1, 0.5}},
      {"HannWindow", 0, 5, {0, 0.5, 1, 0.5, 0}},
      {"HammingWindow", 1, 2, {25.0 / 46 - 21.0 / 46, 25.0 / 46 + 21.0 / 46}},
      {"BlackmanWindow", 1, 2, {0.42 - 0.5 + 0.08, 0.42 + 0.5 + 0.08}},
  };
  for (const Case& c : cases) {
    NodeRunner r(c.op, 17);
    r.Input("n", Tensor::Scalar<int64_t>(c.size)).Attr("periodic", c.periodic).Output("w");
    auto out = r.Run();
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].dtype(), DType::kFloat32);
    ExpectNear((*out)[0], c.want);
  }
  NodeRunner d("HannWindow", 17);
  d.Input("n", Tensor::Scalar<int32_t>(4)).Attr("output_datatype", int64_t{11}).Output("w");
  auto out = d.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].dtype(), DType::kFloat64);
  ExpectNear((*out)[0], {0, 0.5, 1, 0.5});
}

// 1 mel bin between 0 and 4000 Hz at 8000 Hz, dft_length 8: mel points map to DFT bins
// 0, floor(9 * hz(mid) / 8000), 4; the filter rises to 1 at the centre bin.
TEST(SignalOpsTest, MelWeightMatrixTriangle) {
  NodeRunner r("MelWeightMatrix", 17);
  r.Input("bins", Tensor::Scalar<int64_t>(1))
      .Input("dft", Tensor::Scalar<int64_t>(8))
      .Input("sr", Tensor::Scalar<int64_t>(8000))
      .Input("lo", Tensor::Scalar<float>(0))
      .Input("hi", Tensor::Scalar<float>(4000))
      .Output("w");
  auto out = r.Run();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), (Shape{5, 1}));
  // mel(4000) = 2146.06; points at mel 0, 715.4, 1430.7 -> hz 0, 620.7, 1791.4 ->
  // bins 0, 0, 2: left == centre gives 1 at bin 0, the falling edge (2 - j) / 2 gives
  // 1 at bin 0 and 0.5 at bin 1.
  ExpectNear((*out)[0], {1, 0.5, 0, 0, 0});
}

}  // namespace
}  // namespace trt::testing
