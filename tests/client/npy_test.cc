// The client's own .npy reader/writer: numpy's header layout, every dtype, errors, and
// interoperability with the engine's npy code (which the client cannot link).
#include "client/npy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "client/datatype.h"
#include "engine/base/npy.h"

namespace trt::client {
namespace {

HostTensor Floats(std::vector<int64_t> shape, std::vector<float> values) {
  HostTensor t{"t", "FP32", std::move(shape), std::string(values.size() * 4, '\0')};
  std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("trtserve_client_npy_" + std::to_string(getpid()) + "_" + name))
      .string();
}

TEST(Npy, HeaderMatchesNumpyLayout) {
  auto bytes = SerializeNpy(Floats({2, 3}, {1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const size_t header_len =
      static_cast<unsigned char>((*bytes)[8]) | (static_cast<unsigned char>((*bytes)[9]) << 8);
  const std::string header = bytes->substr(10, header_len);
  EXPECT_EQ(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0), 0u);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(bytes->size(), 10 + header_len + 24);
}

TEST(Npy, OneDimAndScalarShapes) {
  for (const std::vector<int64_t>& shape : {std::vector<int64_t>{3}, std::vector<int64_t>{}}) {
    HostTensor t = Floats(shape, std::vector<float>(NumElements(shape), 1.5f));
    auto bytes = SerializeNpy(t);
    ASSERT_TRUE(bytes.ok());
    EXPECT_NE(bytes->find(shape.empty() ? "'shape': ()" : "'shape': (3,)"), std::string::npos);
    auto back = ParseNpy(*bytes, "mem");
    ASSERT_TRUE(back.ok()) << StatusToString(back.status());
    EXPECT_EQ(back->shape, shape);
    EXPECT_EQ(back->data, t.data);
  }
}

TEST(Npy, RoundTripsEveryNumpyDtype) {
  for (const char* dtype : {"BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32",
                            "INT64", "FP16", "FP32", "FP64"}) {
    auto t = MakeFilledTensor("t", dtype, {2, 5}, Fill::kRandom, 7);
    ASSERT_TRUE(t.ok());
    const std::string path = TempPath(std::string(dtype) + ".npy");
    ASSERT_TRUE(WriteNpy(path, *t).ok());
    auto back = ReadNpy(path);
    ASSERT_TRUE(back.ok()) << dtype << ": " << StatusToString(back.status());
    EXPECT_EQ(back->datatype, dtype);
    EXPECT_EQ(back->shape, t->shape);
    EXPECT_EQ(back->data, t->data) << dtype;
    std::filesystem::remove(path);
  }
}

TEST(Npy, Bf16IsStoredAsFloat32) {
  HostTensor t{"t", "BF16", {2}, std::string(4, '\0')};
  const uint16_t values[2] = {FloatToBf16(1.5f), FloatToBf16(-2.0f)};
  std::memcpy(t.data.data(), values, 4);
  auto bytes = SerializeNpy(t);
  ASSERT_TRUE(bytes.ok());
  auto back = ParseNpy(*bytes, "mem");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->datatype, "FP32");
  EXPECT_EQ(back->GetAsDouble(0), 1.5);
  EXPECT_EQ(back->GetAsDouble(1), -2.0);
  auto again = ConvertForInput(*back, "BF16", "m", "x");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->data, t.data);
}

TEST(Npy, ReadsNumpyWrittenTestData) {
  auto images = ReadNpy(std::string(TRTSERVE_SOURCE_DIR) + "/tests/data/digits/images.npy");
  ASSERT_TRUE(images.ok()) << StatusToString(images.status());
  EXPECT_EQ(images->datatype, "FP32");
  EXPECT_EQ(images->shape, (std::vector<int64_t>{16, 1, 8, 8}));
}

TEST(Npy, InteroperatesWithEngineNpy) {
  // Client-written file read by the engine and vice versa.
  auto t = MakeFilledTensor("t", "FP32", {3, 4}, Fill::kRandom, 3);
  ASSERT_TRUE(t.ok());
  const std::string path = TempPath("interop.npy");
  ASSERT_TRUE(WriteNpy(path, *t).ok());
  auto engine_tensor = trt::ReadNpy(path);
  ASSERT_TRUE(engine_tensor.ok()) << engine_tensor.status();
  ASSERT_EQ(engine_tensor->NumElements(), 12);
  EXPECT_EQ(std::memcmp(engine_tensor->data<float>(), t->data.data(), 48), 0);
  ASSERT_TRUE(trt::WriteNpy(path, *engine_tensor).ok());
  auto back = ReadNpy(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->data, t->data);
  EXPECT_EQ(back->shape, t->shape);
  std::filesystem::remove(path);
}

TEST(Npy, VersionTwoHeader) {
  auto v1 = SerializeNpy(Floats({2}, {1, 2}));
  ASSERT_TRUE(v1.ok());
  const size_t len = static_cast<unsigned char>((*v1)[8]);
  std::string v2 = std::string("\x93NUMPY\x02\x00", 8);
  v2 += std::string(1, static_cast<char>(len)) + std::string(3, '\0');
  v2 += v1->substr(10);
  auto t = ParseNpy(v2, "v2");
  ASSERT_TRUE(t.ok()) << StatusToString(t.status());
  EXPECT_EQ(t->GetAsDouble(1), 2.0);
}

TEST(Npy, ErrorsNameTheFileAndTheFix) {
  auto bad = ParseNpy("not numpy at all", "x.npy");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().error_message().find("x.npy is not a .npy file"), std::string::npos);

