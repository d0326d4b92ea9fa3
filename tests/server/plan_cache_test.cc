// Plan cache (server/plan_cache.h) and the repository's folder scanning
// (server/model_repository_internal.h).
#include "server/plan_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/runtime/model_loader.h"
#include "server/model_repository_internal.h"
#include "tests/server/model_repository_test_util.h"

namespace trt::server {
namespace {

using repository_testing::TempRepository;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

runtime::OptimizationProfile Profile(const std::string& spec) {
  auto p = runtime::ParseProfileSpec(spec);
  EXPECT_TRUE(p.ok()) << p.status();
  return *p;
}

std::vector<fs::path> CachedPlans(const fs::path& version_dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(version_dir / kPlanCacheDirName, ec)) {
    if (e.path().extension() == ".plan") out.push_back(e.path());
  }
  return out;
}

TEST(PlanCacheKeyTest, EveryIngredientChangesTheKey) {
  const std::string base = PlanCacheKey(1, "profiles", "avx2");
  EXPECT_EQ(base, PlanCacheKey(1, "profiles", "avx2"));
  EXPECT_NE(base, PlanCacheKey(2, "profiles", "avx2"));
  EXPECT_NE(base, PlanCacheKey(1, "profiles2", "avx2"));
  EXPECT_NE(base, PlanCacheKey(1, "profiles", "generic"));
  EXPECT_EQ(base.size(), 16u + 1 + 16 + 1 + 4);
  EXPECT_EQ(base.substr(0, 17), "0000000000000001-");
  EXPECT_NE(HashBytes("a"), HashBytes("b"));
}

TEST(ProfilesMatchTest, NamesOrderAndRangesMustAgree) {
  const auto a = Profile("a:x=1x4..2x4..8x4");
  const auto b = Profile("b:x=1x4");
  std::string why;
  EXPECT_TRUE(ProfilesMatch({a, b}, {a, b}, &why));
  EXPECT_FALSE(ProfilesMatch({a, b}, {b, a}, &why));
  EXPECT_THAT(why, HasSubstr("expected 'a'"));
  EXPECT_FALSE(ProfilesMatch({a}, {a, b}, &why));
  EXPECT_THAT(why, HasSubstr("[a, b]"));
  EXPECT_FALSE(ProfilesMatch({a}, {Profile("a:x=1x4..4x4..8x4")}, &why));
  EXPECT_THAT(why, HasSubstr("input 'x'"));
  // The plan may complete inputs the config leaves out, not the other way round.
  EXPECT_TRUE(ProfilesMatch({a}, {Profile("a:x=1x4..2x4..8x4,y=3x3")}, &why));
  EXPECT_FALSE(ProfilesMatch({Profile("a:x=1x4..2x4..8x4,y=3x3")}, {a}, &why));
  EXPECT_THAT(why, HasSubstr("no range for input 'y'"));
}

class PlanCacheTest : public ::testing::Test {
 protected:
  StatusOr<CachedPlan> LoadOrBuild(const std::string& build_key = "k") {
    TRT_ASSIGN_OR_RETURN(auto model, runtime::LoadModel(model_file_.string()));
    CachedPlanRequest request;
    request.model_file = model_file_;
    TRT_ASSIGN_OR_RETURN(request.model_hash, HashFileContents(model_file_));
    request.model = std::move(model);
    request.profiles = {Profile("p:x=1x4..2x4..8x4")};
    request.build_key = build_key;
    request.label = "test model";
    return LoadOrBuildCachedPlan(std::move(request));
  }

  TempRepository repo_{"cache"};
  fs::path model_file_ = repo_.root() / "m" / "1" / "model.onnx";
  fs::path version_dir_ = repo_.root() / "m" / "1";
};

TEST_F(PlanCacheTest, BuildsOnceThenReuses) {
  repository_testing::WriteFile(model_file_, repository_testing::AddModelBytes(1));
  const PlanCacheCounters before = ReadPlanCacheCounters();
  auto first = LoadOrBuild();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->cache_hit);
  EXPECT_TRUE(first->cache_written);
  EXPECT_TRUE(fs::is_regular_file(first->cache_file));
  EXPECT_EQ(CachedPlans(version_dir_).size(), 1u);  // no temp file left behind

