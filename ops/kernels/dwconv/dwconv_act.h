// Internal to the depthwise kernels: turns the run-time activation kind into the compile-time
// template argument of a kernel's per-plane loop. Every ISA file calls it with its own loop,
// so the switch lives once. kPRelu runs the kLeakyRelu code path (the loop loads slope[c] into
// the same alpha register per plane).
// Internal linkage (an unnamed namespace): each ISA file is compiled with different target
// flags, so nothing here may become one shared inline definition across them.
#pragma once

#include <type_traits>

#include "ops/kernels/dwconv/dwconv.h"

namespace facet::ops {
namespace {

template <DwActKind K>
using DwAct = std::integral_constant<DwActKind, K>;

// Calls fn(DwAct<K>{}) with K the kernel variant for `kind`.
template <typename Fn>
inline void with_dw_act(DwActKind kind, Fn&& fn) {
  switch (kind) {
    case DwActKind::kNone: fn(DwAct<DwActKind::kNone>{}); break;
    case DwActKind::kRelu: fn(DwAct<DwActKind::kRelu>{}); break;
    case DwActKind::kClip: fn(DwAct<DwActKind::kClip>{}); break;
    case DwActKind::kLeakyRelu:
    case DwActKind::kPRelu: fn(DwAct<DwActKind::kLeakyRelu>{}); break;
    case DwActKind::kHardSwish: fn(DwAct<DwActKind::kHardSwish>{}); break;
    case DwActKind::kSigmoid: fn(DwAct<DwActKind::kSigmoid>{}); break;
  }
}

}  // namespace
}  // namespace facet::ops
