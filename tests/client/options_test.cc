// Option parsing: load ranges, --shape, --shape-range, dims, endpoints, shape resolution
// against model metadata, and cross-field validation.
#include <gtest/gtest.h>

#include "client/infer_io.h"
#include "client/kserve_client.h"
#include "client/perf/perf_options.h"

namespace trt::client {
namespace {

bool Contains(const Status& s, const std::string& text) {
  return s.error_message().find(text) != std::string::npos;
}

TEST(LoadRange, ParsesStartEndStep) {
  auto r = ParseLoadRange("1:8:2", true, "--concurrency-range");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Values(), (std::vector<double>{1, 3, 5, 7}));
  auto single = ParseLoadRange("4", true, "--concurrency-range");
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->Values(), (std::vector<double>{4}));
  auto two = ParseLoadRange("2:4", true, "--concurrency-range");
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->Values(), (std::vector<double>{2, 3, 4}));
  auto rates = ParseLoadRange("0.5:1.5:0.5", false, "--request-rate-range");
  ASSERT_TRUE(rates.ok());
  EXPECT_EQ(rates->Values(), (std::vector<double>{0.5, 1.0, 1.5}));
  auto tenths = ParseLoadRange("0.1:0.3:0.1", false, "--request-rate-range");
  ASSERT_TRUE(tenths.ok());
  EXPECT_EQ(tenths->Values().size(), 3u);  // float steps do not lose the last value
}

TEST(LoadRange, RejectsBadInputWithExample) {
  for (const char* bad : {"", "0", "-1", "1:x", "1:2:3:4", "1.5", "4:2", "1:2:0"}) {
    auto r = ParseLoadRange(bad, true, "--concurrency-range");
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_TRUE(Contains(r.status(), "--concurrency-range")) << bad;
    }
  }
  auto r = ParseLoadRange("1:100000", true, "--concurrency-range");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status(), "more than 1000"));
}

TEST(ShapeRange, ParsesNameDimMinMax) {
  auto r = ParseShapeRange("input:0=1:32");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->input, "input");
  EXPECT_EQ(r->dim, 0);
  EXPECT_EQ(r->min, 1);
  EXPECT_EQ(r->max, 32);
  auto colon = ParseShapeRange("encoder:input_ids:1=8:128");  // names may contain ':'
  ASSERT_TRUE(colon.ok());
  EXPECT_EQ(colon->input, "encoder:input_ids");
  EXPECT_EQ(colon->dim, 1);
  for (const char* bad :
       {"input", "input=1:2", "input:x=1:2", "input:0=2:1", "input:0=0:4", "input:0=1", ":0=1:2"}) {
    EXPECT_FALSE(ParseShapeRange(bad).ok()) << bad;
  }
}

TEST(ShapeOption, ParsesNameAndDims) {
  auto s = ParseShapeOption("input:1x3x224x224");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->first, "input");
  EXPECT_EQ(s->second, (std::vector<int64_t>{1, 3, 224, 224}));
  auto commas = ParseShapeOption("in:put:2,3");
  ASSERT_TRUE(commas.ok());
  EXPECT_EQ(commas->first, "in:put");
  EXPECT_EQ(commas->second, (std::vector<int64_t>{2, 3}));
  EXPECT_FALSE(ParseShapeOption("input").ok());
  EXPECT_FALSE(ParseShapeOption("input:2xx3").ok());
  EXPECT_FALSE(ParseShapeOption("input:-1x3").ok());
}

TEST(Endpoints, SplitsAndValidates) {
  auto e = ParseEndpoints("127.0.0.1:8001, host2:9000");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, (std::vector<std::string>{"127.0.0.1:8001", "host2:9000"}));
  EXPECT_TRUE(ParseEndpoints("[::1]:8001").ok());
  EXPECT_TRUE(ParseEndpoints("unix:/tmp/sock").ok());
  for (const char* bad : {"", "localhost", "host:0", "host:99999", "host:80x", "a:1,"}) {
    auto r = ParseEndpoints(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_TRUE(Contains(r.status(), "HOST:PORT")) << bad;
    }
  }
}

ModelInfo Digits() {
  ModelInfo m;
  m.name = "digits";
  m.max_batch_size = 32;
  m.config_known = true;
  m.inputs = {{"input", "FP32", {-1, 1, 8, 8}}};
  return m;
}

TEST(ResolveShape, FillsBatchAndAcceptsBothShapeForms) {
  const ModelInfo m = Digits();
  auto plain = ResolveShape(m, m.inputs[0], 4, nullptr);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, (std::vector<int64_t>{4, 1, 8, 8}));
  const std::vector<int64_t> no_batch = {1, 8, 8};
  auto perf_style = ResolveShape(m, m.inputs[0], 2, &no_batch);
  ASSERT_TRUE(perf_style.ok());
  EXPECT_EQ(*perf_style, (std::vector<int64_t>{2, 1, 8, 8}));
  const std::vector<int64_t> full = {3, 1, 8, 8};
  auto full_shape = ResolveShape(m, m.inputs[0], 0, &full);
  ASSERT_TRUE(full_shape.ok());
  EXPECT_EQ(*full_shape, full);
}

