// server/grpc/convert: KServe request/response/config/statistics translation and its errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "server/grpc/convert.h"
#include "tests/e2e/server_test_util.h"

namespace trt::server {
namespace {

using inference::ModelInferRequest;
using ::testing::HasSubstr;

std::shared_ptr<const ModelInferRequest> Share(ModelInferRequest m) {
  return std::make_shared<const ModelInferRequest>(std::move(m));
}

ModelInferRequest DigitsRequest(int batch = 1) {
  return e2e::MakeRawRequest("digits", {{"input", e2e::Iota(Shape{batch, 1, 8, 8})}}, "req-7");
}

Status ConvertError(ModelInferRequest m) {
  auto r = InferRequestFromProto(Share(std::move(m)));
  return r.ok() ? Status::Ok() : r.status();
}

void ExpectInvalid(ModelInferRequest m, const std::string& needle) {
  Status s = ConvertError(std::move(m));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), HasSubstr(needle));
}

TEST(GrpcConvertTest, RawRequestBecomesInferRequestWithoutCopying) {
  auto message = Share(DigitsRequest(2));
  auto r = InferRequestFromProto(message);
  ASSERT_TRUE(r.ok()) << r.status();
  const InferRequest& req = **r;
  EXPECT_EQ(req.model_name, "digits");
  EXPECT_EQ(req.id, "req-7");
  EXPECT_EQ(req.priority, 0u);
  EXPECT_EQ(req.timeout_us, 0u);
  ASSERT_EQ(req.inputs.size(), 1u);
  const Tensor& t = req.inputs[0].second;
  EXPECT_EQ(req.inputs[0].first, "input");
  EXPECT_EQ(t.dtype(), DType::kFloat32);
  EXPECT_EQ(t.shape(), (Shape{2, 1, 8, 8}));
  EXPECT_EQ(t.data<float>()[127], 127.f);
  // Heap-allocated string data is aligned for float, so the tensor aliases the message...
  EXPECT_EQ(t.raw_data(), static_cast<const void*>(message->raw_input_contents(0).data()));
  // ...and keeps it alive after everyone else let go.
  const long before = message.use_count();
  EXPECT_GT(before, 1);
  runtime::NamedTensors inputs = std::move((*r)->inputs);
  r = Internal("released");
  message.reset();
  EXPECT_EQ(inputs[0].second.data<float>()[5], 5.f);
}

TEST(GrpcConvertTest, TensorFromBytesCopiesMisalignedData) {
  alignas(16) char buffer[1 + 4 * sizeof(float)] = {};
  const float values[4] = {1.5f, -2.f, 3.25f, 4.f};
  std::memcpy(buffer + 1, values, sizeof values);
  std::string_view misaligned(buffer + 1, sizeof values);
  Tensor copied = TensorFromBytes(DType::kFloat32, Shape{4}, misaligned, nullptr);
  EXPECT_NE(copied.raw_data(), static_cast<const void*>(buffer + 1));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(copied.data<float>()[i], values[i]);
  // One-byte elements are always aligned: wrapped in place.
  Tensor wrapped = TensorFromBytes(DType::kUInt8, Shape{4}, misaligned, nullptr);
  EXPECT_EQ(wrapped.raw_data(), static_cast<const void*>(buffer + 1));
  std::string_view aligned(buffer, 4);
  Tensor wrapped_f = TensorFromBytes(DType::kFloat32, Shape{1}, aligned, nullptr);
  EXPECT_EQ(wrapped_f.raw_data(), static_cast<const void*>(buffer));
}

TEST(GrpcConvertTest, WrongByteSizeNamesModelTensorExpectedAndActual) {
  ModelInferRequest m = DigitsRequest();
  m.mutable_raw_input_contents(0)->pop_back();
  Status s = ConvertError(m);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "model 'digits': input 'input': expected 256 bytes for FP32 [1, 1, 8, 8], got 255");
}

TEST(GrpcConvertTest, RawEntryCountMustEqualInputCount) {
  ModelInferRequest m = DigitsRequest();
  m.add_raw_input_contents("extra");
  ExpectInvalid(m, "2 raw_input_contents entries for 1 inputs");
}

