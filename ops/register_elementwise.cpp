// Registers the element-wise op family: binary/unary math, Clip, Softmax, ReduceMean, ArgMax,
// Cast, Identity/Dropout, Constant/ConstantOfShape. Opset differences are handled inside each
// op's factory (it receives NodeDef::opset).
#include "ops/argmax.h"
#include "ops/binary.h"
#include "ops/cast.h"
#include "ops/clip.h"
#include "ops/constant.h"
#include "ops/identity.h"
#include "ops/reduce_mean.h"
#include "ops/registry.h"
#include "ops/softmax.h"
#include "ops/unary.h"

namespace facet::ops {

namespace {
constexpr int kMaxOpset = kLatestOpset;
}  // namespace

void register_elementwise_ops(OpRegistry& registry) {
  for (const char* name : {"Add", "Sub", "Mul", "Div", "Pow", "PRelu"}) {
    registry.add("", name, 1, kMaxOpset, create_binary_op);
  }
  for (const char* name : {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid", "Exp", "Sqrt",
                           "Neg", "Abs", "Floor", "Ceil", "Reciprocal"}) {
    registry.add("", name, 1, kMaxOpset, create_unary_op);
  }
  registry.add("", "HardSwish", 14, kMaxOpset, create_unary_op);
  registry.add("", "Clip", 1, kMaxOpset, create_clip_op);
  registry.add("", "Softmax", 1, kMaxOpset, create_softmax_op);
  registry.add("", "ReduceMean", 1, kMaxOpset, create_reduce_mean_op);
  registry.add("", "ArgMax", 1, kMaxOpset, create_argmax_op);
  registry.add("", "Cast", 1, kMaxOpset, create_cast_op);
  registry.add("", "Identity", 1, kMaxOpset, create_identity_op);
  registry.add("", "Dropout", 1, kMaxOpset, create_dropout_op);
  registry.add("", "Constant", 1, kMaxOpset, create_constant_op);
  registry.add("", "ConstantOfShape", 9, kMaxOpset, create_constant_of_shape_op);
}

}  // namespace facet::ops
