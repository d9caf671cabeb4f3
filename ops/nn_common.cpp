#include "ops/nn_common.h"

#include "engine/status.h"

namespace facet::ops {

AutoPad parse_auto_pad(const Attributes& attrs) {
  const std::string s = attrs.get_string("auto_pad", "NOTSET");
  if (s == "NOTSET" || s.empty()) return AutoPad::kNotSet;
  if (s == "SAME_UPPER") return AutoPad::kSameUpper;
  if (s == "SAME_LOWER") return AutoPad::kSameLower;
  if (s == "VALID") return AutoPad::kValid;
  fail(str_cat("attribute 'auto_pad' is '", s,
               "', expected NOTSET, SAME_UPPER, SAME_LOWER or VALID"));
}

namespace {

void check_all_at_least(const std::vector<int64_t>& v, int64_t lo, const char* name) {
  for (int64_t x : v) {
    FACET_CHECK(x >= lo, "attribute '", name, "' has value ", x, ", expected >= ", lo);
  }
}

void check_len(const std::vector<int64_t>& v, size_t want, const char* name) {
  FACET_CHECK(v.empty() || v.size() == want, "attribute '", name, "' has ", v.size(),
              " values, expected ", want);
}

}  // namespace

WindowAttrs parse_window_attrs(const Attributes& attrs, bool with_dilations) {
  WindowAttrs a;
  a.auto_pad = parse_auto_pad(attrs);
  a.kernel_shape = attrs.get_ints("kernel_shape");
  a.strides = attrs.get_ints("strides");
  if (with_dilations) a.dilations = attrs.get_ints("dilations");
  a.pads = attrs.get_ints("pads");
  check_all_at_least(a.kernel_shape, 1, "kernel_shape");
  check_all_at_least(a.strides, 1, "strides");
  check_all_at_least(a.dilations, 1, "dilations");
  check_all_at_least(a.pads, 0, "pads");
  FACET_CHECK(a.pads.size() % 2 == 0, "attribute 'pads' has ", a.pads.size(),
              " values, expected an even number (begins then ends)");
  const size_t n = a.kernel_shape.size();
  if (n != 0) {
    check_len(a.strides, n, "strides");
    check_len(a.dilations, n, "dilations");
    check_len(a.pads, 2 * n, "pads");
  }
  return a;
}

void check_window_ranks(const WindowAttrs& a, int rank, bool check_kernel) {
  const size_t n = static_cast<size_t>(rank);
  if (check_kernel) {
    FACET_CHECK(a.kernel_shape.size() == n, "attribute 'kernel_shape' has ",
                a.kernel_shape.size(), " values, expected ", n);
  } else {
    check_len(a.kernel_shape, n, "kernel_shape");
  }
  check_len(a.strides, n, "strides");
  check_len(a.dilations, n, "dilations");
  check_len(a.pads, 2 * n, "pads");
}

void resolve_forward_windows(const WindowAttrs& a, int rank, const int64_t* in,
                             const int64_t* kernel, bool ceil_mode, AxisWindow* out) {
  const size_t n = static_cast<size_t>(rank);
  for (size_t i = 0; i < n; ++i) {
    AxisWindow& w = out[i];
    w.kernel = kernel[i];
    w.stride = a.strides.empty() ? 1 : a.strides[i];
    w.dilation = a.dilations.empty() ? 1 : a.dilations[i];
    const int64_t dk = (w.kernel - 1) * w.dilation + 1;
    FACET_CHECK(in[i] >= 1, "spatial axis ", i, " of the input has size ", in[i],
                ", expected >= 1");
    switch (a.auto_pad) {
      case AutoPad::kNotSet:
      case AutoPad::kValid: {
        const bool valid = a.auto_pad == AutoPad::kValid;
        w.pad_begin = valid || a.pads.empty() ? 0 : a.pads[i];
        w.pad_end = valid || a.pads.empty() ? 0 : a.pads[i + n];
        const int64_t padded = in[i] + w.pad_begin + w.pad_end;
        FACET_CHECK(padded >= dk, "kernel ", w.kernel, " (dilated ", dk,
                    ") is larger than the padded input ", padded, " on spatial axis ", i);
        const int64_t span = padded - dk;
        if (ceil_mode && !valid) {
          w.out = (span + w.stride - 1) / w.stride + 1;
          // The last window must start inside the input or the left padding.
          if ((w.out - 1) * w.stride >= in[i] + w.pad_begin) --w.out;
        } else {
          w.out = span / w.stride + 1;
        }
        break;
      }
      case AutoPad::kSameUpper:
      case AutoPad::kSameLower: {
        w.out = (in[i] + w.stride - 1) / w.stride;
        int64_t total = (w.out - 1) * w.stride + dk - in[i];
        if (total < 0) total = 0;
        w.pad_begin = a.auto_pad == AutoPad::kSameUpper ? total / 2 : total - total / 2;
        w.pad_end = total - w.pad_begin;
        break;
      }
    }
  }
}

void check_f32_input(const InferContext& ctx, int i, const char* name) {
  const DType t = ctx.in_dtype(i);
  FACET_CHECK(t == DType::kF32, "input '", name, "' has dtype ", dtype_name(t),
              ", expected float32");
}

void check_rank(const Shape& s, int rank, const char* name) {
  FACET_CHECK(static_cast<int>(s.size()) == rank, "input '", name, "' has rank ", s.size(),
              ", expected ", rank);
}

void check_rank_range(const Shape& s, int lo, int hi, const char* name) {
  const int r = static_cast<int>(s.size());
  FACET_CHECK(r >= lo && r <= hi, "input '", name, "' has rank ", r, ", expected ", lo, " to ",
              hi);
}

}  // namespace facet::ops
