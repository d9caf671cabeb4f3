#include "ops/resize.h"

#include <cmath>

#include "engine/cpu.h"
#include "ops/kernels/resize/resize.h"
#include "ops/tensor_ops_common.h"

namespace facet::ops {

namespace {

// Largest output length per axis we accept from scales (guards against huge or inf scales).
constexpr double kMaxResizedLength = double(int64_t(1) << 40);

// Per-axis geometry of one resize, computed the same way in infer() (validating) and run().
struct ResizePlan {
  int rank = 0;
  AxisArray in_len{}, out_len{};
  std::array<double, kMaxTensorRank> scale{}, resized{}, roi_start{}, roi_end{};
};

// A float source (scales tensor or attribute) without allocation.
struct FloatSource {
  const Tensor* tensor = nullptr;
  const std::vector<float>* vec = nullptr;
  int64_t size() const {
    return tensor ? tensor->numel() : (vec ? static_cast<int64_t>(vec->size()) : 0);
  }
  double at(int64_t i) const {
    return tensor ? tensor->data<float>()[i] : (*vec)[static_cast<size_t>(i)];
  }
};

int resize_axis(const ResizeConfig& c, int64_t k, int rank) {
  if (c.axes.empty()) return static_cast<int>(k);
  const int64_t a = c.axes[static_cast<size_t>(k)];
  return static_cast<int>(a < 0 ? a + rank : a);
}

ResizePlan make_plan(const ResizeConfig& c, const Shape& in_shape, const FloatSource& scales,
                     const Tensor* sizes, const Tensor* roi, bool validate) {
  ResizePlan p;
  p.rank = static_cast<int>(in_shape.size());
  for (int d = 0; d < p.rank; ++d) {
    p.in_len[d] = p.out_len[d] = in_shape[d];
    p.scale[d] = 1.0;
    p.resized[d] = static_cast<double>(in_shape[d]);
    p.roi_start[d] = 0.0;
    p.roi_end[d] = 1.0;
  }
  const int64_t n_axes = c.axes.empty() ? p.rank : static_cast<int64_t>(c.axes.size());
  if (sizes) {
    if (validate) {
      FACET_CHECK(sizes->numel() == n_axes, "Resize: ", sizes->numel(), " sizes for ", n_axes,
                  " axes");
    }
    double policy_scale = c.policy == ResizeAspectPolicy::kNotLarger ? INFINITY : 0.0;
    for (int64_t k = 0; k < n_axes; ++k) {
      const int d = resize_axis(c, k, p.rank);
      const int64_t size = int_element(*sizes, k);
      if (validate) {
        FACET_CHECK(size >= 0, "Resize: negative size ", size);
        FACET_CHECK(p.in_len[d] > 0 || size == 0, "Resize: cannot resize empty axis ", d,
                    " to ", size);
      }
      const double s = p.in_len[d] > 0 ? double(size) / double(p.in_len[d]) : 1.0;
      p.scale[d] = s;
      p.out_len[d] = size;
      p.resized[d] = double(size);
      if (c.policy == ResizeAspectPolicy::kNotLarger) policy_scale = std::min(policy_scale, s);
      if (c.policy == ResizeAspectPolicy::kNotSmaller) policy_scale = std::max(policy_scale, s);
    }
    if (c.policy != ResizeAspectPolicy::kStretch) {
      for (int64_t k = 0; k < n_axes; ++k) {
        const int d = resize_axis(c, k, p.rank);
        p.scale[d] = policy_scale;
        p.resized[d] = policy_scale * double(p.in_len[d]);
        p.out_len[d] = static_cast<int64_t>(p.resized[d] + 0.5);  // round half up
      }
    }
  } else {
    if (validate) {
      FACET_CHECK(scales.size() == n_axes, "Resize: ", scales.size(), " scales for ", n_axes,
                  " axes");
    }
    for (int64_t k = 0; k < n_axes; ++k) {
      const int d = resize_axis(c, k, p.rank);
      const double s = scales.at(k);
      if (validate) {
        FACET_CHECK(std::isfinite(s) && s > 0.0, "Resize: scale ", s, " for axis ", d,
                    " must be a finite number > 0");
        FACET_CHECK(s * double(p.in_len[d]) <= kMaxResizedLength, "Resize: scale ", s,
                    " for axis ", d, " gives an output that is too large");
      }
      p.scale[d] = s;
      p.resized[d] = s * double(p.in_len[d]);
      p.out_len[d] = static_cast<int64_t>(std::floor(p.resized[d]));
    }
  }
  if (roi && c.coord == ResizeCoordMode::kTfCropAndResize) {
    if (validate) {
      FACET_CHECK(roi->numel() == 2 * n_axes, "Resize: roi has ", roi->numel(),
                  " values, expected ", 2 * n_axes);
    }
    const float* r = roi->data<float>();
    for (int64_t k = 0; k < n_axes; ++k) {
      const int d = resize_axis(c, k, p.rank);
      p.roi_start[d] = r[k];
      p.roi_end[d] = r[n_axes + k];
    }
  }
  return p;
}

// Input coordinate of output index x along one axis; sets *inside for tf_crop_and_resize.
double source_coord(const ResizeConfig& c, const ResizePlan& p, int d, int64_t x, bool* inside) {
  const double in = double(p.in_len[d]), s = p.scale[d], len = p.resized[d];
  const double xf = double(x);
  *inside = true;
  switch (c.coord) {
    case ResizeCoordMode::kHalfPixel:
      return (xf + 0.5) / s - 0.5;
    case ResizeCoordMode::kHalfPixelSymmetric: {
      const double adjustment = double(p.out_len[d]) / len;
      const double offset = in / 2.0 * (1.0 - adjustment);
      return offset + (xf + 0.5) / s - 0.5;
    }
    case ResizeCoordMode::kPytorchHalfPixel:
      return len == 1.0 ? -0.5 : (xf + 0.5) / s - 0.5;
    case ResizeCoordMode::kAlignCorners:
      return len == 1.0 ? 0.0 : xf * (in - 1.0) / (len - 1.0);
    case ResizeCoordMode::kAsymmetric:
      return xf / s;
    case ResizeCoordMode::kTfCropAndResize: {
      const double r0 = p.roi_start[d], r1 = p.roi_end[d];
      double v = len == 1.0 ? (r1 - r0) * (in - 1.0) / 2.0
                            : xf * (r1 - r0) * (in - 1.0) / (len - 1.0);
      v += r0 * (in - 1.0);
      *inside = !(v < 0.0 || v > in - 1.0);
      return v;
    }
  }
  return 0.0;
}

// Linear (possibly antialiased) filter footprint: taps j = start .. start + taps - 1 around the
// left neighbour. Without antialias (or when upsampling) start = 0, taps = 2.
double filter_scale(const ResizeConfig& c, double scale) {
  return c.antialias && scale < 1.0 ? scale : 1.0;
}
int64_t filter_start(double fscale) { return static_cast<int64_t>(std::floor(-1.0 / fscale)) + 1; }

int64_t axis_taps(const ResizeConfig& c, const ResizePlan& p, int d) {
  if (!c.linear) return 1;
  return 2 - 2 * filter_start(filter_scale(c, p.scale[d]));
}

size_t align8(size_t n) { return (n + 7) & ~size_t(7); }

size_t axis_table_bytes(const ResizeConfig& c, const ResizePlan& p, int d) {
  const size_t entries = static_cast<size_t>(p.out_len[d] * axis_taps(c, p, d));
  size_t bytes = entries * sizeof(int64_t) + align8(entries * sizeof(float));
  if (c.coord == ResizeCoordMode::kTfCropAndResize) bytes += align8(static_cast<size_t>(p.out_len[d]));
  return bytes;
}

int64_t round_nearest(double x, ResizeNearestMode mode) {
  const double fl = std::floor(x);
  if (fl == x) return static_cast<int64_t>(x);
  const double frac = x - fl;
  switch (mode) {
    case ResizeNearestMode::kRoundPreferFloor:
      return static_cast<int64_t>(frac <= 0.5 ? fl : fl + 1.0);
    case ResizeNearestMode::kRoundPreferCeil:
      return static_cast<int64_t>(frac < 0.5 ? fl : fl + 1.0);
    case ResizeNearestMode::kFloor:
      return static_cast<int64_t>(fl);
    case ResizeNearestMode::kCeil:
      return static_cast<int64_t>(fl + 1.0);
  }
  return static_cast<int64_t>(fl);
}

// Fills one axis' tap table (see ops/kernels/resize/resize.h).
void fill_axis_table(const ResizeConfig& c, const ResizePlan& p, int d, int64_t stride,
                     int64_t* offset, float* weight, uint8_t* inside) {
  const int64_t in = p.in_len[d];
  const int64_t taps = axis_taps(c, p, d);
  const double fscale = filter_scale(c, p.scale[d]);
  const int64_t start = filter_start(fscale);
  for (int64_t x = 0; x < p.out_len[d]; ++x) {
    bool in_range = true;
    const double coord = source_coord(c, p, d, x, &in_range);
    if (inside) inside[x] = in_range ? 1 : 0;
    int64_t* off = offset + x * taps;
    float* w = weight + x * taps;
    if (!c.linear) {
      int64_t idx = round_nearest(coord, c.nearest);
      idx = idx < 0 ? 0 : (idx >= in ? in - 1 : idx);
      off[0] = idx * stride;
      w[0] = 1.f;
      continue;
    }
    // The reference takes the left neighbour strictly below an integral coordinate (ratio in
    // (0, 1]); that only matters for the antialias footprint, the weights come out the same.
    const double fl = std::floor(coord);
    const double base = fl == coord ? coord - 1.0 : fl;
    const double ratio = coord - base;
    double wsum = 0.0;
    double wv[1024];
    const int64_t n = taps < 1024 ? taps : 1024;  // n == taps: infer caps the footprint
    for (int64_t j = 0; j < n; ++j) {
      const int64_t k = start + j;
      double v = 1.0 - std::fabs((double(k) - ratio) * fscale);
      v = v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
      int64_t idx = static_cast<int64_t>(base) + k;
      if (c.exclude_outside && (idx < 0 || idx >= in)) v = 0.0;
      idx = idx < 0 ? 0 : (idx >= in ? in - 1 : idx);
      off[j] = idx * stride;
      wv[j] = v;
      wsum += v;
    }
    for (int64_t j = 0; j < n; ++j) w[j] = static_cast<float>(wsum > 0.0 ? wv[j] / wsum : 0.0);
  }
}

constexpr int64_t kMaxTaps = 1024;

// The 2-D bilinear kernel needs 2 * out_w floats of row cache per concurrent call; planes are
// split into at most this many slots, each with its own cache.
constexpr int64_t kRowSlots = 16;

int64_t row_slots(const Shape& in_shape) {
  const int64_t planes = dims_product(in_shape, 0, in_shape.size() - 2);
  return planes < kRowSlots ? planes : kRowSlots;
}
size_t row_cache_bytes(const ResizeConfig& c, const Shape& in_shape, const ResizePlan& p) {
  if (!c.linear || in_shape.size() < 2) return 0;
  return static_cast<size_t>(row_slots(in_shape) * 2 * p.out_len[p.rank - 1]) * sizeof(float);
}

ResizeCoordMode parse_coord(const std::string& s) {
  if (s == "half_pixel") return ResizeCoordMode::kHalfPixel;
  if (s == "half_pixel_symmetric") return ResizeCoordMode::kHalfPixelSymmetric;
  if (s == "pytorch_half_pixel") return ResizeCoordMode::kPytorchHalfPixel;
  if (s == "align_corners") return ResizeCoordMode::kAlignCorners;
  if (s == "asymmetric") return ResizeCoordMode::kAsymmetric;
  if (s == "tf_crop_and_resize") return ResizeCoordMode::kTfCropAndResize;
  if (s == "tf_half_pixel_for_nn") {
    fail("Resize: coordinate_transformation_mode 'tf_half_pixel_for_nn' is not supported");
  }
  fail(str_cat("Resize: unknown coordinate_transformation_mode '", s, "'"));
}

ResizeNearestMode parse_nearest(const std::string& s) {
  if (s == "round_prefer_floor") return ResizeNearestMode::kRoundPreferFloor;
  if (s == "round_prefer_ceil") return ResizeNearestMode::kRoundPreferCeil;
  if (s == "floor") return ResizeNearestMode::kFloor;
  if (s == "ceil") return ResizeNearestMode::kCeil;
  fail(str_cat("Resize: unknown nearest_mode '", s, "'"));
}

bool parse_mode(const std::string& op, const std::string& s) {
  if (s == "nearest") return false;
  if (s == "linear" || s == "bilinear" || s == "trilinear") return true;
  if (s == "cubic") fail(str_cat(op, ": mode 'cubic' is not supported (only nearest and linear)"));
  fail(str_cat(op, ": unknown mode '", s, "'"));
}

// The inputs that carry scales/sizes/roi for this node, resolved at plan or run time.
struct ResizeInputs {
  FloatSource scales;
  const Tensor* sizes = nullptr;
  const Tensor* roi = nullptr;
};

}  // namespace

void ResizeOp::infer(InferContext& ctx) const {
  const ResizeConfig& c = config_;
  const ValueInfo& x = ctx.input(0);
  FACET_CHECK(x.dtype == DType::kF32, "Resize: only float32 data is supported, got ",
              dtype_name(x.dtype));
  const int rank = static_cast<int>(x.shape.size());
  check_rank_supported(x.shape.size(), "Resize");
  FACET_CHECK(rank >= 1, "Resize: input must have rank >= 1");
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t a : c.axes) {
    const int d = normalize_axis(a, rank, "Resize");
    FACET_CHECK(!seen[static_cast<size_t>(d)], "Resize: axis ", a, " is repeated");
    seen[static_cast<size_t>(d)] = true;
  }
  ResizeInputs in;
  const bool has_scales = c.scales_input >= 0 && input_given(ctx, c.scales_input);
  const bool has_sizes = c.sizes_input >= 0 && input_given(ctx, c.sizes_input);
  if (has_scales) {
    const Tensor& t = ctx.require_value(c.scales_input, "Resize scales");
    FACET_CHECK(t.dtype() == DType::kF32, "Resize scales must be float32, got ",
                dtype_name(t.dtype()));
    in.scales.tensor = &t;
  } else if (c.has_scales_attr) {
    in.scales.vec = &c.scales_attr;
  }
  if (has_sizes) {
    in.sizes = &ctx.require_value(c.sizes_input, "Resize sizes");
    int_values(*in.sizes, "Resize sizes");
  }
  FACET_CHECK(!(has_scales && has_sizes), "Resize: give either scales or sizes, not both");
  FACET_CHECK(in.sizes || in.scales.size() > 0 || c.has_scales_attr,
              "Resize: needs scales or sizes");
  if (c.coord == ResizeCoordMode::kTfCropAndResize) {
    FACET_CHECK(c.roi_input >= 0 && input_given(ctx, c.roi_input),
                "Resize: tf_crop_and_resize needs the roi input");
    in.roi = &ctx.require_value(c.roi_input, "Resize roi");
    FACET_CHECK(in.roi->dtype() == DType::kF32, "Resize roi must be float32, got ",
                dtype_name(in.roi->dtype()));
  }
  const ResizePlan p = make_plan(c, x.shape, in.scales, in.sizes, in.roi, true);
  Shape out(x.shape.size());
  size_t scratch = 0;
  for (int d = 0; d < rank; ++d) {
    out[d] = p.out_len[d];
    FACET_CHECK(axis_taps(c, p, d) <= kMaxTaps, "Resize: antialias scale ", p.scale[d],
                " on axis ", d, " is too small");
    scratch += axis_table_bytes(c, p, d);
  }
  shape_numel(out);
  scratch += row_cache_bytes(c, x.shape, p);
  ctx.set_output(0, DType::kF32, out);
  ctx.set_scratch_bytes(scratch);
}