TEST(ResolveShape, ErrorsNameModelInputExpectedAndActual) {
  const ModelInfo m = Digits();
  const std::vector<int64_t> wrong = {1, 1, 9, 8};
  auto s = ResolveShape(m, m.inputs[0], 0, &wrong);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(Contains(s.status(),
                       "model 'digits' input 'input' expects shape [-1, 1, 8, 8], "
                       "got [1, 1, 9, 8]"));
  auto too_big = ResolveShape(m, m.inputs[0], 64, nullptr);
  ASSERT_FALSE(too_big.ok());
  EXPECT_TRUE(Contains(too_big.status(), "exceeds the model's max_batch_size 32"));
  const std::vector<int64_t> rank2 = {8, 8};
  EXPECT_TRUE(Contains(ResolveShape(m, m.inputs[0], 0, &rank2).status(), "rank"));
  const std::vector<int64_t> conflict = {3, 1, 8, 8};
  EXPECT_TRUE(Contains(ResolveShape(m, m.inputs[0], 2, &conflict).status(), "batch size is 2"));

  ModelInfo dyn = m;
  dyn.inputs[0].shape = {-1, -1, 16};
  auto missing = ResolveShape(dyn, dyn.inputs[0], 1, nullptr);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(Contains(missing.status(), "variable dim 1"));
  EXPECT_TRUE(Contains(missing.status(), "--shape input:16x16"));
}

TEST(ResolveShape, NonBatchingAndUnknownConfig) {
  ModelInfo m = Digits();
  m.max_batch_size = 0;
  m.inputs[0].shape = {2, 3};
  auto fixed = ResolveShape(m, m.inputs[0], 0, nullptr);
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(*fixed, (std::vector<int64_t>{2, 3}));
  ModelInfo unknown = Digits();
  unknown.config_known = false;
  unknown.max_batch_size = 0;
  auto guessed = ResolveShape(unknown, unknown.inputs[0], 5, nullptr);
  ASSERT_TRUE(guessed.ok());  // dim 0 variable and no config: -b fills it
  EXPECT_EQ((*guessed)[0], 5);
}

TEST(FitTensorToInput, RepeatsDataWithoutBatchDim) {
  const ModelInfo m = Digits();
  auto one = MakeFilledTensor("", "FP32", {1, 8, 8}, Fill::kRandom, 1);
  ASSERT_TRUE(one.ok());
  auto fitted = FitTensorToInput(*one, m, m.inputs[0], 3);
  ASSERT_TRUE(fitted.ok()) << StatusToString(fitted.status());
  EXPECT_EQ(fitted->name, "input");
  EXPECT_EQ(fitted->shape, (std::vector<int64_t>{3, 1, 8, 8}));
  EXPECT_EQ(fitted->data, one->data + one->data + one->data);
}

TEST(PerfOptions, ValidationMessages) {
  PerfOptions o;
  o.model = "m";
  EXPECT_TRUE(ValidatePerfOptions(o).ok());
  o.percentile = 100;
  EXPECT_TRUE(Contains(ValidatePerfOptions(o), "--percentile"));
  o.percentile = 99;
  o.max_trials = 2;
  EXPECT_TRUE(Contains(ValidatePerfOptions(o), "--max-trials"));
  o.max_trials = 10;
  o.batch_size = 0;
  EXPECT_TRUE(Contains(ValidatePerfOptions(o), "-b"));
  o.batch_size = 1;
  o.model.clear();
  EXPECT_TRUE(Contains(ValidatePerfOptions(o), "-m MODEL"));
  EXPECT_FALSE(ParseDistribution("uniform").ok());
  EXPECT_EQ(*ParseDistribution("poisson"), Distribution::kPoisson);
}

TEST(PerfOptions, MeasurementModeParsesPerfAnalyzerNames) {
  EXPECT_EQ(*ParseMeasurementMode("time_windows"), MeasurementMode::kTimeWindows);
  EXPECT_EQ(*ParseMeasurementMode("count_windows"), MeasurementMode::kCountWindows);
  auto bad = ParseMeasurementMode("count");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().error_message().find("time_windows or count_windows"), std::string::npos);
  PerfOptions o;
  o.model = "m";
  o.measurement_request_count = 0;
  EXPECT_FALSE(ValidatePerfOptions(o).ok());
}

TEST(Dims, ParsesXAndCommaForms) {
  EXPECT_EQ(*ParseDims("1x2x3", "s"), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(*ParseDims("4,5", "s"), (std::vector<int64_t>{4, 5}));
  EXPECT_TRUE(ParseDims("", "s")->empty());
  EXPECT_FALSE(ParseDims("1x", "s").ok());
  EXPECT_FALSE(ParseDims("axb", "s").ok());
}

}  // namespace
}  // namespace trt::client
