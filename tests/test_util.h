// Helpers shared by the tests.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/op.h"
#include "engine/tensor.h"
#include "ops/registry.h"

namespace facet::test {

// Runs one built-in op on concrete inputs (nullptr = absent optional input).
inline std::vector<Tensor> run_op(const std::string& op_type, const Attributes& attrs,
                                  const std::vector<const Tensor*>& inputs, int num_outputs = 1,
                                  int opset = 13) {
  NodeDef def;
  def.name = "test_node";
  def.op_type = op_type;
  def.opset = opset;
  def.attrs = attrs;
  for (const Tensor* t : inputs) def.input_present.push_back(t != nullptr);
  def.num_outputs = num_outputs;
  auto op = ops::builtin_registry().create(def);
  return eval_op(*op, inputs, num_outputs);
}

// Element-wise |a - e| <= atol + rtol * |e| (NaN matches NaN); shape must be equal.
inline void expect_close(const Tensor& actual, const Tensor& expected, float atol = 1e-5f,
                         float rtol = 1e-4f) {
  ASSERT_EQ(shape_str(actual.shape()), shape_str(expected.shape()));
  auto a = actual.to_f32_vector();
  auto e = expected.to_f32_vector();
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(e[i])) {
      EXPECT_TRUE(std::isnan(a[i])) << "at " << i;
      continue;
    }
    EXPECT_LE(std::fabs(a[i] - e[i]), atol + rtol * std::fabs(e[i]))
        << "at index " << i << ": actual " << a[i] << " expected " << e[i];
  }
}

// Folder with the shared models/conformance data, or "" if absent.
inline std::string shared_dir() {
  const char* env = std::getenv("FACET_SHARED_DIR");
  if (env && *env) return env;
#ifdef FACET_SHARED_DIR
  return FACET_SHARED_DIR;
#else
  return "";
#endif
}

}  // namespace facet::test