void ResizeOp::run(const RunContext& ctx) const {
  const ResizeConfig& c = config_;
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.output(0);
  if (y.numel() == 0) return;
  ResizeInputs in;
  if (c.scales_input >= 0 && input_given(ctx, c.scales_input)) {
    in.scales.tensor = &ctx.input(c.scales_input);
  } else if (c.has_scales_attr) {
    in.scales.vec = &c.scales_attr;
  }
  if (c.sizes_input >= 0 && input_given(ctx, c.sizes_input)) in.sizes = &ctx.input(c.sizes_input);
  if (c.coord == ResizeCoordMode::kTfCropAndResize) in.roi = &ctx.input(c.roi_input);
  const ResizePlan p = make_plan(c, x.shape(), in.scales, in.sizes, in.roi, false);
  const int rank = p.rank;

  // Carve the per-axis tables out of the scratch buffer.
  std::array<kernels::ResizeAxisTable, kMaxTensorRank> tables{};
  auto* cursor = static_cast<uint8_t*>(ctx.scratch());
  int64_t stride = 1;
  AxisArray strides{};
  for (int d = rank - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= p.in_len[d];
  }
  for (int d = 0; d < rank; ++d) {
    const int64_t taps = axis_taps(c, p, d);
    const size_t entries = static_cast<size_t>(p.out_len[d] * taps);
    auto* offset = reinterpret_cast<int64_t*>(cursor);
    cursor += entries * sizeof(int64_t);
    auto* weight = reinterpret_cast<float*>(cursor);
    cursor += align8(entries * sizeof(float));
    uint8_t* inside = nullptr;
    if (c.coord == ResizeCoordMode::kTfCropAndResize) {
      inside = cursor;
      cursor += align8(static_cast<size_t>(p.out_len[d]));
    }
    fill_axis_table(c, p, d, strides[d], offset, weight, inside);
    tables[d] = {p.out_len[d], taps, offset, weight, inside};
  }

  const float* src = x.data<float>();
  float* dst = y.data<float>();
  // 2-D fast paths: every axis but the last two is untouched (identity table) and the last two
  // use plain nearest or bilinear taps with no extrapolation.
  bool fast = rank >= 2;
  for (int d = 0; fast && d < rank; ++d) {
    const kernels::ResizeAxisTable& t = tables[d];
    if (t.inside) {
      for (int64_t o = 0; o < t.out_len; ++o) fast = fast && t.inside[o];
    }
    if (d < rank - 2) {
      // Identity: every tap with a nonzero weight is weight 1 at the same index (linear tables
      // have two taps per axis even where the scale is 1: the left one gets weight 0).
      fast = fast && p.out_len[d] == p.in_len[d];
      for (int64_t o = 0; fast && o < t.out_len; ++o) {
        for (int64_t j = 0; fast && j < t.taps; ++j) {
          const float w = t.weight[o * t.taps + j];
          fast = w == 0.f || (w == 1.f && t.offset[o * t.taps + j] == o * strides[d]);
        }
      }
    }
  }
  const int64_t th = rank >= 2 ? tables[rank - 2].taps : 0;
  const int64_t tw = tables[rank - 1].taps;
  fast = fast && th == tw && (th == 1 || (th == 2 && c.linear));
  if (fast) {
    struct Args {
      const float* src;
      float* dst;
      int64_t in_h, in_w, out_h, out_w;
      const kernels::ResizeAxisTable* ty;
      const kernels::ResizeAxisTable* tx;
      bool nearest_2x;
      const kernels::ResizeKernels* k;
      float* rowbuf;
      int64_t planes, slots;
    } a{src, dst, p.in_len[rank - 2], p.in_len[rank - 1], p.out_len[rank - 2],
        p.out_len[rank - 1], &tables[rank - 2], &tables[rank - 1], false,
        &kernels::resize_kernels(active_isa()), reinterpret_cast<float*>(cursor), 0, 0};
    const int64_t planes = dims_product(x.shape(), 0, static_cast<size_t>(rank - 2));
    a.planes = planes;
    a.slots = row_slots(x.shape());
    if (th == 1) {
      a.nearest_2x = a.out_h == 2 * a.in_h && a.out_w == 2 * a.in_w;
      for (int64_t o = 0; a.nearest_2x && o < a.out_h; ++o) {
        a.nearest_2x = a.ty->offset[o] == (o / 2) * a.in_w;
      }
      for (int64_t o = 0; a.nearest_2x && o < a.out_w; ++o) a.nearest_2x = a.tx->offset[o] == o / 2;
      ctx.parallel_for(planes, 1, [&a](int64_t begin, int64_t end) {
        if (a.nearest_2x) {
          a.k->nearest_2x(a.src, a.dst, a.in_h, a.in_w, begin, end);
        } else {
          a.k->nearest_2d(a.src, a.dst, a.in_h, a.in_w, a.out_h, a.out_w,
                                             a.ty->offset, a.tx->offset, begin, end);
        }
      });
    } else {
      // Slot s owns planes [s * planes / slots, (s + 1) * planes / slots) and row cache s.
      ctx.parallel_for(a.slots, 1, [&a](int64_t begin, int64_t end) {
        for (int64_t s = begin; s < end; ++s) {
          a.k->bilinear_2d(a.src, a.dst, a.in_h, a.in_w, a.out_h, a.out_w, a.ty->offset,
                           a.ty->weight, a.tx->offset, a.tx->weight,
                           a.rowbuf + s * 2 * a.out_w, s * a.planes / a.slots,
                           (s + 1) * a.planes / a.slots);
        }
      });
    }
    return;
  }
  struct Args {
    const float* src;
    float* dst;
    int rank;
    const kernels::ResizeAxisTable* tables;
    float extrapolation;
  } a{src, dst, rank, tables.data(), c.extrapolation_value};
  const int64_t rows = y.numel() / p.out_len[rank - 1];
  ctx.parallel_for(rows, 4, [&a](int64_t begin, int64_t end) {
    kernels::resize_nd_f32_ref(a.src, a.dst, a.rank, a.tables, a.extrapolation, begin, end);
  });
}

