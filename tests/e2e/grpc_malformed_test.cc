// End-to-end: malformed and unserviceable requests each get the right gRPC code and a message
// naming the tensor with expected and actual values, and the server keeps serving afterwards.
#include <gmock/gmock.h>

#include "tests/e2e/server_test_util.h"

namespace trt::e2e {
namespace {

using inference::ModelInferRequest;
using ::testing::HasSubstr;

struct Case {
  std::string name;
  ModelInferRequest request;
  grpc::StatusCode code;
  std::vector<std::string> message_parts;  // each must appear in the error message
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  auto add = [&](std::string name, ModelInferRequest r, grpc::StatusCode code,
                 std::vector<std::string> parts) {
    cases.push_back({std::move(name), std::move(r), code, std::move(parts)});
  };
  const auto good = [] { return DigitsRequest("digits", 0, 1, "x"); };
  using C = grpc::StatusCode;

  Tensor f64(DType::kFloat64, Shape{1, 1, 8, 8});
  add("wrong dtype", MakeRawRequest("digits", {{"input", f64}}), C::INVALID_ARGUMENT,
      {"input 'input'", "FP64", "expected FP32"});
  add("wrong rank", MakeRawRequest("digits", {{"input", Iota(Shape{1, 8, 8})}}),
      C::INVALID_ARGUMENT, {"input 'input'", "[1, 8, 8]", "rank 3", "rank 4"});
  add("wrong dim", MakeRawRequest("digits", {{"input", Iota(Shape{1, 1, 9, 8})}}),
      C::INVALID_ARGUMENT, {"input 'input'", "[1, 1, 9, 8]", "dim 2 must be 8"});
  ModelInferRequest short_bytes = good();
  short_bytes.mutable_raw_input_contents(0)->resize(255);
  add("wrong byte size", short_bytes, C::INVALID_ARGUMENT,
      {"model 'digits': input 'input': expected 256 bytes for FP32 [1, 1, 8, 8], got 255"});
  ModelInferRequest no_inputs;
  no_inputs.set_model_name("digits");
  add("missing input", no_inputs, C::INVALID_ARGUMENT, {"missing input 'input'", "FP32"});
  ModelInferRequest extra = good();
  AddRawInput(&extra, "extra", Iota(Shape{1, 4}));
  add("extra input", extra, C::INVALID_ARGUMENT, {"unexpected input 'extra'", "input"});
  add("batch outside every profile", DigitsRequest("gappy", 0, 3), C::INVALID_ARGUMENT,
      {"batch 3", "[2, 2]", "[8, 8]"});
  add("batch above max_batch_size", DigitsRequest("digits", 0, 17), C::INVALID_ARGUMENT,
      {"batch 17", "max_batch_size 16"});
  add("unknown model", DigitsRequest("nope", 0, 1), C::NOT_FOUND, {"'nope'", "digits"});
  ModelInferRequest version = good();
  version.set_model_version("7");
  add("unknown version", version, C::NOT_FOUND, {"digits", "7"});
  add("empty request", ModelInferRequest(), C::INVALID_ARGUMENT, {"model_name"});
  ModelInferRequest both = good();
  both.mutable_inputs(0)->mutable_contents()->add_fp32_contents(1.f);
  add("raw and typed contents", both, C::INVALID_ARGUMENT,
      {"input 'input'", "raw_input_contents", "contents"});
  ModelInferRequest typed_short;
  typed_short.set_model_name("digits");
  auto* in = typed_short.add_inputs();
  in->set_name("input");
  in->set_datatype("FP32");
  for (int64_t d : {1, 1, 8, 8}) in->add_shape(d);
  in->mutable_contents()->add_fp32_contents(0.5f);
  add("typed contents too short", typed_short, C::INVALID_ARGUMENT,
      {"input 'input'", "expected 64 values", "got 1"});
  ModelInferRequest output = good();
  output.add_outputs()->set_name("nope");
  add("unknown output", output, C::INVALID_ARGUMENT, {"unknown output 'nope'", "logits"});
  ModelInferRequest priority = good();
  (*priority.mutable_parameters())["priority"].set_int64_param(5);
  add("priority out of range", priority, C::INVALID_ARGUMENT, {"priority 5"});
  ModelInferRequest datatype = good();
  datatype.mutable_inputs(0)->set_datatype("BYTES");
  add("BYTES input", datatype, C::INVALID_ARGUMENT, {"input 'input'", "BYTES"});
  // 4,500 rows x 256 bytes = 1.15 MB: above the server's 1 MiB message limit.
  add("oversized message", DigitsRequest("digits", 0, 4500), C::RESOURCE_EXHAUSTED, {});
  return cases;
}

TEST(GrpcMalformedTest, EveryBadRequestGetsTheRightCodeAndTheServerKeepsServing) {
  const std::string root = TempDir("grpc_malformed");
  const std::string profiles_16 =
      "profiles:\n"
      "  - name: dynamic\n"
      "    shapes: {input: {min: [1, 1, 8, 8], opt: [4, 1, 8, 8], max: [16, 1, 8, 8]}}\n";
  WriteDigitsModel(root, "digits",
                   "max_batch_size: 16\n" + profiles_16 + "warmup: {iterations: 0}\n");
  WriteDigitsModel(root, "gappy",
                   "max_batch_size: 8\n"
                   "profiles:\n"
                   "  - name: pairs\n"
                   "    shapes: {input: [2, 1, 8, 8]}\n"
                   "  - name: eights\n"
                   "    shapes: {input: [8, 1, 8, 8]}\n"
                   "warmup: {iterations: 0}\n");
  server::RepositoryOptions repo;
  repo.root = root;
  server::GrpcServerOptions grpc;
  grpc.max_message_bytes = 1 << 20;
  auto server = InProcessServer::Start(repo, grpc);
  ASSERT_TRUE(server.ok()) << server.status();
  auto& stub = (*server)->stub();

  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    inference::ModelInferResponse resp;
    grpc::Status s = Infer(stub, c.request, &resp);
    EXPECT_EQ(s.error_code(), c.code) << s.error_message();
    for (const std::string& part : c.message_parts) {
      EXPECT_THAT(s.error_message(), HasSubstr(part));
    }
    // The same request on a stream: the error comes back in-band and the stream goes on.
    if (c.code != grpc::StatusCode::RESOURCE_EXHAUSTED) {
      StreamResult r = RunStream(stub, {c.request, DigitsRequest("digits", 1, 1, "after")});
      ASSERT_TRUE(r.status.ok()) << r.status.error_message();
      ASSERT_EQ(r.responses.size(), 2u);
      int errors = 0;
      for (const auto& sr : r.responses) {
        if (sr.error_message().empty()) {
          EXPECT_EQ(sr.infer_response().id(), "after");
        } else {
          ++errors;
          for (const std::string& part : c.message_parts) {
            EXPECT_THAT(sr.error_message(), HasSubstr(part));
          }
        }
      }
      EXPECT_EQ(errors, 1);
    }
    // A good request right after still succeeds, with the right answer.
    grpc::Status ok = Infer(stub, DigitsRequest("digits", 2, 3), &resp);
    ASSERT_TRUE(ok.ok()) << ok.error_message();
    EXPECT_EQ(testing::CompareTensors(OutputNamed(resp, "logits"), Logits(2, 3), {1e-4, 1e-4}), "");
  }
  // Requests the server refused are counted as failures of the model they named.
  server::ModelStatsSnapshot st = (*server)->Stats("digits");
  EXPECT_GT(st.failures["invalid_argument"], 10u);
  server->reset();
  fs::remove_all(root);
}

}  // namespace
}  // namespace trt::e2e
