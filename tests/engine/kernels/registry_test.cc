#include "engine/kernels/registry.h"

#include <gtest/gtest.h>

#include <map>

namespace trt::kernels {
namespace {

TEST(RegistryTest, EntriesAreWellFormedAndDoNotOverlap) {
  const auto& table = AllKernelEntries();
  std::map<std::pair<std::string, std::string>, std::vector<const KernelEntry*>> by_op;
  for (const auto& e : table) {
    ASSERT_NE(e.factory, nullptr) << e.op_type;
    ASSERT_LE(e.since_opset, e.until_opset) << e.op_type;
    ASSERT_GE(e.since_opset, 1) << e.op_type;
    ASSERT_TRUE(e.type_input < 0 || e.dtypes != 0) << e.op_type << " has an empty dtype set";
    by_op[{e.domain, e.op_type}].push_back(&e);
  }
  for (const auto& [key, entries] : by_op) {
    for (size_t i = 0; i < entries.size(); ++i) {
      for (size_t j = i + 1; j < entries.size(); ++j) {
        const KernelEntry& a = *entries[i];
        const KernelEntry& b = *entries[j];
        const bool opsets_overlap =
            a.since_opset <= b.until_opset && b.since_opset <= a.until_opset;
        const bool dtypes_overlap = a.type_input < 0 || b.type_input < 0 || (a.dtypes & b.dtypes);
        EXPECT_FALSE(opsets_overlap && dtypes_overlap)
            << key.second << ": entries [" << a.since_opset << ", " << a.until_opset << "] and ["
            << b.since_opset << ", " << b.until_opset << "] overlap";
      }
    }
  }
}

TEST(RegistryTest, UnknownOpErrorNamesOpDomainAndOpset) {
  auto r = LookupKernel("", "NoSuchOp", 13, DType::kFloat32);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(r.status().message(), "unsupported op 'NoSuchOp' (domain 'ai.onnx', opset 13)");
}

}  // namespace
}  // namespace trt::kernels

namespace trt::kernels {
namespace {

TEST(RegistryTest, OpsetOutsideEveryRangeListsSupportedOpsets) {
  // Gelu exists in ai.onnx only from opset 20.
  auto r = LookupKernel("", "Gelu", 13, DType::kFloat32);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "op 'Gelu' (domain 'ai.onnx') has no kernel for opset 13; supported opsets: 20+");
}

TEST(RegistryTest, UnsupportedDtypeListsSupportedDtypes) {
  auto r = LookupKernel("", "Conv", 13, DType::kInt64);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(r.status().message(),
            "op 'Conv' has no kernel for input 0 dtype int64; supported: float32, float16, "
            "float64, bfloat16");
}

}  // namespace
}  // namespace trt::kernels