TEST(GrpcConvertTest, RawAndTypedContentsTogetherAreRejected) {
  ModelInferRequest m = DigitsRequest();
  auto* typed = m.add_inputs();
  typed->set_name("other");
  typed->set_datatype("FP32");
  typed->add_shape(1);
  typed->mutable_contents()->add_fp32_contents(1.f);
  m.add_raw_input_contents(std::string(4, '\0'));
  ExpectInvalid(m,
                "input 'other': has typed contents while the request also uses "
                "raw_input_contents");
}

TEST(GrpcConvertTest, UnknownAndUnsupportedDatatypes) {
  ModelInferRequest m = DigitsRequest();
  m.mutable_inputs(0)->set_datatype("FP33");
  ExpectInvalid(m, "input 'input': unknown datatype 'FP33'; expected one of BOOL,");
  m.mutable_inputs(0)->set_datatype("fp32");  // the wire spelling is upper case
  ExpectInvalid(m, "unknown datatype 'fp32'");
  m.mutable_inputs(0)->set_datatype("BYTES");
  ExpectInvalid(m, "input 'input': datatype BYTES (strings) is not supported");
}

TEST(GrpcConvertTest, NegativeAndHugeDimsAreRejected) {
  ModelInferRequest m = DigitsRequest();
  m.mutable_inputs(0)->set_shape(1, -1);
  ExpectInvalid(m, "input 'input': shape [1, -1, 8, 8] has a negative dimension");
  m.mutable_inputs(0)->set_shape(1, int64_t{1} << 40);
  ExpectInvalid(m, "input 'input': tensor of shape");
}

TEST(GrpcConvertTest, InputWithoutDataIsRejectedUnlessEmpty) {
  ModelInferRequest m;
  m.set_model_name("digits");
  auto* in = m.add_inputs();
  in->set_name("input");
  in->set_datatype("FP32");
  for (int64_t d : {1, 1, 8, 8}) in->add_shape(d);
  ExpectInvalid(m, "input 'input': has no data: expected 256 bytes for FP32 [1, 1, 8, 8]");
  in->set_shape(0, 0);
  auto r = InferRequestFromProto(Share(m));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->inputs[0].second.shape(), (Shape{0, 1, 8, 8}));
}

TEST(GrpcConvertTest, NamesMustBePresentAndUnique) {
  ModelInferRequest m = DigitsRequest();
  m.set_model_name("");
  ExpectInvalid(m, "the request has no model_name");
  m = DigitsRequest();
  m.mutable_inputs(0)->set_name("");
  ExpectInvalid(m, "model 'digits': input #0 has no name");
  m = DigitsRequest();
  e2e::AddRawInput(&m, "input", e2e::Iota(Shape{1, 1, 8, 8}));
  ExpectInvalid(m, "input 'input' appears twice");
}

