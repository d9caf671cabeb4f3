#include "ops/batch_norm.h"
#include "ops/conv.h"
#include "ops/conv_transpose.h"
#include "ops/gemm.h"
#include "ops/instance_norm.h"
#include "ops/matmul.h"
#include "ops/pool.h"
#include "ops/registry.h"

namespace facet::ops {

// Every listed version range has one factory; opset differences (legacy attributes such as
// BatchNormalization-6 is_test or Gemm-6 broadcast) are handled inside the factories.
void register_nn_ops(OpRegistry& registry) {
  registry.add("", "Conv", 1, kLatestOpset, make_conv);
  registry.add("", "ConvTranspose", 1, kLatestOpset, make_conv_transpose);
  registry.add("", "MaxPool", 1, kLatestOpset, make_max_pool);
  registry.add("", "AveragePool", 1, kLatestOpset, make_average_pool);
  registry.add("", "GlobalAveragePool", 1, kLatestOpset, make_global_average_pool);
  registry.add("", "BatchNormalization", 1, kLatestOpset, make_batch_norm);
  registry.add("", "InstanceNormalization", 1, kLatestOpset, make_instance_norm);
  registry.add("", "Gemm", 1, kLatestOpset, make_gemm);
  registry.add("", "MatMul", 1, kLatestOpset, make_matmul);
}

}  // namespace facet::ops
