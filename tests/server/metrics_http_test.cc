// server/metrics_http: the Prometheus text (parsed back line by line) and the HTTP endpoint.
#include "server/metrics_http.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <set>
#include <sstream>

namespace trt::server {
namespace {

using ::testing::HasSubstr;

// A parsed exposition: families (name -> type, with help) and samples keyed by
// "name{label=value,...}" with labels sorted and unescaped.
struct Exposition {
  std::map<std::string, std::string> types;
  std::map<std::string, std::string> helps;
  std::map<std::string, double> samples;
  std::vector<std::string> errors;

  double at(const std::string& key) const {
    auto it = samples.find(key);
    EXPECT_NE(it, samples.end()) << "missing sample " << key;
    return it == samples.end() ? -1 : it->second;
  }
};

// The family a sample belongs to (histogram suffixes stripped when the base is a histogram).
std::string FamilyOf(const std::string& name, const Exposition& e) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const std::string base = name.substr(0, name.size() - s.size());
      auto it = e.types.find(base);
      if (it != e.types.end() && it->second == "histogram") return base;
    }
  }
  return name;
}

Exposition Parse(const std::string& text) {
  Exposition e;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      const std::string rest = line.substr(7);
      e.helps[rest.substr(0, rest.find(' '))] = rest.substr(rest.find(' ') + 1);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream parts(line.substr(7));
      std::string name, type;
      parts >> name >> type;
      if (e.types.count(name)) e.errors.push_back("TYPE twice for " + name);
      if (!e.helps.count(name)) e.errors.push_back("TYPE before HELP for " + name);
      e.types[name] = type;
      continue;
    }
    const size_t brace = line.find('{');
    const std::string name = line.substr(0, brace);
    std::map<std::string, std::string> labels;
    size_t i = brace + 1;
    while (i < line.size() && line[i] != '}') {
      const size_t eq = line.find('=', i);
      const std::string key = line.substr(i, eq - i);
      std::string value;
      size_t j = eq + 2;  // after ="
      for (; line[j] != '"'; ++j) {
        if (line[j] == '\\') {
          ++j;
          value += line[j] == 'n' ? '\n' : line[j];
        } else {
          value += line[j];
        }
      }
      labels[key] = value;
      i = j + 1;
      if (line[i] == ',') ++i;
    }
    std::string key = name + "{";
    for (const auto& [k, v] : labels) key += k + "=" + v + ",";
    key += "}";
    if (!e.types.count(FamilyOf(name, e))) e.errors.push_back("sample before TYPE: " + line);
    e.samples[key] = std::stod(line.substr(line.find("} ") + 2));
  }
  return e;
}