// Every dtype with a typed contents field, read back through the tensor.
template <typename T>
void CheckTyped(const std::string& datatype, void (*fill)(inference::InferTensorContents*),
                std::vector<T> expected) {
  ModelInferRequest m;
  m.set_model_name("m");
  auto* in = m.add_inputs();
  in->set_name("x");
  in->set_datatype(datatype);
  in->add_shape(static_cast<int64_t>(expected.size()));
  fill(in->mutable_contents());
  auto r = InferRequestFromProto(Share(m));
  ASSERT_TRUE(r.ok()) << datatype << ": " << r.status();
  const Tensor& t = (*r)->inputs[0].second;
  EXPECT_EQ(t.dtype(), kDTypeOf<T>) << datatype;
  ASSERT_EQ(t.NumElements(), static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(t.data<T>()[i], expected[i]) << datatype;
}

TEST(GrpcConvertTest, TypedContentsOfEverySupportedDtype) {
  using C = inference::InferTensorContents;
  CheckTyped<bool>("BOOL",
                   [](C* c) {
                     c->add_bool_contents(true);
                     c->add_bool_contents(false);
                   },
                   {true, false});
  CheckTyped<int8_t>("INT8",
                     [](C* c) {
                       c->add_int_contents(-128);
                       c->add_int_contents(127);
                     },
                     {-128, 127});
  CheckTyped<int16_t>("INT16",
                      [](C* c) {
                        c->add_int_contents(-32768);
                        c->add_int_contents(300);
                      },
                      {-32768, 300});
  CheckTyped<int32_t>("INT32",
                      [](C* c) {
                        c->add_int_contents(-5);
                        c->add_int_contents(1 << 30);
                      },
                      {-5, 1 << 30});
  CheckTyped<int64_t>("INT64", [](C* c) { c->add_int64_contents(int64_t{1} << 40); },
                      {int64_t{1} << 40});
  CheckTyped<uint8_t>("UINT8",
                      [](C* c) {
                        c->add_uint_contents(255);
                        c->add_uint_contents(0);
                      },
                      {255, 0});
  CheckTyped<uint16_t>("UINT16", [](C* c) { c->add_uint_contents(65535); }, {65535});
  CheckTyped<uint32_t>("UINT32", [](C* c) { c->add_uint_contents(4000000000u); }, {4000000000u});
  CheckTyped<uint64_t>("UINT64", [](C* c) { c->add_uint64_contents(uint64_t{1} << 63); },
                       {uint64_t{1} << 63});
  CheckTyped<float>("FP32",
                    [](C* c) {
                      c->add_fp32_contents(1.5f);
                      c->add_fp32_contents(-0.25f);
                    },
                    {1.5f, -0.25f});
  CheckTyped<double>("FP64", [](C* c) { c->add_fp64_contents(1e300); }, {1e300});
}

ModelInferRequest TypedRequest(const std::string& datatype, int64_t n) {
  ModelInferRequest m;
  m.set_model_name("m");
  auto* in = m.add_inputs();
  in->set_name("x");
  in->set_datatype(datatype);
  in->add_shape(n);
  return m;
}

TEST(GrpcConvertTest, TypedContentsErrors) {
  ModelInferRequest m = TypedRequest("FP32", 3);
  m.mutable_inputs(0)->mutable_contents()->add_fp32_contents(1.f);
  ExpectInvalid(m, "input 'x': expected 3 values in contents.fp32_contents for FP32 [3], got 1");

  m = TypedRequest("FP32", 1);
  m.mutable_inputs(0)->mutable_contents()->add_int_contents(1);
  ExpectInvalid(m,
                "contents.int_contents is set, but datatype FP32 takes its values from "
                "contents.fp32_contents");

  m = TypedRequest("INT8", 2);
  m.mutable_inputs(0)->mutable_contents()->add_int_contents(1);
  m.mutable_inputs(0)->mutable_contents()->add_int_contents(300);
  ExpectInvalid(m, "contents.int_contents[1] = 300 is outside the range of INT8");

  m = TypedRequest("UINT8", 1);
  m.mutable_inputs(0)->mutable_contents()->add_uint_contents(256);
  ExpectInvalid(m, "contents.uint_contents[0] = 256 is outside the range of UINT8");

  for (const char* half : {"FP16", "BF16"}) {
    m = TypedRequest(half, 1);
    m.mutable_inputs(0)->mutable_contents()->add_fp32_contents(1.f);
    ExpectInvalid(m, std::string("datatype ") + half + " has no typed contents field");
  }
}

TEST(GrpcConvertTest, HalfPrecisionTravelsAsRawBytes) {
  Tensor h(DType::kFloat16, Shape{2});
  h.data<Float16>()[0] = Float16(1.5f);
  h.data<Float16>()[1] = Float16(-2.f);
  auto r = InferRequestFromProto(Share(e2e::MakeRawRequest("m", {{"x", h}})));
  ASSERT_TRUE(r.ok()) << r.status();
  const Tensor& t = (*r)->inputs[0].second;
  EXPECT_EQ(t.dtype(), DType::kFloat16);
  EXPECT_EQ(t.GetAsDouble(0), 1.5);
  EXPECT_EQ(t.GetAsDouble(1), -2.0);
}

TEST(GrpcConvertTest, PriorityAndTimeoutParameters) {
  ModelInferRequest m = DigitsRequest();
  (*m.mutable_parameters())["priority"].set_int64_param(2);
  (*m.mutable_parameters())["timeout"].set_uint64_param(5000);
  (*m.mutable_parameters())["client_tag"].set_string_param("ignored");
  auto r = InferRequestFromProto(Share(m));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->priority, 2u);
  EXPECT_EQ((*r)->timeout_us, 5000u);

  (*m.mutable_parameters())["priority"].set_uint64_param(1);
  r = InferRequestFromProto(Share(m));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->priority, 1u);

  (*m.mutable_parameters())["priority"].set_int64_param(-1);
  ExpectInvalid(m, "model 'digits': request parameter 'priority' must be >= 0, got -1");
  (*m.mutable_parameters())["priority"].set_string_param("high");
  ExpectInvalid(m, "request parameter 'priority' must be an int64 or uint64 parameter, got string");
  m.mutable_parameters()->erase("priority");
  (*m.mutable_parameters())["timeout"].set_double_param(1.5);
  ExpectInvalid(m, "request parameter 'timeout' must be an int64 or uint64 parameter, got double");
  m.mutable_parameters()->erase("timeout");
  (*m.mutable_parameters())["sequence_id"].set_int64_param(42);
  ExpectInvalid(m, "request parameter 'sequence_id': trtserve has no sequence batching");
}

