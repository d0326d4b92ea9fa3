// Model config parsing: golden files in tests/data/configs/.
//   good/*.yaml           parse (model name "m") and normalize to good/*.golden
//   bad/*.yaml            fail to parse; each `# expect: TEXT` line must appear in the error
//   complete_good/*.yaml  parse + complete against the digits model -> *.golden
//   complete_bad/*.yaml   parse, then fail to complete against digits with the `# expect:`s
// Set TRTSERVE_UPDATE_GOLDEN=1 to rewrite the .golden files (review the diff!).
// Also: the annotated example, ModelConfigKeys vs CONFIG_REFERENCE.md, KServe datatypes,
// BuildKey, and a garbling test that only asks for a clean Status.
#include "server/model_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <sstream>

#include "engine/base/npy.h"
#include "engine/runtime/builder.h"
#include "engine/runtime/model_loader.h"
#include "server/dynamic_batcher.h"

namespace trt::server {
namespace {

namespace fs = std::filesystem;

const fs::path kSrc = TRTSERVE_SOURCE_DIR;
const fs::path kData = kSrc / "tests/data/configs";
const fs::path kDigitsDir = kSrc / "configs/model_repository/digits";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Calls fn(path, name) for every dir/*.yaml in name order, name = "dir/file.yaml" (the
// file name used in messages); the folder must hold at least `min_files`.
template <typename F>
void ForEachYaml(const std::string& dir, size_t min_files, F fn) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kData / dir)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), min_files) << "files missing from " << kData / dir;
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    fn(f, dir + "/" + f.filename().string());
  }
}

// The `# expect: ...` lines of a file.
std::vector<std::string> Expectations(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const std::string tag = "# expect: ";
    if (line.rfind(tag, 0) == 0) out.push_back(line.substr(tag.size()));
  }
  return out;
}

std::string Ints(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

std::string Policy(const QueuePolicy& q) {
  std::ostringstream s;
  s << "timeout_us=" << q.timeout_us << " timeout_action="
    << (q.timeout_action == QueuePolicy::TimeoutAction::kReject ? "reject" : "delay")
    << " allow_timeout_override=" << q.allow_timeout_override
    << " max_queue_size=" << q.max_queue_size;
  return s.str();
}

// Every field of a config, one per line (the golden format).
std::string Dump(const ModelConfig& c) {
  std::ostringstream s;
  s << "name: " << c.name << "\nmax_batch_size: " << c.max_batch_size << "\nversion_policy: ";
  switch (c.version_policy.kind) {
    case VersionPolicy::Kind::kLatest:
      s << "latest " << c.version_policy.latest;
      break;
    case VersionPolicy::Kind::kAll:
      s << "all";
      break;
    case VersionPolicy::Kind::kSpecific:
      s << "specific " << Ints(c.version_policy.specific);
      break;
  }
  s << "\n";
  for (const auto* list : {&c.inputs, &c.outputs}) {
    for (size_t i = 0; i < list->size(); ++i) {
      const TensorConfig& t = (*list)[i];
      s << (list == &c.inputs ? "input " : "output ") << t.name << ": " << KServeDatatype(t.dtype)
        << " " << Ints(t.dims);
      if (list == &c.inputs)
        s << " pad_to_batch=" << t.pad_to_batch << " pad_value=" << t.pad_value;
      s << "\n";
    }
  }
  for (const auto& p : c.profiles) {
    s << "profile " << p.name << ":";
    for (const auto& r : p.inputs) {
      s << " " << r.input << "=" << r.min.ToXString() << ".." << r.opt.ToXString() << ".."
        << r.max.ToXString();
    }
    s << "\n";
  }
  const auto& d = c.dynamic_batching;
  s << "preferred_batch_sizes: " << Ints(d.preferred_batch_sizes)
    << "\nmax_queue_delay_us: " << d.max_queue_delay_us << "\nmax_queue_size: " << d.max_queue_size
    << "\npriority_levels: " << d.priority_levels
    << "\ndefault_priority_level: " << d.default_priority_level
    << "\ndefault_queue_policy: " << Policy(d.default_queue_policy) << "\n";
  for (const auto& [level, q] : d.priority_queue_policy) {
    s << "priority_queue_policy " << level << ": " << Policy(q) << "\n";
  }
  s << "preserve_ordering: " << d.preserve_ordering << "\ninstance_count: " << c.instance_count
    << "\nthreads: " << c.threads << "\ninline_execution_max_us: " << c.inline_execution_max_us
    << "\nprecision: " << (c.precision == Precision::kFp32 ? "fp32" : "int8")
    << "\nwarmup: iterations=" << c.warmup.iterations
    << " data=" << (c.warmup.data == WarmupConfig::Data::kZeros ? "zeros" : "random") << "\n";
  return s.str();
}

void ExpectGolden(const fs::path& yaml, const ModelConfig& c) {
  fs::path golden = yaml;
  golden.replace_extension(".golden");
  const std::string got = Dump(c);
  if (std::getenv("TRTSERVE_UPDATE_GOLDEN")) {
    std::ofstream(golden, std::ios::binary) << got;
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing (TRTSERVE_UPDATE_GOLDEN=1 writes it)";
  EXPECT_EQ(got, ReadFile(golden)) << "for " << yaml;
}

// Each line of an error is one problem, starts with the file name and is expected.
void ExpectProblems(const Status& s, const std::string& file,
                    const std::vector<std::string>& expectations) {
  ASSERT_FALSE(s.ok()) << file << " should fail";
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
  ASSERT_FALSE(expectations.empty()) << file << " has no `# expect:` line";
  for (const auto& e : expectations) {
    EXPECT_NE(s.message().find(e), std::string::npos)
        << file << ": expected\n  " << e << "\nin\n  " << s.message();
  }
  // No problem beyond the expected ones (e.g. a consequence of an earlier one).
  std::istringstream lines(s.message());
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.rfind(file + ": ", 0), 0u) << "line does not name the file: " << line;
    bool expected = false;
    for (const auto& e : expectations) expected |= line.find(e) != std::string::npos;
    EXPECT_TRUE(expected) << file << ": unexpected problem: " << line;
  }
}

std::shared_ptr<graph::Model> Digits() {
  static auto model = runtime::LoadModel((kDigitsDir / "1/model.onnx").string());
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *model : nullptr;
}

TEST(ModelConfigGoldenTest, GoodFilesNormalizeToGolden) {
  ForEachYaml("good", 5, [](const fs::path& f, const std::string& name) {
    auto c = ParseModelConfig(ReadFile(f), name, "m");
    ASSERT_TRUE(c.ok()) << c.status();
    ExpectGolden(f, *c);
  });
}

TEST(ModelConfigGoldenTest, BadFilesReportExpectedProblems) {
  ForEachYaml("bad", 30, [](const fs::path& f, const std::string& name) {
    const std::string text = ReadFile(f);
    ExpectProblems(ParseModelConfig(text, name, "m").status(), name, Expectations(text));
  });
}

TEST(ModelConfigGoldenTest, CompleteGoodFilesAgainstDigits) {
  auto model = Digits();
  ASSERT_TRUE(model);
  ForEachYaml("complete_good", 3, [&](const fs::path& f, const std::string& name) {
    auto c = ParseModelConfig(ReadFile(f), name, "digits");
    ASSERT_TRUE(c.ok()) << c.status();
    Status s = CompleteConfigFromModel(&*c, *model);
    ASSERT_TRUE(s.ok()) << s;
    ExpectGolden(f, *c);
  });
}

TEST(ModelConfigGoldenTest, CompleteBadFilesReportExpectedProblems) {
  auto model = Digits();
  ASSERT_TRUE(model);
  ForEachYaml("complete_bad", 8, [&](const fs::path& f, const std::string& name) {
    const std::string text = ReadFile(f);
    auto c = ParseModelConfig(text, name, "digits");
    ASSERT_TRUE(c.ok()) << "should parse: " << c.status();
    const ModelConfig before = *c;
    ExpectProblems(CompleteConfigFromModel(&*c, *model), name, Expectations(text));
    EXPECT_EQ(Dump(*c), Dump(before)) << "a failed completion changed the config";
  });
}

TEST(ModelConfigExampleTest, DigitsExampleLoadsAndCompletes) {
  auto c = LoadModelConfig(kDigitsDir / "config.yaml", "digits");
  ASSERT_TRUE(c.ok()) << c.status();
  auto model = Digits();
  ASSERT_TRUE(model);
  ASSERT_TRUE(CompleteConfigFromModel(&*c, *model).ok());
  EXPECT_EQ(c->name, "digits");
  EXPECT_EQ(c->max_batch_size, 128);
  ASSERT_EQ(c->profiles.size(), 3u);
  EXPECT_EQ(c->profiles[0].name, "latency");
  EXPECT_EQ(c->profiles[1].name, "dynamic");
  EXPECT_EQ(c->profiles[2].name, "offline");
  EXPECT_EQ(c->profiles[1].inputs.at(0).opt, Shape({4, 1, 8, 8}));
  EXPECT_EQ(c->profiles[2].inputs.at(0).min, Shape({33, 1, 8, 8}));
  const auto& d = c->dynamic_batching;
  EXPECT_EQ(d.preferred_batch_sizes, (std::vector<int64_t>{1, 4, 128}));
  EXPECT_EQ(d.max_queue_delay_us, 500u);
  EXPECT_EQ(d.priority_levels, 2u);
  EXPECT_EQ(d.default_priority_level, 2u);
  ASSERT_EQ(d.priority_queue_policy.size(), 2u);
  // Level 1 inherits default_queue_policy; level 2 overrides two fields and inherits two.
  EXPECT_EQ(d.priority_queue_policy.at(1).timeout_us, 0u);
  EXPECT_TRUE(d.priority_queue_policy.at(1).allow_timeout_override);
  EXPECT_EQ(d.priority_queue_policy.at(2).timeout_us, 1000000u);
  EXPECT_EQ(d.priority_queue_policy.at(2).max_queue_size, 512u);
  EXPECT_TRUE(d.priority_queue_policy.at(2).allow_timeout_override);
  EXPECT_EQ(c->warmup.iterations, 2);
  EXPECT_EQ(c->warmup.data, WarmupConfig::Data::kRandom);
  ASSERT_NE(c->FindOutput("probabilities"), nullptr);
  EXPECT_EQ(c->FindOutput("probabilities")->dims, std::vector<int64_t>{10});
  EXPECT_EQ(c->FindInput("logits"), nullptr);
}

// The example is a working config: the batcher accepts it (warmup runs every profile) and
// the 16 test images come back with the stored logits.
TEST(ModelConfigExampleTest, DigitsExampleServesTheTestImages) {
  auto c = LoadModelConfig(kDigitsDir / "config.yaml", "digits");
  ASSERT_TRUE(c.ok()) << c.status();
  auto model = runtime::LoadModel((kDigitsDir / "1/model.onnx").string());
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE(CompleteConfigFromModel(&*c, **model).ok());
  runtime::BuildConfig build;
  build.profiles = c->profiles;
  auto plan = runtime::BuildPlan(*model, build);
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::vector<std::string> names;
  for (const auto& p : c->profiles) names.push_back(p.name);
  auto config = std::make_shared<const ModelConfig>(*c);
  auto batcher =
      DynamicBatcher::Create(config, *plan, 1, std::make_shared<ModelStats>("digits", 1, names));
  ASSERT_TRUE(batcher.ok()) << batcher.status();

  auto images = ReadNpy((kSrc / "tests/data/digits/images.npy").string());
  auto logits = ReadNpy((kSrc / "tests/data/digits/logits.npy").string());
  ASSERT_TRUE(images.ok() && logits.ok()) << images.status() << logits.status();
  std::promise<InferResponse> done;
  auto request = std::make_unique<InferRequest>();
  request->model_name = "digits";
  request->inputs = {{"input", *images}};
  request->requested_outputs = {"logits"};
  request->priority = 1;
  request->on_complete = [&done](InferResponse&& r) { done.set_value(std::move(r)); };
  ASSERT_TRUE((*batcher)->Enqueue(std::move(request)).ok());
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  InferResponse response = future.get();
  ASSERT_TRUE(response.status.ok()) << response.status;
  ASSERT_EQ(response.outputs.size(), 1u);
  const Tensor& got = response.outputs[0].second;
  ASSERT_EQ(got.shape(), logits->shape());
  for (int64_t i = 0; i < got.shape().NumElements(); ++i) {
    EXPECT_NEAR(got.data<float>()[i], logits->data<float>()[i], 1e-4) << "element " << i;
  }
  (*batcher)->Drain();
}

TEST(ModelConfigExampleTest, EveryLineOfTheExampleIsCommented) {
  std::istringstream in(ReadFile(kDigitsDir / "config.yaml"));
  int n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    if (line.find_first_not_of(' ') == std::string::npos) continue;
    EXPECT_NE(line.find('#'), std::string::npos) << "line " << n + 1 << " has no comment: " << line;
  }
}

TEST(ModelConfigKeysTest, EveryKeyIsDocumentedInTheReference) {
  const std::string reference = ReadFile(kSrc / "configs/CONFIG_REFERENCE.md");
  ASSERT_FALSE(reference.empty());
  const auto keys = ModelConfigKeys();
  EXPECT_NE(
      std::find(keys.begin(), keys.end(), "dynamic_batching.default_queue_policy.timeout_action"),
      keys.end());
  EXPECT_NE(std::find(keys.begin(), keys.end(), "profiles[].shapes.<input>.opt"), keys.end());
  EXPECT_NE(std::find(keys.begin(), keys.end(), "inputs[].pad_value"), keys.end());
  for (const auto& k : keys) {
    EXPECT_NE(reference.find("`" + k + "`"), std::string::npos)
        << "configs/CONFIG_REFERENCE.md does not document `" << k << "`";
  }
}

TEST(ModelConfigKeysTest, UnknownKeysSuggestTheNearestName) {
  auto c = ParseModelConfig("dynamic_batching: {max_queue_dalay_us: 5}\n", "c.yaml", "");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "c.yaml: dynamic_batching.max_queue_dalay_us: unknown key; did you mean "
            "max_queue_delay_us? (line 1)");
}

TEST(ModelConfigProblemsTest, OneProblemPerLineInFileOrder) {
  auto c = ParseModelConfig(ReadFile(kData / "bad/many_problems.yaml"), "many.yaml", "m");
  ASSERT_FALSE(c.ok());
  std::istringstream lines(c.status().message());
  std::vector<int> order;
  for (std::string line; std::getline(lines, line);) {
    const size_t at = line.rfind("(line ");
    ASSERT_NE(at, std::string::npos) << line;
    order.push_back(std::stoi(line.substr(at + 6)));
  }
  EXPECT_EQ(order, (std::vector<int>{7, 8, 9, 12, 13})) << c.status().message();
}

TEST(KServeDatatypeTest, RoundTripsEveryName) {
  const std::vector<std::pair<std::string, DType>> names = {
      {"BOOL", DType::kBool},     {"UINT8", DType::kUInt8},   {"UINT16", DType::kUInt16},
      {"UINT32", DType::kUInt32}, {"UINT64", DType::kUInt64}, {"INT8", DType::kInt8},
      {"INT16", DType::kInt16},   {"INT32", DType::kInt32},   {"INT64", DType::kInt64},
      {"FP16", DType::kFloat16},  {"FP32", DType::kFloat32},  {"FP64", DType::kFloat64},
      {"BYTES", DType::kString},  {"BF16", DType::kBFloat16}};
  for (const auto& [name, dtype] : names) {
    EXPECT_EQ(KServeDatatype(dtype), name);
    ASSERT_TRUE(DTypeFromKServe(name).has_value()) << name;
    EXPECT_EQ(*DTypeFromKServe(name), dtype);
  }
  EXPECT_FALSE(DTypeFromKServe("FP33").has_value());
  EXPECT_FALSE(DTypeFromKServe("fp32").has_value());  // the wire spelling is upper case
  EXPECT_EQ(KServeDatatype(DType::kUndefined), "INVALID");
}

TEST(BuildKeyTest, DependsOnProfilesAndPrecisionNotInputOrder) {
  const std::string base =
      "max_batch_size: 8\nprofiles:\n  - name: p\n    shapes:\n"
      "      a: {min: [1, 2], max: [8, 2]}\n      b: {min: [1, 3], max: [8, 3]}\n";
  const std::string swapped =
      "max_batch_size: 8\nprofiles:\n  - name: p\n    shapes:\n"
      "      b: {min: [1, 3], max: [8, 3]}\n      a: {min: [1, 2], max: [8, 2]}\n";
  const std::string other_opt =
      "max_batch_size: 8\nprofiles:\n  - name: p\n    shapes:\n"
      "      a: {min: [1, 2], opt: [4, 2], max: [8, 2]}\n      b: {min: [1, 3], opt: [4, 3], "
      "max: [8, 3]}\n";
  auto k1 = ParseModelConfig(base, "k.yaml", "");
  auto k2 = ParseModelConfig(swapped, "k.yaml", "");
  auto k3 = ParseModelConfig(other_opt, "k.yaml", "");
  ASSERT_TRUE(k1.ok() && k2.ok() && k3.ok()) << k1.status() << k2.status() << k3.status();
  EXPECT_EQ(k1->BuildKey(), k2->BuildKey());
  EXPECT_NE(k1->BuildKey(), k3->BuildKey());
  EXPECT_NE(k1->BuildKey().find("a=1x2..8x2..8x2"), std::string::npos) << k1->BuildKey();
  ModelConfig int8 = *k1;
  int8.precision = Precision::kInt8;
  EXPECT_NE(k1->BuildKey(), int8.BuildKey());
}

TEST(LoadModelConfigTest, MissingFileIsNotFound) {
  auto c = LoadModelConfig(kData / "does_not_exist.yaml", "m");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_NE(c.status().message().find("does_not_exist.yaml"), std::string::npos);
}

// Truncated and garbled variants of the example must give OK or a clean INVALID_ARGUMENT
// naming the file (never a crash), and whatever parses must complete or fail cleanly too.
TEST(ModelConfigFuzzTest, GarbledExamplesGiveCleanStatus) {
  auto model = Digits();
  ASSERT_TRUE(model);
  const std::string good = ReadFile(kDigitsDir / "config.yaml");
  std::mt19937 rng(20240601);
  SCOPED_TRACE("seed 20240601");
  const std::string alphabet = " \n\t:-[]{}#&*!|>'\"%@`,?0123456789-1abcxyz\x01\xff";
  int parsed = 0;
  auto check = [&](const std::string& text) {
    auto c = ParseModelConfig(text, "fuzz.yaml", "digits");
    if (!c.ok()) {
      EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << c.status();
      EXPECT_EQ(c.status().message().rfind("fuzz.yaml: ", 0), 0u) << c.status();
      return;
    }
    ++parsed;
    Status s = CompleteConfigFromModel(&*c, *model);
    if (!s.ok()) {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
    }
  };
  for (size_t n = 0; n <= good.size(); n += 7) check(good.substr(0, n));
  for (int i = 0; i < 1500; ++i) {
    std::string text = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.erase(pos, 1 + rng() % 8);
          break;
        default:
          text.insert(pos, 1, alphabet[rng() % alphabet.size()]);
      }
    }
    check(text);
  }
  EXPECT_GT(parsed, 0);  // some edits only touch comments: the good path was exercised too
}

}  // namespace
}  // namespace trt::server