std::vector<ModelStatsSnapshot> SampleStats() {
  ModelStats a("digits", 1, {"latency", "dynamic"});
  a.RecordExecution(1, 3, 192, 12, 100, 1000, 10);
  a.RecordSuccess(2, 5000, 30'000, 100, 1000, 10);   // 30 us in the queue
  a.RecordSuccess(1, 4000, 700'000, 100, 1000, 10);  // 700 us
  a.RecordFailure("timeout", 9000, 9000);
  a.RecordRejected("queue_full");
  a.RecordRejected("queue_full");
  a.SetQueueDepth(5);
  ModelStats b("we\"ird\\name\n", 2, {"p\"1"});
  b.RecordExecution(0, 1, 64, 0, 1, 1, 1);
  return {a.Snapshot(), b.Snapshot()};
}

TEST(MetricsTextTest, CountersGaugesAndProfilesParseBack) {
  Exposition e = Parse(RenderPrometheusText(SampleStats()));
  EXPECT_TRUE(e.errors.empty()) << ::testing::PrintToString(e.errors);
  EXPECT_EQ(e.types["trtserve_requests_total"], "counter");
  EXPECT_EQ(e.types["trtserve_queue_depth"], "gauge");
  EXPECT_EQ(e.types["trtserve_batch_size"], "histogram");
  EXPECT_EQ(e.at("trtserve_requests_total{model=digits,version=1,}"), 5);
  EXPECT_EQ(e.at("trtserve_request_success_total{model=digits,version=1,}"), 2);
  EXPECT_EQ(e.at("trtserve_request_failure_total{model=digits,reason=queue_full,version=1,}"), 2);
  EXPECT_EQ(e.at("trtserve_request_failure_total{model=digits,reason=timeout,version=1,}"), 1);
  EXPECT_EQ(e.at("trtserve_inference_items_total{model=digits,version=1,}"), 3);
  EXPECT_EQ(e.at("trtserve_executions_total{model=digits,version=1,}"), 1);
  EXPECT_EQ(e.at("trtserve_queue_depth{model=digits,version=1,}"), 5);
  EXPECT_EQ(e.at("trtserve_profile_executions_total{model=digits,profile=dynamic,version=1,}"), 1);
  EXPECT_EQ(e.at("trtserve_profile_executions_total{model=digits,profile=latency,version=1,}"), 0);
  EXPECT_EQ(e.at("trtserve_profile_items_total{model=digits,profile=dynamic,version=1,}"), 3);
  EXPECT_EQ(
      e.at("trtserve_profile_padding_elements_total{model=digits,profile=dynamic,version=1,}"), 12);
  EXPECT_EQ(e.at("trtserve_profile_elements_total{model=digits,profile=dynamic,version=1,}"), 192);
}

TEST(MetricsTextTest, HistogramsAreCumulativeWithInfEqualToCount) {
  Exposition e = Parse(RenderPrometheusText(SampleStats()));
  const std::string labels = "model=digits,version=1,";
  // Queue: 30 us, 700 us (successes) and 9 us (the timeout) -> buckets 50: 2, 1000: 3.
  EXPECT_EQ(e.at("trtserve_queue_duration_us_bucket{le=50," + labels + "}"), 2);
  EXPECT_EQ(e.at("trtserve_queue_duration_us_bucket{le=500," + labels + "}"), 2);
  EXPECT_EQ(e.at("trtserve_queue_duration_us_bucket{le=1000," + labels + "}"), 3);
  EXPECT_EQ(e.at("trtserve_queue_duration_us_bucket{le=+Inf," + labels + "}"), 3);
  EXPECT_EQ(e.at("trtserve_queue_duration_us_count{" + labels + "}"), 3);
  EXPECT_DOUBLE_EQ(e.at("trtserve_queue_duration_us_sum{" + labels + "}"), 739);
  EXPECT_EQ(e.at("trtserve_batch_size_bucket{le=2," + labels + "}"), 0);
  EXPECT_EQ(e.at("trtserve_batch_size_bucket{le=4," + labels + "}"), 1);
  EXPECT_EQ(e.at("trtserve_compute_duration_us_count{" + labels + "}"), 1);
  EXPECT_DOUBLE_EQ(e.at("trtserve_compute_duration_us_sum{" + labels + "}"), 1.11);
  // The buckets never decrease.
  std::vector<double> bounds = DurationBucketsUs();
  double prev = 0;
  for (double b : bounds) {
    const double v =
        e.at("trtserve_queue_duration_us_bucket{le=" + std::to_string(static_cast<long long>(b)) +
             "," + labels + "}");
    EXPECT_GE(v, prev) << b;
    prev = v;
  }
}

TEST(MetricsTextTest, LabelValuesAreEscaped) {
  const std::string text = RenderPrometheusText(SampleStats());
  EXPECT_THAT(text, HasSubstr("model=\"we\\\"ird\\\\name\\n\",version=\"2\""));
  EXPECT_THAT(text, HasSubstr("profile=\"p\\\"1\""));
  Exposition e = Parse(text);
  EXPECT_EQ(e.at("trtserve_executions_total{model=we\"ird\\name\n,version=2,}"), 1);
}

TEST(MetricsTextTest, EveryFamilyIsDeclaredEvenWithoutModels) {
  Exposition e = Parse(RenderPrometheusText({}));
  EXPECT_TRUE(e.samples.empty());
  EXPECT_EQ(e.types.size(), 13u);
  for (const auto& [name, type] : e.types) EXPECT_FALSE(e.helps[name].empty()) << name;
}

TEST(MetricsHttpTest, ServesMetricsOverHttpOnAnEphemeralPort) {
  std::atomic<int> scrapes{0};
  auto server = MetricsHttpServer::Start("127.0.0.1:0", [&scrapes] {
    ++scrapes;
    return SampleStats();
  });
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);
  EXPECT_EQ((*server)->address(), "127.0.0.1:" + std::to_string((*server)->port()));
  httplib::Client client("127.0.0.1", (*server)->port());
  client.set_connection_timeout(10);
  client.set_read_timeout(30);
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), kPrometheusContentType);
  EXPECT_EQ(res->body, RenderPrometheusText(SampleStats()));
  EXPECT_EQ(scrapes.load(), 1);
  auto missing = client.Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  // The same port again is refused with a message naming the flag.
  auto second = MetricsHttpServer::Start((*server)->address(), [] { return SampleStats(); });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr("--metrics-address"));

  (*server)->Stop();
  (*server)->Stop();  // idempotent
  httplib::Client after("127.0.0.1", (*server)->port());
  after.set_connection_timeout(2);
  EXPECT_FALSE(after.Get("/metrics"));
}

TEST(MetricsHttpTest, MalformedAddressesAreRejected) {
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", ":8002", "127.0.0.1:99999", "host:abc"}) {
    auto s = MetricsHttpServer::Start(bad, [] { return std::vector<ModelStatsSnapshot>{}; });
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.status().message(), HasSubstr("--metrics-address")) << bad;
  }
}

}  // namespace
}  // namespace trt::server