TEST(GrpcConvertTest, RequestedOutputsKeepOrderAndRejectDuplicatesAndExtensions) {
  ModelInferRequest m = DigitsRequest();
  m.add_outputs()->set_name("probabilities");
  m.add_outputs()->set_name("logits");
  auto r = InferRequestFromProto(Share(m));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->requested_outputs, (std::vector<std::string>{"probabilities", "logits"}));

  m.add_outputs()->set_name("logits");
  ExpectInvalid(m, "output 'logits' is requested twice");
  m.mutable_outputs()->RemoveLast();
  (*m.mutable_outputs(0)->mutable_parameters())["classification"].set_int64_param(3);
  ExpectInvalid(m, "output 'probabilities': parameter 'classification' is not supported");
  m.mutable_outputs(0)->mutable_parameters()->clear();
  m.mutable_outputs(0)->set_name("");
  ExpectInvalid(m, "requested output #0 has no name");

  m = DigitsRequest();
  (*m.mutable_inputs(0)->mutable_parameters())["shared_memory_region"].set_string_param("r");
  ExpectInvalid(m,
                "input 'input': parameter 'shared_memory_region': trtserve does not "
                "implement the shared-memory extension");
}

TEST(GrpcConvertTest, ResponseRoundTripsThroughTheWireFormat) {
  InferResponse resp;
  resp.model_name = "digits";
  resp.model_version = 3;
  resp.id = "abc";
  Tensor ints(DType::kInt64, Shape{2});
  ints.data<int64_t>()[0] = -7;
  ints.data<int64_t>()[1] = int64_t{1} << 50;
  resp.outputs = {{"probabilities", e2e::Iota(Shape{2, 10}, 0.5f, 0.25f)}, {"ids", ints}};
  inference::ModelInferResponse proto;
  InferResponseToProto(resp, &proto);
  EXPECT_EQ(proto.model_name(), "digits");
  EXPECT_EQ(proto.model_version(), "3");
  EXPECT_EQ(proto.id(), "abc");
  ASSERT_EQ(proto.outputs_size(), 2);
  EXPECT_EQ(proto.outputs(0).datatype(), "FP32");
  EXPECT_EQ(proto.outputs(1).datatype(), "INT64");
  EXPECT_EQ(proto.outputs(0).shape_size(), 2);
  auto back = e2e::OutputsFromResponse(proto);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*back)[i].first, resp.outputs[i].first);
    EXPECT_EQ((*back)[i].second.shape(), resp.outputs[i].second.shape());
    EXPECT_EQ(std::memcmp((*back)[i].second.raw_data(), resp.outputs[i].second.raw_data(),
                          resp.outputs[i].second.nbytes()),
              0);
  }

  // And a request's tensors survive request -> InferRequest -> response -> tensors.
  Tensor in = e2e::Iota(Shape{3, 1, 8, 8}, -1.f, 0.125f);
  auto req = InferRequestFromProto(Share(e2e::MakeRawRequest("digits", {{"input", in}})));
  ASSERT_TRUE(req.ok()) << req.status();
  InferResponse echo;
  echo.outputs = (*req)->inputs;
  inference::ModelInferResponse echo_proto;
  InferResponseToProto(echo, &echo_proto);
  auto echoed = e2e::OutputsFromResponse(echo_proto);
  ASSERT_TRUE(echoed.ok()) << echoed.status();
  EXPECT_EQ(std::memcmp((*echoed)[0].second.raw_data(), in.raw_data(), in.nbytes()), 0);
}

