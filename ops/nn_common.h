// Helpers shared by the nn ops (Conv, ConvTranspose, pooling, normalization, Gemm, MatMul):
// auto_pad and window attributes, output-size arithmetic, dtype/rank checks.
//
// Window arithmetic along one spatial axis (ONNX Conv/MaxPool/AveragePool):
//   effective kernel  dk = (kernel - 1) * dilation + 1
//   NOTSET  out = floor((in + pad_begin + pad_end - dk) / stride) + 1   (ceil with ceil_mode; a
//           ceil-mode window that would start in the right padding is dropped, so the last window
//           starts inside the input or the left padding)
//   VALID   pads 0, out = floor((in - dk) / stride) + 1
//   SAME_*  out = ceil(in / stride), total pad = max(0, (out - 1) * stride + dk - in), split evenly
//           with the odd element at the end (SAME_UPPER) or at the beginning (SAME_LOWER).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/attributes.h"
#include "engine/op.h"

namespace facet::ops {

enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

// Reads `auto_pad` (default NOTSET); throws on an unknown value.
AutoPad parse_auto_pad(const Attributes& attrs);

// Window attributes as written in the node, validated for sign (kernel/stride/dilation >= 1,
// pads >= 0, pads has an even length). Empty vectors mean "not given".
struct WindowAttrs {
  AutoPad auto_pad = AutoPad::kNotSet;
  std::vector<int64_t> kernel_shape;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads;  // [x1_begin, x2_begin, ..., x1_end, x2_end, ...]
};

// with_dilations = false ignores a `dilations` attribute (ops/versions without one).
WindowAttrs parse_window_attrs(const Attributes& attrs, bool with_dilations);

// Checks that the given attribute lists fit `rank` spatial axes (kernel_shape only if
// check_kernel). Throws "attribute 'strides' has 3 values, expected 2".
void check_window_ranks(const WindowAttrs& a, int rank, bool check_kernel);

// Resolved geometry of one spatial axis.
struct AxisWindow {
  int64_t kernel;
  int64_t stride;
  int64_t dilation;
  int64_t pad_begin;
  int64_t pad_end;  // as given / computed from auto_pad (not extended by ceil_mode)
  int64_t out;
};

// Geometry of `rank` (<= 3) spatial axes for a forward window op (Conv, pools). `in` and
// `kernel` have `rank` entries; the attribute list lengths must have been checked. Does not
// allocate. Throws facet::Error if a window does not fit ("kernel 5 (dilated 9) is larger than
// the padded input 4 on spatial axis 0").
void resolve_forward_windows(const WindowAttrs& a, int rank, const int64_t* in,
                             const int64_t* kernel, bool ceil_mode, AxisWindow* out);

// Throws "input 'X' has dtype int64, expected float32" unless input i is float32.
void check_f32_input(const InferContext& ctx, int i, const char* name);
// Throws "input 'X' has rank 3, expected 4".
void check_rank(const Shape& s, int rank, const char* name);
// Throws "input 'X' has rank 2, expected 3 to 5".
void check_rank_range(const Shape& s, int lo, int hi, const char* name);

}  // namespace facet::ops
