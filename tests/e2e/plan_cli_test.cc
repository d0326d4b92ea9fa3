// End-to-end tests of the plan commands: build (trtexec-style shapes too), inspect a plan,
// run a plan with and without --profile, bench with --json, and clear refusals.
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/e2e/cli_test_util.h"

namespace trt::e2e {
namespace {

const std::string kDigits = kSrc + "/configs/model_repository/digits/1/model.onnx";

TEST(PlanCliTest, BuildInspectRunBench) {
  const std::string dir = TempDir("plan_cli");
  const std::string plan = dir + "/digits.plan";
  auto r = RunCommand("build " + kDigits + " -o " + plan +
                      " --profile latency:input=1x1x8x8"
                      " --profile dynamic:input=1x1x8x8..4x1x8x8..32x1x8x8");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Built " + plan), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("profile dynamic: input=1x1x8x8..4x1x8x8..32x1x8x8"), std::string::npos);

  r = RunCommand("inspect " + plan);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ai.trtserve.FusedConv+Relu"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("fp32"), std::string::npos);
  EXPECT_NE(r.output.find("latency: input=1x1x8x8  arena"), std::string::npos);

  r = RunCommand("run " + plan + " --profile dynamic -i " + kSrc +
                 "/tests/data/digits/images.npy -o " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Tensor logits = MustRead(dir + "/logits.npy");
  Tensor expected = MustRead(kSrc + "/tests/data/digits/logits.npy");
  EXPECT_EQ(testing::CompareTensors(logits, expected, {1e-4, 1e-4}), "");

  r = RunCommand("run " + plan + " --profile latency -i " + kSrc + "/tests/data/digits/images.npy");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("input 'input' dim 0 is 16, outside profile 'latency' range [1, 1]"),
            std::string::npos)
      << r.output;

  r = RunCommand("bench " + plan +
                 " --shapes=input:4x1x8x8 --duration-s 0.2 --warmup-ms 10 "
                 "--json " +
                 dir + "/bench.json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Latency: min = "), std::string::npos) << r.output;
  std::ifstream in(dir + "/bench.json");
  auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["tool"], "trtserve");
  EXPECT_EQ(j["batch"], 4);
  EXPECT_EQ(j["profile"], "dynamic");
  EXPECT_GT(j["latency_ms"]["median"].get<double>(), 0.0);
  EXPECT_GT(j["throughput_items_per_s"].get<double>(), 0.0);
}

TEST(PlanCliTest, TrtexecShapeFlagsAndErrors) {
  const std::string dir = TempDir("plan_cli_errors");
  auto r = RunCommand("build " + kDigits + " -o " + dir +
                      "/t.plan --minShapes=input:1x1x8x8 "
                      "--optShapes=input:8x1x8x8 --maxShapes=input:64x1x8x8");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("profile profile0: input=1x1x8x8..8x1x8x8..64x1x8x8"), std::string::npos)
      << r.output;
  r = RunCommand("build " + kDigits + " -o " + dir + "/none.plan");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("needs an optimization profile: give --profile NAME:input=MIN..OPT..MAX"),
            std::string::npos)
      << r.output;
  r = RunCommand("build " + kDigits + " --profile p:input=1x1x8");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("profile 'p' input 'input' has rank 3"), std::string::npos) << r.output;
  std::ofstream(dir + "/garbage.plan") << "TRTPLAN";  // magic prefix, but truncated
  r = RunCommand("run " + dir + "/garbage.plan -i " + kSrc + "/tests/data/digits/images.npy");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("FAILED_PRECONDITION: plan"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace trt::e2e