TEST(GrpcConvertTest, StreamErrorsCarryCodeAndRequestIdentity) {
  inference::ModelStreamInferResponse out;
  StreamErrorToProto(InvalidArgument("model 'digits': input 'x': bad"), "digits", "2", "id-9",
                     &out);
  EXPECT_EQ(out.error_message(), "INVALID_ARGUMENT: model 'digits': input 'x': bad");
  EXPECT_EQ(out.infer_response().id(), "id-9");
  EXPECT_EQ(out.infer_response().model_name(), "digits");
  EXPECT_EQ(out.infer_response().model_version(), "2");
}

TEST(GrpcConvertTest, StatusCodesMapOneToOne) {
  for (int code = 0; code <= 15; ++code) {
    Status s = code == 0 ? Status::Ok()
                         : Status(static_cast<StatusCode>(code), "m" + std::to_string(code));
    ::grpc::Status g = ToGrpcStatus(s);
    EXPECT_EQ(static_cast<int>(g.error_code()), code);
    EXPECT_EQ(g.error_message(), s.message());
    Status back = FromGrpcStatus(g);
    EXPECT_EQ(back.code(), s.code());
    EXPECT_EQ(back.message(), s.message());
  }
}

ModelConfig SampleConfig() {
  ModelConfig c;
  c.name = "digits";
  c.max_batch_size = 32;
  c.inputs = {TensorConfig{.name = "input", .dtype = DType::kFloat32, .dims = {1, 8, 8}}};
  c.outputs = {TensorConfig{.name = "logits", .dtype = DType::kFloat32, .dims = {10}},
               TensorConfig{.name = "ids", .dtype = DType::kInt64, .dims = {-1}}};
  c.profiles.resize(2);
  c.profiles[0].name = "latency";
  c.profiles[1].name = "dynamic";
  c.instance_count = 2;
  DynamicBatchingConfig& db = c.dynamic_batching;
  db.preferred_batch_sizes = {4, 8};
  db.max_queue_delay_us = 200;
  db.max_queue_size = 100;
  db.priority_levels = 2;
  db.default_priority_level = 2;
  db.default_queue_policy = {.timeout_us = 1000, .allow_timeout_override = true};
  db.priority_queue_policy[1] = {.timeout_action = QueuePolicy::TimeoutAction::kDelay,
                                 .max_queue_size = 10};
  db.priority_queue_policy[2] = db.default_queue_policy;
  return c;
}

TEST(GrpcConvertTest, ModelConfigAsTritonReportsIt) {
  inference::ModelConfig p;
  ModelConfigToProto(SampleConfig(), &p);
  EXPECT_EQ(p.name(), "digits");
  EXPECT_EQ(p.platform(), "trtserve_plan");
  EXPECT_EQ(p.backend(), "trtserve");
  EXPECT_EQ(p.max_batch_size(), 32);
  ASSERT_EQ(p.input_size(), 1);
  EXPECT_EQ(p.input(0).data_type(), inference::TYPE_FP32);
  EXPECT_EQ(std::vector<int64_t>(p.input(0).dims().begin(), p.input(0).dims().end()),
            (std::vector<int64_t>{1, 8, 8}));
  ASSERT_EQ(p.output_size(), 2);
  EXPECT_EQ(p.output(1).data_type(), inference::TYPE_INT64);
  EXPECT_EQ(p.output(1).dims(0), -1);
  ASSERT_EQ(p.instance_group_size(), 1);
  EXPECT_EQ(p.instance_group(0).kind(), inference::ModelInstanceGroup::KIND_CPU);
  EXPECT_EQ(p.instance_group(0).count(), 2);
  EXPECT_EQ(p.instance_group(0).profile_size(), 2);
  EXPECT_EQ(p.instance_group(0).profile(1), "dynamic");
  ASSERT_TRUE(p.has_dynamic_batching());
  const auto& db = p.dynamic_batching();
  EXPECT_EQ(db.preferred_batch_size_size(), 2);
  EXPECT_EQ(db.max_queue_delay_microseconds(), 200u);
  EXPECT_EQ(db.priority_levels(), 2u);
  EXPECT_EQ(db.default_priority_level(), 2u);
  EXPECT_EQ(db.default_queue_policy().default_timeout_microseconds(), 1000u);
  EXPECT_TRUE(db.default_queue_policy().allow_timeout_override());
  EXPECT_EQ(db.default_queue_policy().max_queue_size(), 100u);  // the model-wide cap
  ASSERT_EQ(db.priority_queue_policy().count(1), 1u);
  EXPECT_EQ(db.priority_queue_policy().at(1).max_queue_size(), 10u);  // the tighter level cap
  EXPECT_EQ(db.priority_queue_policy().at(1).timeout_action(), inference::ModelQueuePolicy::DELAY);

  ModelConfig unbatched = SampleConfig();
  unbatched.max_batch_size = 0;
  inference::ModelConfig q;
  ModelConfigToProto(unbatched, &q);
  EXPECT_FALSE(q.has_dynamic_batching());
}