std::unique_ptr<Op> make_resize(const NodeDef& def) {
  const NodeDef& d = def;
  ResizeConfig c;
  c.linear = parse_mode("Resize", d.attrs.get_string("mode", "nearest"));
  if (d.opset < 11) {
    // Resize-10: (X, scales), Upsample-style asymmetric coordinates.
    c.coord = ResizeCoordMode::kAsymmetric;
    c.nearest = ResizeNearestMode::kFloor;
    c.scales_input = 1;
    return std::make_unique<ResizeOp>(std::move(c));
  }
  c.roi_input = 1;
  c.scales_input = 2;
  c.sizes_input = 3;
  c.coord = parse_coord(d.attrs.get_string("coordinate_transformation_mode", "half_pixel"));
  c.nearest = parse_nearest(d.attrs.get_string("nearest_mode", "round_prefer_floor"));
  c.extrapolation_value = d.attrs.get_float("extrapolation_value", 0.f);
  c.exclude_outside = d.attrs.get_int("exclude_outside", 0) != 0;
  if (d.opset >= 18) {
    c.antialias = d.attrs.get_int("antialias", 0) != 0;
    c.axes = d.attrs.get_ints("axes");
    const std::string policy = d.attrs.get_string("keep_aspect_ratio_policy", "stretch");
    if (policy == "stretch") {
      c.policy = ResizeAspectPolicy::kStretch;
    } else if (policy == "not_larger") {
      c.policy = ResizeAspectPolicy::kNotLarger;
    } else if (policy == "not_smaller") {
      c.policy = ResizeAspectPolicy::kNotSmaller;
    } else {
      fail(str_cat("Resize: unknown keep_aspect_ratio_policy '", policy, "'"));
    }
  } else {
    FACET_CHECK(!d.attrs.has("antialias") && !d.attrs.has("axes") &&
                    !d.attrs.has("keep_aspect_ratio_policy"),
                "Resize-", d.opset, ": antialias/axes/keep_aspect_ratio_policy need opset 18");
  }
  FACET_CHECK(!(c.coord == ResizeCoordMode::kHalfPixelSymmetric && d.opset < 18), "Resize-",
              d.opset, ": half_pixel_symmetric needs opset 18");
  return std::make_unique<ResizeOp>(std::move(c));
}

std::unique_ptr<Op> make_upsample(const NodeDef& def) {
  ResizeConfig c;
  c.linear = parse_mode("Upsample", def.attrs.get_string("mode", "nearest"));
  c.coord = ResizeCoordMode::kAsymmetric;
  c.nearest = ResizeNearestMode::kFloor;
  if (def.opset >= 9) {
    c.scales_input = 1;
  } else if (def.opset >= 7) {
    FACET_CHECK(def.attrs.has("scales"), "Upsample-", def.opset,
                " requires the 'scales' attribute");
    c.has_scales_attr = true;
    c.scales_attr = def.attrs.get_floats("scales");
  } else {
    // Upsample-1: height_scale / width_scale on the last two axes of NCHW.
    c.has_scales_attr = true;
    c.scales_attr = {def.attrs.get_float("height_scale", 1.f),
                     def.attrs.get_float("width_scale", 1.f)};
    c.axes = {-2, -1};
  }
  return std::make_unique<ResizeOp>(std::move(c));
}

}  // namespace facet::ops
