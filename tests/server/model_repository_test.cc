#include "server/model_repository.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "engine/base/npy.h"
#include "engine/runtime/builder.h"
#include "engine/runtime/model_loader.h"
#include "engine/runtime/plan_file.h"
#include "server/plan_cache.h"
#include "tests/server/model_repository_test_util.h"
#include "tests/testing/compare.h"

namespace trt::server {
namespace {

using repository_testing::Gate;
using repository_testing::Infer;
using repository_testing::InferAsync;
using repository_testing::InferResult;
using repository_testing::WaitUntil;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

class ModelRepositoryTest : public repository_testing::RepositoryTest {
 protected:
  // {version, y0} of one inference; {-1, -1} when the model cannot be found.
  std::pair<int64_t, float> Serve(const ModelRepository& repo, const std::string& model,
                                  const std::string& version = "") {
    auto found = repo.Find(model, version);
    if (!found.ok()) return {-1, -1.0f};
    InferResult r = Infer(**found);
    EXPECT_TRUE(r.status.ok()) << r.status;
    return {r.version, r.y0};
  }
  // Model "m" (y = x + 3) behind a closed gate: its requests stay queued until gate_ opens.
  std::unique_ptr<ModelRepository> OpenWithClosedGate() {
    repo_.AddModel("m", {3});
    gate_ = std::make_shared<Gate>();
    return Open();
  }
  static std::vector<int64_t> ServingVersions(const ModelRepository& repo,
                                              const std::string& model) {
    std::vector<int64_t> out;
    for (const auto& m : repo.Versions(model)) out.push_back(m->version());
    return out;
  }
};

TEST_F(ModelRepositoryTest, OpenRejectsAMissingRoot) {
  RepositoryOptions o = Options();
  o.root = repo_.root() / "does_not_exist";
  auto repo = ModelRepository::Open(o);
  ASSERT_FALSE(repo.ok());
  EXPECT_EQ(repo.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(repo.status().message(), HasSubstr("does_not_exist"));
}

TEST_F(ModelRepositoryTest, LoadsEveryModelAndServesTheLatestVersion) {
  repo_.AddModel("alpha", {1.0f, 2.0f});
  repo_.AddModel("beta", {10.0f});
  auto repo = Open();
  ASSERT_TRUE(repo);
  EXPECT_TRUE(repo->Ready());
  EXPECT_EQ(Serve(*repo, "alpha"), std::make_pair(int64_t{2}, 2.0f));
  EXPECT_EQ(Serve(*repo, "beta"), std::make_pair(int64_t{1}, 10.0f));
  EXPECT_EQ(repo->AllServing().size(), 2u);
  auto index = repo->Index(/*ready_only=*/true);
  ASSERT_EQ(index.size(), 2u);
  EXPECT_EQ(index[0].name, "alpha");
  EXPECT_EQ(index[0].version, "2");
  EXPECT_EQ(index[0].state, "READY");
  EXPECT_EQ(index[1].name, "beta");
  auto found = repo->Find("alpha", "");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)->config().profiles.size(), (*found)->plan().profiles().size());
  EXPECT_EQ((*found)->stats()->version(), 2);
}

TEST_F(ModelRepositoryTest, VersionPolicies) {
  repo_.AddModel("latest2", {1, 2, 3}, "{latest: 2}");
  repo_.AddModel("all", {1, 2, 3}, "all");
  repo_.AddModel("specific", {1, 2, 3}, "{specific: [1, 3]}");
  repo_.AddModel("missing", {1, 2}, "{specific: [4]}");
  // Folders that are not versions are ignored; a version folder without a model is skipped.
  repo_.AddVersion("all", 1, 1);
  fs::create_directories(repo_.root() / "all" / "notes");
  fs::create_directories(repo_.root() / "all" / "07");
  fs::create_directories(repo_.root() / "all" / "9");
  auto repo = Open();
  ASSERT_TRUE(repo);
  EXPECT_EQ(ServingVersions(*repo, "latest2"), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(ServingVersions(*repo, "all"), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(ServingVersions(*repo, "specific"), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(Serve(*repo, "specific", "1"), std::make_pair(int64_t{1}, 1.0f));
  EXPECT_TRUE(ServingVersions(*repo, "missing").empty());
  EXPECT_FALSE(repo->Ready());
  Status reload = repo->Load("missing");
  EXPECT_EQ(reload.code(), StatusCode::kNotFound);
  EXPECT_THAT(reload.message(), HasSubstr("version 4"));
  auto found = repo->Find("missing", "");
  EXPECT_EQ(found.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(found.status().message(), HasSubstr("version 4"));
}

TEST_F(ModelRepositoryTest, FindErrorsSayWhatExists) {
  repo_.AddModel("good", {1});
  repo_.SetConfig("broken", repository_testing::BasicConfig());
  repository_testing::WriteFile(repo_.root() / "broken" / "1" / "model.onnx", "not an onnx model");
  auto repo = Open();
  ASSERT_TRUE(repo);

  auto unknown = repo->Find("nope", "");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("model 'nope' is not in the repository"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("available: good"));

  auto no_version = repo->Find("good", "7");
  EXPECT_EQ(no_version.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(no_version.status().message(), HasSubstr("has no version 7; ready versions: 1"));

  EXPECT_EQ(repo->Find("good", "latest").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(repo->Find("../good", "").status().code(), StatusCode::kNotFound);

  auto broken = repo->Find("broken", "");
  EXPECT_EQ(broken.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(broken.status().message(), HasSubstr("model 'broken' is not ready"));
  auto index = repo->Index(false);
  ASSERT_EQ(index.size(), 2u);
  EXPECT_EQ(index[0].name, "broken");
  EXPECT_EQ(index[0].state, "UNAVAILABLE");
  EXPECT_THAT(index[0].reason, HasSubstr("version 1"));
  EXPECT_FALSE(repo->Ready());
}

TEST_F(ModelRepositoryTest, NamesThatEscapeTheRepositoryAreRejected) {
  repo_.AddModel("m", {1});
  auto repo = Open();
  ASSERT_TRUE(repo);
  for (const std::string& name :
       std::vector<std::string>{"..", "../m", "a/b", "a\\b", "/etc", "", ".hidden", "."}) {
    Status load = repo->Load(name);
    EXPECT_EQ(load.code(), StatusCode::kInvalidArgument) << "'" << name << "'";
    EXPECT_THAT(load.message(), HasSubstr("'" + name + "'"));
    EXPECT_EQ(repo->Unload(name).code(), StatusCode::kInvalidArgument) << "'" << name << "'";
  }
  Status missing = repo->Load("zzz");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("model folders: m"));
  EXPECT_EQ(repo->Unload("zzz").code(), StatusCode::kNotFound);
}

TEST_F(ModelRepositoryTest, ExplicitModeLoadsOnlyWhatItIsAskedTo) {
  repo_.AddModel("a", {1});
  repo_.AddModel("b", {2});
  RepositoryOptions o = Options();
  o.control_mode = RepositoryOptions::ControlMode::kExplicit;
  o.startup_models = {"a"};
  auto repo = Open(o);
  ASSERT_TRUE(repo);
  EXPECT_TRUE(repo->Ready());
  EXPECT_EQ(Output(*repo, "a"), 1.0f);
  auto b = repo->Find("b", "");
  EXPECT_EQ(b.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(b.status().message(), HasSubstr("not loaded"));
  EXPECT_EQ(repo->Index(true).size(), 1u);

  ASSERT_TRUE(repo->Load("b").ok());
  EXPECT_EQ(Output(*repo, "b"), 2.0f);
  ASSERT_TRUE(repo->Unload("a").ok());
  EXPECT_EQ(repo->Find("a", "").status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(repo->Unload("a").ok());  // unloading twice is fine
  auto index = repo->Index(false);
  ASSERT_EQ(index.size(), 2u);
  EXPECT_EQ(index[0].state, "UNAVAILABLE");
  EXPECT_EQ(index[0].reason, "unloaded");
  EXPECT_EQ(index[1].state, "READY");
  EXPECT_TRUE(repo->Ready());

  o.startup_models = {"nope"};
  auto bad = ModelRepository::Open(o);
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
}

TEST_F(ModelRepositoryTest, ABrokenNewVersionLeavesTheOldOneServing) {
  repo_.AddModel("m", {1});
  auto repo = Open();
  ASSERT_TRUE(repo);
  repository_testing::WriteFile(repo_.root() / "m" / "2" / "model.onnx", "garbage");
  Status s = repo->Load("m");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("version 2"));
  EXPECT_EQ(Serve(*repo, "m"), std::make_pair(int64_t{1}, 1.0f));
  EXPECT_TRUE(repo->Ready());
  auto index = repo->Index(false);
  ASSERT_EQ(index.size(), 2u);
  EXPECT_EQ(index[0].version, "1");
  EXPECT_EQ(index[0].state, "READY");
  EXPECT_EQ(index[1].version, "2");
  EXPECT_EQ(index[1].state, "UNAVAILABLE");
  EXPECT_THAT(index[1].reason, HasSubstr("still serving version(s) 1"));
  EXPECT_EQ(repo->Find("m", "2").status().code(), StatusCode::kUnavailable);

  // A broken config also keeps version 1; fixing both brings version 2 in.
  repo_.SetConfig("m", "max_batch_size: [oops\n");
  EXPECT_FALSE(repo->Load("m").ok());
  EXPECT_EQ(Serve(*repo, "m").first, 1);
  repo_.SetConfig("m", repository_testing::BasicConfig());
  repo_.AddVersion("m", 2, 5.0f);
  ASSERT_TRUE(repo->Load("m").ok());
  EXPECT_EQ(Serve(*repo, "m"), std::make_pair(int64_t{2}, 5.0f));
  EXPECT_EQ(repo->Index(false).size(), 1u);
}

TEST_F(ModelRepositoryTest, ReloadKeepsUnchangedVersionsAndRebuildsChangedOnes) {
  repo_.AddModel("m", {1, 2}, "all");
  auto repo = Open();
  ASSERT_TRUE(repo);
  auto v1 = repo->Find("m", "1");
  auto v2 = repo->Find("m", "2");
  ASSERT_TRUE(v1.ok() && v2.ok());
  ASSERT_TRUE(repo->Load("m").ok());
  EXPECT_EQ(repo->Find("m", "1")->get(), v1->get());
  EXPECT_EQ(repo->Find("m", "2")->get(), v2->get());
  repo_.AddVersion("m", 2, 7.0f);
  ASSERT_TRUE(repo->Load("m").ok());
  EXPECT_EQ(repo->Find("m", "1")->get(), v1->get());
  EXPECT_NE(repo->Find("m", "2")->get(), v2->get());
  EXPECT_EQ(Output(*repo, "m", "2"), 7.0f);
  // The retired version 2 still answers the request handler that holds it.
  EXPECT_EQ(Infer(**v2).y0, 2.0f);
}

TEST_F(ModelRepositoryTest, UnloadLetsQueuedRequestsFinish) {
  auto repo = OpenWithClosedGate();
  ASSERT_TRUE(repo);
  auto held = repo->Find("m", "");
  ASSERT_TRUE(held.ok());
  std::vector<std::future<InferResult>> pending;
  for (int i = 0; i < 3; ++i) pending.push_back(InferAsync(**held));
  ASSERT_TRUE(repo->Unload("m").ok());  // returns: this test still holds the version
  EXPECT_FALSE(repo->Find("m", "").ok());
  pending.push_back(InferAsync(**held));  // found before the unload: still accepted
  gate_->Open();
  held->reset();  // the last reference drains
  for (auto& f : pending) {
    InferResult r = f.get();
    EXPECT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.y0, 3.0f);
  }
}

TEST_F(ModelRepositoryTest, UnloadDrainsBeforeReturningWhenNobodyHoldsTheModel) {
  auto repo = OpenWithClosedGate();
  ASSERT_TRUE(repo);
  std::vector<std::future<InferResult>> pending;
  {
    auto held = repo->Find("m", "");
    ASSERT_TRUE(held.ok());
    for (int i = 0; i < 2; ++i) pending.push_back(InferAsync(**held));
  }
  std::thread opener = OpenLater(gate_);
  ASSERT_TRUE(repo->Unload("m").ok());
  for (auto& f : pending) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::ready);
    EXPECT_TRUE(f.get().status.ok());
  }
  opener.join();
}

TEST_F(ModelRepositoryTest, ShutdownDrainsEverythingAndIsIdempotent) {
  auto repo = OpenWithClosedGate();
  ASSERT_TRUE(repo);
  auto held = repo->Find("m", "");
  ASSERT_TRUE(held.ok());
  auto pending = InferAsync(**held);
  std::thread opener = OpenLater(gate_);
  repo->Shutdown();
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_TRUE(pending.get().status.ok());
  opener.join();
  EXPECT_FALSE(repo->Ready());
  EXPECT_EQ(repo->Find("m", "").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(repo->Load("m").code(), StatusCode::kUnavailable);
  EXPECT_EQ(Infer(**held).status.code(), StatusCode::kUnavailable);
  repo->Shutdown();
}

TEST_F(ModelRepositoryTest, PlanFilesServeTheirOwnProfiles) {
  repository_testing::WriteFile(repo_.root() / "src.onnx", repository_testing::AddModelBytes(4));
  auto model = runtime::LoadModel((repo_.root() / "src.onnx").string());
  ASSERT_TRUE(model.ok()) << model.status();
  runtime::BuildConfig build;
  build.profiles = {*runtime::ParseProfileSpec("small:x=1x4..2x4..4x4")};
  auto plan = runtime::BuildPlan(*model, build);
  ASSERT_TRUE(plan.ok()) << plan.status();
  fs::create_directories(repo_.root() / "p" / "1");
  ASSERT_TRUE(runtime::SavePlan(**plan, (repo_.root() / "p" / "1" / "model.plan").string()).ok());
  repo_.SetConfig("p", repository_testing::BasicConfig());
  fs::remove(repo_.root() / "src.onnx");
  auto repo = Open();
  ASSERT_TRUE(repo);
  auto found = repo->Find("p", "");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ((*found)->config().profiles.size(), 1u);
  EXPECT_EQ((*found)->config().profiles[0].name, "small");
  EXPECT_EQ(Infer(**found).y0, 4.0f);

  repo_.SetConfig("p", repository_testing::BasicConfig() +
                           "profiles:\n  - name: other\n    shapes: {x: {min: [1, 4], opt: [1, "
                           "4], max: [8, 4]}}\n");
  Status mismatch = repo->Load("p");
  EXPECT_FALSE(mismatch.ok());
  EXPECT_THAT(mismatch.message(), HasSubstr("do not match the plan"));
}

// The whole path with the real dynamic batcher: the example digits model folder copied into
// a repository, built through the plan cache, answering batched and single requests like
// the reference.
TEST(ModelRepositoryIntegrationTest, ServesDigitsThroughTheDynamicBatcher) {
  const std::string src = TRTSERVE_SOURCE_DIR;
  repository_testing::TempRepository repo("digits");
  // The shipped example model folder, config.yaml included (3 profiles, 2 priority levels).
  fs::copy(src + "/configs/model_repository/digits", repo.root() / "digits",
           fs::copy_options::recursive);
  fs::remove_all(repo.root() / "digits" / "1" / kPlanCacheDirName);
  RepositoryOptions options;
  options.root = repo.root();  // no batcher factory: DynamicBatcher::Create
  auto opened = ModelRepository::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  auto found = (*opened)->Find("digits", "1");
  ASSERT_TRUE(found.ok()) << found.status();
  auto images = ReadNpy(src + "/tests/data/digits/images.npy");
  auto logits = ReadNpy(src + "/tests/data/digits/logits.npy");
  ASSERT_TRUE(images.ok() && logits.ok());

  runtime::NamedTensors batch;
  batch.emplace_back("input", images->Clone());
  InferResponse all = repository_testing::Submit(**found, std::move(batch)).get();
  ASSERT_TRUE(all.status.ok()) << all.status;
  EXPECT_EQ(all.model_version, 1);
  ASSERT_EQ(all.outputs.size(), 2u);
  EXPECT_EQ(all.outputs[0].first, "logits");
  EXPECT_EQ(trt::testing::CompareTensors(all.outputs[0].second, *logits, {1e-4, 1e-5}), "");

  std::vector<std::future<InferResponse>> singles;
  for (int64_t i = 0; i < 16; ++i) {
    Tensor image(DType::kFloat32, Shape{1, 1, 8, 8});
    std::memcpy(image.raw_data(), images->data<float>() + i * 64, 64 * sizeof(float));
    runtime::NamedTensors inputs;
    inputs.emplace_back("input", std::move(image));
    singles.push_back(repository_testing::Submit(**found, std::move(inputs)));
  }
  for (int64_t i = 0; i < 16; ++i) {
    InferResponse r = singles[i].get();
    ASSERT_TRUE(r.status.ok()) << r.status;
    const float* got = r.outputs[0].second.data<float>();
    for (int k = 0; k < 10; ++k) {
      EXPECT_NEAR(got[k], logits->data<float>()[i * 10 + k], 1e-4) << "image " << i;
    }
  }
  // A request outside every profile is refused by the batcher, naming the model.
  runtime::NamedTensors too_big;
  too_big.emplace_back("input", Tensor(DType::kFloat32, Shape{1, 1, 9, 9}));
  InferResponse refused = repository_testing::Submit(**found, std::move(too_big)).get();
  EXPECT_EQ(refused.status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status.message(), HasSubstr("digits"));
}

}  // namespace
}  // namespace trt::server