TEST(GrpcConvertTest, MetadataShapesIncludeBatchAsMinusOne) {
  inference::ModelMetadataResponse m;
  ModelMetadataToProto(SampleConfig(), {1, 3}, &m);
  EXPECT_EQ(m.name(), "digits");
  EXPECT_EQ(m.platform(), "trtserve_plan");
  EXPECT_EQ(std::vector<std::string>(m.versions().begin(), m.versions().end()),
            (std::vector<std::string>{"1", "3"}));
  ASSERT_EQ(m.inputs_size(), 1);
  EXPECT_EQ(m.inputs(0).datatype(), "FP32");
  EXPECT_EQ(std::vector<int64_t>(m.inputs(0).shape().begin(), m.inputs(0).shape().end()),
            (std::vector<int64_t>{-1, 1, 8, 8}));
  EXPECT_EQ(m.outputs(1).datatype(), "INT64");
  ModelConfig unbatched = SampleConfig();
  unbatched.max_batch_size = 0;
  inference::ModelMetadataResponse u;
  ModelMetadataToProto(unbatched, {1}, &u);
  EXPECT_EQ(u.inputs(0).shape_size(), 3);
}

TEST(GrpcConvertTest, StatisticsFollowTritonLayout) {
  ModelStats stats("digits", 4, {"latency", "dynamic"});
  stats.RecordExecution(1, 3, 192, 0, 100, 1000, 10);
  stats.RecordSuccess(2, 5000, 3000, 100, 1000, 10);
  stats.RecordSuccess(1, 4000, 2000, 100, 1000, 10);
  stats.RecordExecution(0, 1, 64, 0, 7, 70, 700);
  stats.RecordFailure("timeout", 9000, 9000);
  inference::ModelStatistics p;
  ModelStatsToProto(stats.Snapshot(), &p);
  EXPECT_EQ(p.name(), "digits");
  EXPECT_EQ(p.version(), "4");
  EXPECT_EQ(p.inference_count(), 3u);
  EXPECT_EQ(p.execution_count(), 2u);
  EXPECT_GT(p.last_inference(), 0u);
  EXPECT_EQ(p.inference_stats().success().count(), 2u);
  EXPECT_EQ(p.inference_stats().success().ns(), 9000u);
  EXPECT_EQ(p.inference_stats().fail().count(), 1u);
  EXPECT_EQ(p.inference_stats().queue().ns(), 5000u);
  EXPECT_EQ(p.inference_stats().compute_infer().ns(), 2000u);
  ASSERT_EQ(p.batch_stats_size(), 2);
  EXPECT_EQ(p.batch_stats(0).batch_size(), 1u);
  EXPECT_EQ(p.batch_stats(0).compute_output().ns(), 700u);
  EXPECT_EQ(p.batch_stats(1).batch_size(), 3u);
  EXPECT_EQ(p.batch_stats(1).compute_infer().count(), 1u);
  EXPECT_EQ(p.batch_stats(1).compute_infer().ns(), 1000u);
}

TEST(GrpcConvertTest, RepositoryIndexRows) {
  inference::RepositoryIndexResponse r;
  ModelIndexToProto({{"digits", "1", "READY", ""}, {"broken", "", "UNAVAILABLE", "no model"}}, &r);
  ASSERT_EQ(r.models_size(), 2);
  EXPECT_EQ(r.models(0).name(), "digits");
  EXPECT_EQ(r.models(0).state(), "READY");
  EXPECT_EQ(r.models(1).version(), "");
  EXPECT_EQ(r.models(1).reason(), "no model");
}

}  // namespace
}  // namespace trt::server
