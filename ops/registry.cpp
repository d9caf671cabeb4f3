#include "ops/registry.h"

namespace facet::ops {

void register_builtin_ops(OpRegistry& registry) {
  register_nn_ops(registry);
  register_elementwise_ops(registry);
  register_tensor_ops(registry);
}

const OpRegistry& builtin_registry() {
  static const OpRegistry* registry = [] {
    auto* r = new OpRegistry();
    register_builtin_ops(*r);
    return r;
  }();
  return *registry;
}

}  // namespace facet::ops
