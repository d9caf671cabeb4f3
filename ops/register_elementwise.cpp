#include "ops/registry.h"

namespace facet::ops {

void register_elementwise_ops(OpRegistry& registry) {
  (void)registry;
}

}  // namespace facet::ops