  std::string bytes = *SerializeNpy(Floats({2}, {1, 2}));
  std::string fortran = bytes;
  fortran.replace(fortran.find("False"), 5, "True ");
  auto f = ParseNpy(fortran, "f.npy");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().error_message().find("ascontiguousarray"), std::string::npos);

  std::string big = bytes;
  big.replace(big.find("<f4"), 3, ">f4");
  auto b = ParseNpy(big, "b.npy");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().error_message().find("big-endian"), std::string::npos);

  auto truncated = ParseNpy(bytes.substr(0, bytes.size() - 1), "t.npy");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().error_message().find("needs 8"), std::string::npos);

  auto missing = ReadNpy("/nonexistent/dir/file.npy");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().error_code(), StatusCode::NOT_FOUND);
}

TEST(Npy, ConvertForInputRejectsMismatchWithFix) {
  auto t = ConvertForInput(Floats({1}, {1}), "INT64", "digits", "input");
  ASSERT_FALSE(t.ok());
  const std::string& m = t.status().error_message();
  EXPECT_NE(m.find("model 'digits' input 'input' expects INT64 but the data is FP32"),
            std::string::npos);
  EXPECT_NE(m.find("astype('<i8')"), std::string::npos);
}

TEST(DataType, HalfConversionsRoundTripAndRound) {
  for (float f : {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f}) {
    EXPECT_EQ(HalfToFloat(FloatToHalf(f)), f) << f;
  }
  EXPECT_EQ(FloatToHalf(1e6f), 0x7c00);                // overflow -> inf
  EXPECT_EQ(FloatToHalf(1.0f + 1.0f / 2048), 0x3c00);  // ties to even (down)
  EXPECT_EQ(FloatToHalf(1.0f + 3.0f / 2048), 0x3c02);  // ties to even (up)
  EXPECT_EQ(Bf16ToFloat(FloatToBf16(1.5f)), 1.5f);
  EXPECT_EQ(FindDataTypeByNpy("=f4")->name, "FP32");
  EXPECT_EQ(FindDataTypeByNpy("<i1")->name, "INT8");
  EXPECT_EQ(DataTypeFromConfig(inference::TYPE_INT64), "INT64");
  EXPECT_EQ(FindDataType("fp32"), nullptr);
}

}  // namespace
}  // namespace trt::client
