// Model repository under change: polling, repeated reloads with concurrent readers, and the
// plan cache across restarts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "server/model_repository.h"
#include "server/model_repository_internal.h"
#include "server/plan_cache.h"
#include "tests/server/model_repository_test_util.h"

namespace trt::server {
namespace {

using repository_testing::Infer;
using repository_testing::InferResult;
using repository_testing::WaitUntil;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

class RepositoryChangeTest : public repository_testing::RepositoryTest {
 protected:
  // Replaces a version's model file the way deployments do: write aside, then rename.
  void ReplaceModel(const std::string& model, int64_t version, float c) {
    const fs::path dir = repo_.root() / model / std::to_string(version);
    repository_testing::WriteFile(dir / ".incoming", repository_testing::AddModelBytes(c));
    fs::rename(dir / ".incoming", dir / "model.onnx");
  }
};

TEST_F(RepositoryChangeTest, PollingPicksUpAddedChangedAndRemovedModels) {
  repo_.AddModel("a", {1});
  auto repo = Open(Options(/*poll_interval_s=*/1));
  ASSERT_TRUE(repo);
  EXPECT_EQ(Output(*repo, "a"), 1.0f);

  repo_.AddModel("b", {2});
  EXPECT_TRUE(WaitUntil([&] { return Output(*repo, "b") == 2.0f; })) << "b was not added";

  ReplaceModel("a", 1, 5.0f);
  EXPECT_TRUE(WaitUntil([&] { return Output(*repo, "a") == 5.0f; })) << "a was not reloaded";

  repo_.AddVersion("a", 2, 6.0f);  // a new version replaces version 1 (latest: 1)
  EXPECT_TRUE(WaitUntil([&] {
    auto found = repo->Find("a", "");
    return found.ok() && (*found)->version() == 2 && repo->Versions("a").size() == 1;
  }));

  fs::remove_all(repo_.root() / "b");
  EXPECT_TRUE(WaitUntil([&] {
    return repo->Find("b", "").status().code() == StatusCode::kNotFound;
  })) << "b was not removed";
  EXPECT_EQ(repo->Index(false).size(), 1u);

  // A broken change keeps the old version serving; the failure is retried only on change.
  repo_.SetConfig("a", "max_batch_size: [broken\n");
  EXPECT_TRUE(WaitUntil([&] {
    auto index = repo->Index(false);
    return index.size() == 2 && index[1].state == "UNAVAILABLE";
  }));
  EXPECT_EQ(Output(*repo, "a"), 6.0f);
  repo_.SetConfig("a", repository_testing::BasicConfig());
  EXPECT_TRUE(WaitUntil([&] { return repo->Index(false).size() == 1; }));
  EXPECT_TRUE(repo->Ready());
  repo->Shutdown();  // must not wait for the next poll (the test would time out otherwise)
}

TEST_F(RepositoryChangeTest, ExplicitModePollsOnlyLoadedModels) {
  repo_.AddModel("a", {1});
  RepositoryOptions o = Options(/*poll_interval_s=*/1);
  o.control_mode = RepositoryOptions::ControlMode::kExplicit;
  o.startup_models = {"a"};
  auto repo = Open(o);
  ASSERT_TRUE(repo);
  repo_.AddModel("b", {2});
  ReplaceModel("a", 1, 3.0f);
  EXPECT_TRUE(WaitUntil([&] { return Output(*repo, "a") == 3.0f; }));
  // By now the poller has seen b at least once (it checks every folder on each pass).
  auto b = repo->Find("b", "");
  EXPECT_EQ(b.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(b.status().message(), HasSubstr("explicit model control"));
}

TEST_F(RepositoryChangeTest, ConcurrentFindDuringReloads) {
  repo_.AddModel("m", {0});
  auto repo = Open(Options());
  ASSERT_TRUE(repo);
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto found = repo->Find("m", "");
        if (!found.ok()) {
          ADD_FAILURE() << found.status();
          failed.fetch_add(1);
          continue;
        }
        InferResult r = Infer(**found);
        if (r.status.ok()) {
          ok.fetch_add(1);
        } else {
          ADD_FAILURE() << r.status;
          failed.fetch_add(1);
        }
        (void)repo->Index(false);
        (void)repo->AllServing();
      }
    });
  }
  constexpr int kReloads = 6;
  for (int i = 1; i <= kReloads; ++i) {
    ReplaceModel("m", 1, static_cast<float>(i));
    Status s = repo->Load("m");
    EXPECT_TRUE(s.ok()) << s;
  }
  // Let the readers see the last version at least once.
  const int seen = ok.load();
  EXPECT_TRUE(WaitUntil([&] { return ok.load() > seen + 3; }));
  stop.store(true);
  for (auto& r : readers) r.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(Output(*repo, "m"), static_cast<float>(kReloads));
}

TEST_F(RepositoryChangeTest, RestartsReuseTheCachedPlanUntilTheModelOrConfigChanges) {
  repo_.AddModel("m", {1});
  const fs::path cache_dir = repo_.root() / "m" / "1" / kPlanCacheDirName;
  auto builds = [] { return ReadPlanCacheCounters().builds; };
  const int64_t start = builds();
  ASSERT_TRUE(Open(Options()));
  EXPECT_EQ(builds() - start, 1);
  ASSERT_TRUE(fs::is_directory(cache_dir));

  auto repo = Open(Options());  // second start: nothing is built
  ASSERT_TRUE(repo);
  EXPECT_EQ(builds() - start, 1);
  EXPECT_EQ(Output(*repo, "m"), 1.0f);
  repo.reset();

  ReplaceModel("m", 1, 2.0f);  // changed model
  repo = Open(Options());
  EXPECT_EQ(builds() - start, 2);
  EXPECT_EQ(Output(*repo, "m"), 2.0f);
  repo.reset();

  repo_.SetConfig("m", repository_testing::BasicConfig() +
                           "profiles:\n  - name: small\n    shapes: {x: {min: [1, 4], opt: [2, "
                           "4], max: [4, 4]}}\n");  // changed build config
  repo = Open(Options());
  EXPECT_EQ(builds() - start, 3);
  ASSERT_TRUE(repo->Find("m", "").ok());
  EXPECT_EQ((*repo->Find("m", ""))->plan().profiles()[0].name, "small");
  repo.reset();

  for (const auto& e : fs::directory_iterator(cache_dir))
    repository_testing::WriteFile(e.path(), "junk");
  repo = Open(Options());  // corrupt cache: rebuilt, still served
  EXPECT_EQ(builds() - start, 4);
  EXPECT_EQ(Output(*repo, "m"), 2.0f);
  repo.reset();
  repo = Open(Options());
  EXPECT_EQ(builds() - start, 4);
}

}  // namespace
}  // namespace trt::server
