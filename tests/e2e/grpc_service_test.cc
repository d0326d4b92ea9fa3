// End-to-end tests of every RPC of the KServe v2 / Triton gRPC service over loopback, against
// an in-process server on an ephemeral port serving the digits CNN.
#include <gmock/gmock.h>

#include <set>
#include <thread>

#include "tests/e2e/server_test_util.h"

namespace trt::e2e {
namespace {

using ::testing::HasSubstr;

class GrpcServiceTest : public ::testing::Test {
 protected:
  void StartServer(bool explicit_mode = false, std::vector<std::string> startup = {},
                   int64_t max_message_bytes = int64_t{64} << 20, int poll_interval_s = 0) {
    server::RepositoryOptions repo;
    repo.root = root_;
    repo.poll_interval_s = poll_interval_s;
    repo.control_mode = explicit_mode ? server::RepositoryOptions::ControlMode::kExplicit
                                      : server::RepositoryOptions::ControlMode::kAll;
    repo.startup_models = std::move(startup);
    server::GrpcServerOptions grpc;
    grpc.max_message_bytes = max_message_bytes;
    grpc.service.explicit_model_control = explicit_mode;
    grpc.health_sync_interval_s = poll_interval_s;
    auto s = InProcessServer::Start(repo, grpc);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(s).value();
  }
  void SetUp() override {
    root_ = TempDir("grpc_service_" +
                    std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    WriteDigitsModel(root_, "digits", DigitsYaml());
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(root_);
  }
  inference::GRPCInferenceService::Stub& stub() { return server_->stub(); }

  std::string root_;
  std::unique_ptr<InProcessServer> server_;
};

TEST_F(GrpcServiceTest, ServerLiveReadyAndMetadata) {
  StartServer();
  grpc::ClientContext c1, c2, c3;
  inference::ServerLiveResponse live;
  ASSERT_TRUE(stub().ServerLive(&c1, {}, &live).ok());
  EXPECT_TRUE(live.live());
  inference::ServerReadyResponse ready;
  ASSERT_TRUE(stub().ServerReady(&c2, {}, &ready).ok());
  EXPECT_TRUE(ready.ready());
  inference::ServerMetadataResponse meta;
  ASSERT_TRUE(stub().ServerMetadata(&c3, {}, &meta).ok());
  EXPECT_EQ(meta.name(), "trtserve");
  EXPECT_FALSE(meta.version().empty());
  EXPECT_EQ(std::vector<std::string>(meta.extensions().begin(), meta.extensions().end()),
            (std::vector<std::string>{"model_repository", "schedule_policy", "model_configuration",
                                      "statistics"}));
}

TEST_F(GrpcServiceTest, ModelReadyForKnownUnknownModelsAndVersions) {
  StartServer();
  auto ready = [&](const std::string& name, const std::string& version, bool* out) {
    grpc::ClientContext ctx;
    inference::ModelReadyRequest req;
    req.set_name(name);
    req.set_version(version);
    inference::ModelReadyResponse resp;
    grpc::Status s = stub().ModelReady(&ctx, req, &resp);
    *out = resp.ready();
    return s;
  };
  bool r = false;
  ASSERT_TRUE(ready("digits", "", &r).ok());
  EXPECT_TRUE(r);
  ASSERT_TRUE(ready("digits", "1", &r).ok());
  EXPECT_TRUE(r);
  grpc::Status s = ready("digits", "7", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("7"));
  s = ready("nope", "", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("digits"));  // lists what is available
}

TEST_F(GrpcServiceTest, ModelMetadataAndConfig) {
  StartServer();
  grpc::ClientContext c1, c2, c3;
  inference::ModelMetadataRequest mreq;
  mreq.set_name("digits");
  inference::ModelMetadataResponse meta;
  ASSERT_TRUE(stub().ModelMetadata(&c1, mreq, &meta).ok());
  EXPECT_EQ(meta.name(), "digits");
  EXPECT_EQ(meta.platform(), "trtserve_plan");
  ASSERT_EQ(meta.versions_size(), 1);
  EXPECT_EQ(meta.versions(0), "1");
  ASSERT_EQ(meta.inputs_size(), 1);
  EXPECT_EQ(meta.inputs(0).name(), "input");
  EXPECT_EQ(meta.inputs(0).datatype(), "FP32");
  EXPECT_EQ(std::vector<int64_t>(meta.inputs(0).shape().begin(), meta.inputs(0).shape().end()),
            (std::vector<int64_t>{-1, 1, 8, 8}));
  ASSERT_EQ(meta.outputs_size(), 2);

  inference::ModelConfigRequest creq;
  creq.set_name("digits");
  inference::ModelConfigResponse config;
  ASSERT_TRUE(stub().ModelConfig(&c2, creq, &config).ok());
  const auto& c = config.config();
  EXPECT_EQ(c.max_batch_size(), 16);
  EXPECT_EQ(c.backend(), "trtserve");
  ASSERT_EQ(c.input_size(), 1);
  EXPECT_EQ(c.input(0).data_type(), inference::TYPE_FP32);
  EXPECT_EQ(std::vector<int64_t>(c.input(0).dims().begin(), c.input(0).dims().end()),
            (std::vector<int64_t>{1, 8, 8}));
  ASSERT_EQ(c.instance_group_size(), 1);
  EXPECT_EQ(c.instance_group(0).kind(), inference::ModelInstanceGroup::KIND_CPU);
  EXPECT_EQ(std::vector<std::string>(c.instance_group(0).profile().begin(),
                                     c.instance_group(0).profile().end()),
            (std::vector<std::string>{"latency", "dynamic"}));
  EXPECT_TRUE(c.has_dynamic_batching());

  creq.set_name("nope");
  EXPECT_EQ(stub().ModelConfig(&c3, creq, &config).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(GrpcServiceTest, ModelInferMatchesReferenceAndHonoursRequestedOutputs) {
  StartServer();
  inference::ModelInferRequest req = DigitsRequest("digits", 0, 16, "all-16");
  inference::ModelInferResponse resp;
  grpc::Status s = Infer(stub(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.model_name(), "digits");
  EXPECT_EQ(resp.model_version(), "1");
  EXPECT_EQ(resp.id(), "all-16");
  ASSERT_EQ(resp.outputs_size(), 2);  // every output, in model order
  EXPECT_EQ(resp.outputs(0).name(), "logits");
  EXPECT_EQ(testing::CompareTensors(OutputNamed(resp, "logits"), Logits(0, 16), {1e-4, 1e-4}), "");

  req.add_outputs()->set_name("probabilities");
  req.set_model_version("1");
  inference::ModelInferResponse only;
  s = Infer(stub(), req, &only);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(only.outputs_size(), 1);
  EXPECT_EQ(only.outputs(0).name(), "probabilities");
  EXPECT_EQ(std::vector<int64_t>(only.outputs(0).shape().begin(), only.outputs(0).shape().end()),
            (std::vector<int64_t>{16, 10}));
}

TEST_F(GrpcServiceTest, StreamInferAnswersEveryRequestByIdAndKeepsGoingAfterErrors) {
  StartServer();
  std::vector<inference::ModelInferRequest> requests;
  for (int i = 0; i < 8; ++i)
    requests.push_back(DigitsRequest("digits", i, 1 + i % 3, std::to_string(i)));
  requests.push_back(DigitsRequest("nope", 0, 1, "unknown-model"));
  inference::ModelInferRequest bad = DigitsRequest("digits", 0, 1, "bad-size");
  bad.mutable_raw_input_contents(0)->resize(10);
  requests.push_back(bad);
  for (int i = 8; i < 12; ++i) requests.push_back(DigitsRequest("digits", i, 2, std::to_string(i)));

  StreamResult r = RunStream(stub(), requests);
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  ASSERT_EQ(r.responses.size(), requests.size());
  std::map<std::string, const inference::ModelStreamInferResponse*> by_id;
  for (const auto& resp : r.responses) by_id[resp.infer_response().id()] = &resp;
  ASSERT_EQ(by_id.size(), requests.size()) << "every id answered exactly once";
  EXPECT_THAT(by_id["unknown-model"]->error_message(), HasSubstr("NOT_FOUND"));
  EXPECT_THAT(by_id["bad-size"]->error_message(),
              HasSubstr("input 'input': expected 256 bytes for FP32 [1, 1, 8, 8], got 10"));
  for (int i = 0; i < 12; ++i) {
    const auto& resp = *by_id[std::to_string(i)];
    ASSERT_EQ(resp.error_message(), "") << i;
    const int rows = i < 8 ? 1 + i % 3 : 2;
    EXPECT_EQ(testing::CompareTensors(OutputNamed(resp.infer_response(), "logits"), Logits(i, rows),
                                      {1e-4, 1e-4}),
              "")
        << "request " << i;
  }
}

TEST_F(GrpcServiceTest, StreamWithASlowReaderIsThrottledAndLosesNothing) {
  StartServer();
  // A client with a small receive window (no BDP growth): answers of 16 rows (~1.4 kB each)
  // fill it long before the server has read every request, so unwritten answers pile up.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 16 << 10);
  auto channel = grpc::CreateCustomChannel(server_->grpc().address(),
                                           grpc::InsecureChannelCredentials(), args);
  auto small_window = inference::GRPCInferenceService::NewStub(channel);
  constexpr int kRequests = 600;
  grpc::ClientContext ctx;
  SetDeadline(&ctx, 120);
  auto stream = small_window->ModelStreamInfer(&ctx);
  std::thread writer([&] {
    for (int i = 0; i < kRequests; ++i) {
      if (!stream->Write(DigitsRequest("digits", i, 16, std::to_string(i)))) break;
    }
    stream->WritesDone();
  });
  // Start reading late: answers pile up on the server until it stops reading requests.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::set<std::string> ids;
  inference::ModelStreamInferResponse resp;
  int errors = 0;
  while (stream->Read(&resp)) {
    ids.insert(resp.infer_response().id());
    errors += resp.error_message().empty() ? 0 : 1;
  }
  writer.join();
  grpc::Status s = stream->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kRequests));
}

TEST_F(GrpcServiceTest, ClientCancellingStreamsAndCallsLeavesTheServerServing) {
  StartServer();
  for (int round = 0; round < 3; ++round) {
    grpc::ClientContext ctx;
    auto stream = stub().ModelStreamInfer(&ctx);
    for (int i = 0; i < 300; ++i) {
      if (!stream->Write(DigitsRequest("digits", i, 16, std::to_string(i)))) break;
    }
    ctx.TryCancel();  // with requests in flight and answers unwritten
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  grpc::ClientContext expired;
  expired.set_deadline(std::chrono::system_clock::now() + std::chrono::microseconds(1));
  inference::ModelInferResponse resp;
  EXPECT_FALSE(stub().ModelInfer(&expired, DigitsRequest("digits", 0, 16), &resp).ok());
  grpc::Status s = Infer(stub(), DigitsRequest("digits", 0, 2), &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(testing::CompareTensors(OutputNamed(resp, "logits"), Logits(0, 2), {1e-4, 1e-4}), "");
}

TEST_F(GrpcServiceTest, StreamWithoutRequestsFinishesCleanly) {
  StartServer();
  StreamResult r = RunStream(stub(), {});
  EXPECT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_TRUE(r.responses.empty());
}

TEST_F(GrpcServiceTest, ModelStatisticsForOneAllAndUnknownModels) {
  StartServer();
  inference::ModelInferResponse resp;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Infer(stub(), DigitsRequest("digits", i, 2), &resp).ok());
  grpc::ClientContext c1, c2, c3, c4;
  inference::ModelStatisticsRequest req;
  inference::ModelStatisticsResponse all;
  ASSERT_TRUE(stub().ModelStatistics(&c1, req, &all).ok());
  ASSERT_EQ(all.model_stats_size(), 1);
  const auto& st = all.model_stats(0);
  EXPECT_EQ(st.name(), "digits");
  EXPECT_EQ(st.version(), "1");
  EXPECT_EQ(st.inference_count(), 6u);
  EXPECT_EQ(st.inference_stats().success().count(), 3u);
  EXPECT_GE(st.execution_count(), 1u);
  EXPECT_GT(st.last_inference(), 0u);
  EXPECT_GT(st.batch_stats_size(), 0);

  req.set_name("digits");
  inference::ModelStatisticsResponse one;
  ASSERT_TRUE(stub().ModelStatistics(&c2, req, &one).ok());
  EXPECT_EQ(one.model_stats_size(), 1);
  req.set_version("1");
  ASSERT_TRUE(stub().ModelStatistics(&c3, req, &one).ok());
  req.set_name("nope");
  req.set_version("");
  EXPECT_EQ(stub().ModelStatistics(&c4, req, &one).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(GrpcServiceTest, RepositoryIndexListsReadyAndBrokenModels) {
  WriteDigitsModel(root_, "broken", "max_batch_size: 16\nno_such_key: 1\n");
  StartServer();
  grpc::ClientContext c1, c2, c3;
  inference::RepositoryIndexResponse index;
  ASSERT_TRUE(stub().RepositoryIndex(&c1, {}, &index).ok());
  std::map<std::string, inference::RepositoryIndexResponse::ModelIndex> rows;
  for (const auto& m : index.models()) rows[m.name()] = m;
  ASSERT_EQ(rows.count("digits"), 1u);
  ASSERT_EQ(rows.count("broken"), 1u);
  EXPECT_EQ(rows["digits"].state(), "READY");
  EXPECT_EQ(rows["digits"].version(), "1");
  EXPECT_NE(rows["broken"].state(), "READY");
  EXPECT_THAT(rows["broken"].reason(), HasSubstr("no_such_key"));

  inference::RepositoryIndexRequest ready_only;
  ready_only.set_ready(true);
  ASSERT_TRUE(stub().RepositoryIndex(&c2, ready_only, &index).ok());
  ASSERT_EQ(index.models_size(), 1);
  EXPECT_EQ(index.models(0).name(), "digits");
  // A model that should be loaded is not: the server is not ready, and says so in health.
  inference::ServerReadyResponse ready;
  ASSERT_TRUE(stub().ServerReady(&c3, {}, &ready).ok());
  EXPECT_FALSE(ready.ready());
  EXPECT_EQ(HealthStatus(server_->channel(), ""), 2);
  EXPECT_EQ(HealthStatus(server_->channel(), "digits"), 1);
  EXPECT_EQ(HealthStatus(server_->channel(), "broken"), 2);
}

TEST_F(GrpcServiceTest, LoadAndUnloadNeedExplicitModelControl) {
  StartServer();
  grpc::ClientContext c1, c2;
  inference::RepositoryModelLoadRequest load;
  load.set_model_name("digits");
  inference::RepositoryModelLoadResponse lr;
  grpc::Status s = stub().RepositoryModelLoad(&c1, load, &lr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("--model-control explicit"));
  inference::RepositoryModelUnloadRequest unload;
  unload.set_model_name("digits");
  inference::RepositoryModelUnloadResponse ur;
  s = stub().RepositoryModelUnload(&c2, unload, &ur);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Still serving.
  inference::ModelInferResponse resp;
  EXPECT_TRUE(Infer(stub(), DigitsRequest("digits", 0, 1), &resp).ok());
}

TEST_F(GrpcServiceTest, ExplicitModeLoadsAndUnloadsThroughTheApiAndHealthFollows) {
  WriteDigitsModel(root_, "second", DigitsYaml());
  StartServer(/*explicit_mode=*/true, {"second"});
  auto infer_code = [&](const std::string& model) {
    inference::ModelInferResponse resp;
    return Infer(stub(), DigitsRequest(model, 0, 1), &resp).error_code();
  };
  EXPECT_EQ(infer_code("second"), grpc::StatusCode::OK);
  EXPECT_NE(infer_code("digits"), grpc::StatusCode::OK);  // not loaded yet
  EXPECT_EQ(HealthStatus(server_->channel(), "second"), 1);
  EXPECT_NE(HealthStatus(server_->channel(), "digits"), 1);

  {
    grpc::ClientContext ctx;
    SetDeadline(&ctx, 120);
    inference::RepositoryModelLoadRequest load;
    load.set_model_name("digits");
    inference::RepositoryModelLoadResponse lr;
    grpc::Status s = stub().RepositoryModelLoad(&ctx, load, &lr);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(infer_code("digits"), grpc::StatusCode::OK);
  EXPECT_EQ(HealthStatus(server_->channel(), "digits"), 1);
  {
    grpc::ClientContext ctx;
    inference::RepositoryModelLoadRequest load;
    load.set_model_name("digits");
    (*load.mutable_parameters())["config"].set_string_param("{}");
    inference::RepositoryModelLoadResponse lr;
    grpc::Status s = stub().RepositoryModelLoad(&ctx, load, &lr);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("config.yaml"));
  }
  {
    grpc::ClientContext ctx;
    inference::RepositoryModelLoadRequest load;
    load.set_model_name("missing");
    inference::RepositoryModelLoadResponse lr;
    EXPECT_EQ(stub().RepositoryModelLoad(&ctx, load, &lr).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext ctx;
    inference::RepositoryModelUnloadRequest unload;
    unload.set_model_name("digits");
    inference::RepositoryModelUnloadResponse ur;
    grpc::Status s = stub().RepositoryModelUnload(&ctx, unload, &ur);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_NE(infer_code("digits"), grpc::StatusCode::OK);
  EXPECT_EQ(HealthStatus(server_->channel(), "digits"), 2);
  EXPECT_EQ(infer_code("second"), grpc::StatusCode::OK);
}

TEST_F(GrpcServiceTest, HealthAndReflection) {
  StartServer();
  EXPECT_EQ(HealthStatus(server_->channel(), ""), 1);
  EXPECT_EQ(HealthStatus(server_->channel(), "inference.GRPCInferenceService"), 1);
  EXPECT_EQ(HealthStatus(server_->channel(), "digits"), 1);
  EXPECT_EQ(HealthStatus(server_->channel(), "no-such-service"),
            -static_cast<int>(grpc::StatusCode::NOT_FOUND));
  const std::string services = ReflectionListServices(server_->channel());
  EXPECT_THAT(services, HasSubstr("inference.GRPCInferenceService"));
  EXPECT_THAT(services, HasSubstr("grpc.health.v1.Health"));
}

TEST_F(GrpcServiceTest, TritonRpcsWeDoNotImplementAnswerUnimplemented) {
  StartServer();
  for (const char* method :
       {"SystemSharedMemoryStatus", "SystemSharedMemoryRegister", "CudaSharedMemoryStatus",
        "CudaSharedMemoryRegister", "TraceSetting", "LogSettings"}) {
    grpc::Status s = RawUnaryCall(
        server_->channel(), std::string("/inference.GRPCInferenceService/") + method, "", nullptr);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED) << method;
  }
  // The server is unaffected.
  inference::ModelInferResponse resp;
  EXPECT_TRUE(Infer(stub(), DigitsRequest("digits", 0, 1), &resp).ok());
}

TEST_F(GrpcServiceTest, OversizedMessageIsResourceExhaustedAndServingContinues) {
  StartServer(false, {}, /*max_message_bytes=*/64 << 10);
  inference::ModelInferResponse resp;
  // 300 rows x 256 bytes = 76,800 bytes > 64 KiB.
  inference::ModelInferRequest big = DigitsRequest("digits", 0, 300);
  grpc::Status s = Infer(stub(), big, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  s = Infer(stub(), DigitsRequest("digits", 0, 4), &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(GrpcServiceTest, BeginShutdownTurnsNotReadyAndRefusesNewInference) {
  StartServer();
  server_->grpc().service().BeginShutdown();
  EXPECT_EQ(HealthStatus(server_->channel(), ""), 2);
  EXPECT_EQ(HealthStatus(server_->channel(), "inference.GRPCInferenceService"), 2);
  EXPECT_EQ(HealthStatus(server_->channel(), "digits"), 2);
  grpc::ClientContext ctx;
  inference::ServerReadyResponse ready;
  ASSERT_TRUE(stub().ServerReady(&ctx, {}, &ready).ok());
  EXPECT_FALSE(ready.ready());
  inference::ModelInferResponse resp;
  grpc::Status s = Infer(stub(), DigitsRequest("digits", 0, 1), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.error_message(), HasSubstr("shutting down"));
  StreamResult r = RunStream(stub(), {DigitsRequest("digits", 0, 1, "late")});
  ASSERT_EQ(r.responses.size(), 1u);
  EXPECT_THAT(r.responses[0].error_message(), HasSubstr("UNAVAILABLE"));
}

TEST_F(GrpcServiceTest, HealthFollowsModelsThatAPollingRepositoryAddsAndRemoves) {
  StartServer(false, {}, int64_t{64} << 20, /*poll_interval_s=*/1);
  EXPECT_EQ(HealthStatus(server_->channel(), "added"),
            -static_cast<int>(grpc::StatusCode::NOT_FOUND));
  WriteDigitsModel(root_, "added", DigitsYaml());
  int status = 0;
  for (int i = 0; i < 600 && status != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = HealthStatus(server_->channel(), "added");
  }
  EXPECT_EQ(status, 1) << "the new model never became SERVING";
  inference::ModelInferResponse resp;
  EXPECT_TRUE(Infer(stub(), DigitsRequest("added", 0, 1), &resp).ok());
  fs::remove_all(fs::path(root_) / "added");
  for (int i = 0; i < 600 && status == 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = HealthStatus(server_->channel(), "added");
  }
  EXPECT_EQ(status, 2) << "the removed model is still SERVING";
}

}  // namespace
}  // namespace trt::e2e
