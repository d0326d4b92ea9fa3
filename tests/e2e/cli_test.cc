// End-to-end tests of the `trtserve` command line (inspect, run) on real models:
// the bundled digits CNN and a PyTorch export whose reshapes are computed at run time.
#include "tests/e2e/cli_test_util.h"

namespace trt::e2e {
namespace {

TEST(CliTest, RunDigitsMatchesPyTorchAndPredictsLabels) {
  const std::string out_dir = TempDir("digits");
  auto r = RunCommand("run " + kSrc +
                      "/configs/model_repository/digits/1/model.onnx --input input=" + kSrc +
                      "/tests/data/digits/images.npy --output-dir " + out_dir);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("logits: float32 [16, 10]"), std::string::npos) << r.output;
  Tensor logits = MustRead(out_dir + "/logits.npy");
  Tensor expected = MustRead(kSrc + "/tests/data/digits/logits.npy");
  EXPECT_EQ(testing::CompareTensors(logits, expected, {1e-4, 1e-4}), "");
  // The model is accurate: at least 15 of these 16 held-out digits are classified right.
  Tensor labels = MustRead(kSrc + "/tests/data/digits/labels.npy");
  int correct = 0;
  for (int i = 0; i < 16; ++i) {
    int best = 0;
    for (int c = 1; c < 10; ++c) {
      if (logits.data<float>()[i * 10 + c] > logits.data<float>()[i * 10 + best]) best = c;
    }
    correct += best == labels.data<int64_t>()[i];
  }
  EXPECT_GE(correct, 15);
}

TEST(CliTest, ReshapeChainRunsAtTwoSizesWithoutRebuild) {
  const std::string model = kSrc + "/tests/data/reshape_chain/model.onnx";
  for (const std::string size : {"small", "large"}) {
    const std::string out_dir = TempDir("chain_" + size);
    auto r = RunCommand("run " + model + " --input x=" + kSrc + "/tests/data/reshape_chain/x_" +
                        size + ".npy -o " + out_dir);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    Tensor y = MustRead(out_dir + "/y.npy");
    Tensor expected = MustRead(kSrc + "/tests/data/reshape_chain/y_" + size + ".npy");
    EXPECT_EQ(testing::CompareTensors(y, expected, {1e-4, 1e-5}), "") << size;
  }
}

TEST(CliTest, InspectShowsSymbolicDims) {
  auto r = RunCommand("inspect " + kSrc + "/tests/data/reshape_chain/model.onnx");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("x     float32  [batch, seq, 16]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("y     float32  [batch, seq, 16]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Unsupported ops: none"), std::string::npos) << r.output;
}

TEST(CliTest, RunErrorsAreClear) {
  const std::string model = kSrc + "/configs/model_repository/digits/1/model.onnx";
  const std::string dir = TempDir("errors");
  // Wrong dtype: int64 labels fed as the float image input.
  auto r = RunCommand("run " + model + " --input input=" + kSrc + "/tests/data/digits/labels.npy");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("error: INVALID_ARGUMENT: model 'digits': input 'input' has dtype "
                          "int64, expected float32"),
            std::string::npos)
      << r.output;
  // Wrong rank.
  Tensor flat(DType::kFloat32, Shape{64});
  ASSERT_TRUE(WriteNpy(dir + "/flat.npy", flat).ok());
  r = RunCommand("run " + model + " --input input=" + dir + "/flat.npy");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("input 'input' has shape [64] (rank 1), expected rank 4 "
                          "[batch, 1, 8, 8]"),
            std::string::npos)
      << r.output;
  // Extra input name.
  r = RunCommand("run " + model + " --input pixels=" + dir + "/flat.npy");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("unexpected input 'pixels'; the model's inputs are: input"),
            std::string::npos)
      << r.output;
  // Missing .npy file and malformed model.
  r = RunCommand("run " + model + " --input input=" + dir + "/absent.npy");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("cannot open .npy file"), std::string::npos) << r.output;
  ASSERT_TRUE(WriteNpy(dir + "/model.onnx", flat).ok());  // not an ONNX file
  r = RunCommand("inspect " + dir + "/model.onnx");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("not a valid ONNX protobuf"), std::string::npos) << r.output;
}

TEST(CliTest, HelpDescribesCommands) {
  auto r = RunCommand("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("inspect"), std::string::npos);
  EXPECT_NE(r.output.find("run"), std::string::npos);
}

}  // namespace
}  // namespace trt::e2e