  auto second = LoadOrBuild();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->cache_hit);
  EXPECT_EQ(second->cache_file, first->cache_file);
  ASSERT_EQ(second->plan->profiles().size(), 1u);
  EXPECT_EQ(second->plan->profiles()[0].name, "p");
  const PlanCacheCounters after = ReadPlanCacheCounters();
  EXPECT_EQ(after.builds - before.builds, 1);
  EXPECT_EQ(after.hits - before.hits, 1);
  EXPECT_EQ(after.writes - before.writes, 1);

  auto other_key = LoadOrBuild("k2");  // a config change: another plan beside the first
  ASSERT_TRUE(other_key.ok());
  EXPECT_FALSE(other_key->cache_hit);
  EXPECT_NE(other_key->cache_file, first->cache_file);
  EXPECT_EQ(CachedPlans(version_dir_).size(), 2u);
}

TEST_F(PlanCacheTest, ACorruptCacheFileIsRebuilt) {
  repository_testing::WriteFile(model_file_, repository_testing::AddModelBytes(1));
  auto first = LoadOrBuild();
  ASSERT_TRUE(first.ok()) << first.status();
  for (const std::string& bytes : {std::string("garbage"), std::string()}) {
    repository_testing::WriteFile(first->cache_file, bytes);
    const PlanCacheCounters before = ReadPlanCacheCounters();
    auto again = LoadOrBuild();
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_FALSE(again->cache_hit);
    EXPECT_TRUE(again->cache_written);
    const PlanCacheCounters after = ReadPlanCacheCounters();
    EXPECT_EQ(after.rejected - before.rejected, 1);
    EXPECT_EQ(after.builds - before.builds, 1);
    EXPECT_GT(fs::file_size(first->cache_file), 64u);
  }
  auto reused = LoadOrBuild();
  ASSERT_TRUE(reused.ok());
  EXPECT_TRUE(reused->cache_hit);
}

TEST_F(PlanCacheTest, AnUnwritableCacheStillServesTheBuiltPlan) {
  repository_testing::WriteFile(model_file_, repository_testing::AddModelBytes(1));
  repository_testing::WriteFile(version_dir_ / kPlanCacheDirName,
                                "a file where the cache folder goes");
  auto built = LoadOrBuild();
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_TRUE(built->plan);
  EXPECT_FALSE(built->cache_written);
  EXPECT_FALSE(built->cache_hit);
}

TEST_F(PlanCacheTest, OldPlansArePruned) {
  repository_testing::WriteFile(model_file_, repository_testing::AddModelBytes(1));
  for (int i = 0; i < kMaxCachedPlans + 3; ++i) {
    ASSERT_TRUE(LoadOrBuild("key" + std::to_string(i)).ok());
  }
  repository_testing::WriteFile(version_dir_ / kPlanCacheDirName / "x.plan.tmp.1.1",
                                "left by a crash");
  fs::last_write_time(version_dir_ / kPlanCacheDirName / "x.plan.tmp.1.1",
                      fs::file_time_type::clock::now() - std::chrono::hours(2));
  auto newest = LoadOrBuild("newest");
  ASSERT_TRUE(newest.ok());
  const auto plans = CachedPlans(version_dir_);
  EXPECT_EQ(static_cast<int>(plans.size()), kMaxCachedPlans);
  EXPECT_NE(std::find(plans.begin(), plans.end(), newest->cache_file), plans.end());
  EXPECT_FALSE(fs::exists(version_dir_ / kPlanCacheDirName / "x.plan.tmp.1.1"));
}

