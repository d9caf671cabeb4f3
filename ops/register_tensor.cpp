#include "ops/registry.h"

namespace facet::ops {

void register_tensor_ops(OpRegistry& registry) {
  (void)registry;
}

}  // namespace facet::ops