TEST(RepositoryScanTest, ModelNames) {
  EXPECT_TRUE(ValidateModelName("resnet-50_v2").ok());
  const std::vector<std::string> bad_names = {"",    ".",    "..",   ".git",
                                              "a/b", "/abs", "a\\b", std::string("a\0b", 3)};
  for (const std::string& bad : bad_names) {
    Status s = ValidateModelName(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(RepositoryScanTest, VersionFoldersAndPolicies) {
  TempRepository repo("scan");
  const fs::path dir = repo.root() / "m";
  repo.AddVersion("m", 1, 1);
  repo.AddVersion("m", 3, 3);
  repo.AddVersion("m", 12, 12);
  fs::create_directories(dir / "5");                             // no model file
  repository_testing::WriteFile(dir / "7" / "model.plan", "x");  // both kinds
  repository_testing::WriteFile(dir / "7" / "model.onnx", "x");
  fs::create_directories(dir / "0");  // not a version
  fs::create_directories(dir / "v2");
  auto folders = ScanVersionFolders(dir, "m");
  ASSERT_EQ(folders.size(), 5u);
  EXPECT_EQ(folders[0].version, 1);
  EXPECT_EQ(folders[4].version, 12);
  EXPECT_THAT(folders[2].problem, HasSubstr("no model.onnx or model.plan"));
  EXPECT_THAT(folders[3].problem, HasSubstr("both"));

  VersionPolicy latest;
  latest.latest = 2;
  EXPECT_EQ(*SelectVersions(latest, folders, "m"), (std::vector<int64_t>{3, 12}));
  latest.latest = 10;
  EXPECT_EQ(*SelectVersions(latest, folders, "m"), (std::vector<int64_t>{1, 3, 12}));
  VersionPolicy all;
  all.kind = VersionPolicy::Kind::kAll;
  EXPECT_EQ(*SelectVersions(all, folders, "m"), (std::vector<int64_t>{1, 3, 12}));
  VersionPolicy specific;
  specific.kind = VersionPolicy::Kind::kSpecific;
  specific.specific = {12, 1};
  EXPECT_EQ(*SelectVersions(specific, folders, "m"), (std::vector<int64_t>{1, 12}));
  specific.specific = {4};
  auto missing = SelectVersions(specific, folders, "m");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("version 4"));
  EXPECT_THAT(missing.status().message(), HasSubstr("1, 3, 5, 7, 12"));
  specific.specific = {5};
  EXPECT_THAT(SelectVersions(specific, folders, "m").status().message(),
              HasSubstr("no model.onnx"));
  auto none = SelectVersions(latest, {}, "m");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(none.status().message(), HasSubstr("m/1/"));
}

TEST(RepositoryScanTest, FingerprintNoticesEveryKindOfChange) {
  TempRepository repo("fp");
  const fs::path dir = repo.root() / "m";
  repo.AddModel("m", {1});
  const ModelFingerprint base = FingerprintModel(dir);
  EXPECT_TRUE(base.has_config);
  EXPECT_EQ(FingerprintModel(dir), base);
  fs::create_directories(dir / ".trtserve-cache");  // the cache lives in version folders
  repository_testing::WriteFile(dir / "1" / kPlanCacheDirName / "k.plan", "plan");
  EXPECT_EQ(FingerprintModel(dir), base);

  repo.SetConfig("m", repository_testing::BasicConfig() + "# edited\n");
  const ModelFingerprint edited = FingerprintModel(dir);
  EXPECT_NE(edited, base);
  // Same size, new inode: a replaced model file.
  repository_testing::WriteFile(dir / "new.onnx", repository_testing::AddModelBytes(9));
  fs::rename(dir / "new.onnx", dir / "1" / "model.onnx");
  const ModelFingerprint replaced = FingerprintModel(dir);
  EXPECT_NE(replaced, edited);
  repo.AddVersion("m", 2, 2);
  EXPECT_NE(FingerprintModel(dir), replaced);
}

}  // namespace
}  // namespace trt::server
