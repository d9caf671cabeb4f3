#include "ops/conv_pw_dw.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "engine/cpu.h"
#include "engine/status.h"
#include "engine/thread_pool.h"
#include "ops/gemm.h"
#include "ops/kernels/dwconv/dwconv.h"
#include "ops/kernels/sgemm/sgemm.h"

namespace facet::ops {
namespace {

// Pointwise outputs (per image) up to this size are not worth banding: fuse_graph leaves such
// pairs apart, and a fused pair fed smaller inputs than it was fused for runs as one band.
constexpr int64_t kBandAboveBytes = int64_t{1} << 20;
// Target size of one band of pointwise rows, per thread (each thread runs its own bands in its
// own buffer): a quarter of the 1 MiB L2 of the Zen 5 cores we measure on. Measured on
// MobileNetV1-224's two fused pairs, per-node minimum of 6 alternating rounds: at 2 threads,
// 256 KiB per thread instead of 128 KiB (the earlier rule: 256 KiB shared by all threads)
// runs them in 0.183 / 0.272 ms instead of 0.219 / 0.292 ms for 0.34 MiB more peak RSS
// (`facet bench` at 2 threads: 22.48 -> 22.82 MiB); at 1 thread 512 KiB was no faster.
constexpr int64_t kBandBytes = int64_t{256} << 10;

bool all_equal(const std::vector<int64_t>& v, int64_t x) {
  for (int64_t e : v)
    if (e != x) return false;
  return true;
}

Activation activation_of(const ConvSettings& s) {
  return Activation{s.act_kind, s.act_alpha, s.act_beta, s.slope.empty() ? nullptr : s.slope.data()};
}

// Geometry resolved at infer/run time from the shapes.
struct PwDwGeometry {
  int64_t batch, cin, cmid, h, w, oh, ow;
  int64_t kh, kw, sh, sw, dh, dw, pad_top, pad_left;
  int64_t band;      // depthwise output rows per band
  int64_t row_cap;   // pointwise rows the band buffer holds per channel
  int64_t dk_h() const { return (kh - 1) * dh + 1; }  // dilated kernel height
};

// Band geometry for input x, weights wpw/wdw and the depthwise attributes (the same for any
// thread count: every thread has its own band buffer).
PwDwGeometry pw_dw_geometry(const ConvSettings& dw, const Shape& x, const Shape& wpw,
                            const Shape& wdw) {
  PwDwGeometry g;
  g.batch = x[0];
  g.cin = x[1];
  g.cmid = wpw[0];
  g.h = x[2];
  g.w = x[3];
  AxisWindow win[2];
  resolve_forward_windows(dw.attrs, 2, x.data() + 2, wdw.data() + 2, false, win);
  g.oh = win[0].out;
  g.ow = win[1].out;
  g.kh = win[0].kernel;
  g.kw = win[1].kernel;
  g.sh = win[0].stride;
  g.sw = win[1].stride;
  g.dh = win[0].dilation;
  g.dw = win[1].dilation;
  g.pad_top = win[0].pad_begin;
  g.pad_left = win[1].pad_begin;
  const int64_t dk_h = g.dk_h();
  // Doubles: at fusion time the shapes come from the file.
  const double row_bytes = static_cast<double>(g.cmid) * static_cast<double>(g.w) * sizeof(float);
  g.band = g.oh;
  if (row_bytes * static_cast<double>(g.h) > static_cast<double>(kBandAboveBytes)) {
    const double budget = static_cast<double>(kBandBytes);
    const int64_t rows = row_bytes >= budget ? 1 : static_cast<int64_t>(budget / row_bytes);
    // Band of b output rows needs (b - 1) * stride + dk input rows.
    g.band = std::clamp<int64_t>((rows - dk_h) / g.sh + 1, 1, g.oh);
  }
  g.row_cap = std::min(g.h, (g.band - 1) * g.sh + dk_h);
  return g;
}

// Floats of one band buffer. Throws when implausibly large (shapes at plan time are checked,
// this product is derived from them); allocation-free, run() calls it too.
int64_t band_floats(const PwDwGeometry& g) {
  const double n = static_cast<double>(g.cmid) * static_cast<double>(g.row_cap) *
                   static_cast<double>(g.w);
  FACET_CHECK(n <= static_cast<double>(int64_t{1} << 40), "band buffer of ", n,
              " floats is too large");
  return g.cmid * g.row_cap * g.w;
}

// Floats of one GEMM workspace: the pointwise GEMMs have K = cin and at most row_cap * w
// columns.
// (Doubles: at fusion time the shapes come from the file.)
int64_t workspace_floats(const PwDwGeometry& g) {
  const double n = static_cast<double>(g.row_cap) * static_cast<double>(g.w);
  return sgemm_workspace_floats(g.cin, n >= 1e12 ? int64_t{1000000000000} : static_cast<int64_t>(n));
}

// Pointwise rows [lo, hi) of one image held by a band buffer.
struct Band {
  int64_t lo, hi;
};

struct Job {
  PwDwGeometry g;
  SgemmKernel kernel;
  SgemmParams gemm;  // fixed fields; n, b.data and c are set per band
  DwConvParams dw;   // fixed fields; rows, pads and pointers are set per band
  const DwConvKernels* dw_table;
  const float* dw_w;
  const float* dw_b;
  const float* x;
  float* y;
  float* workspace;  // sgemm_slots(threads) GEMM workspaces of ws_floats floats
  int64_t ws_floats;
  float* bands;      // sgemm_slots(threads) band buffers of band_floats floats
  int64_t band_floats;
  int64_t nbands, units, tasks;

  // Output rows of band b.
  int64_t oy0(int64_t b) const { return b * g.band; }
  int64_t oy1(int64_t b) const { return std::min(g.oh, (b + 1) * g.band); }

  // Computes the pointwise rows band b of image n needs into slot's band buffer, keeping the
  // rows it shares with `prev` (the rows the buffer holds from the previous band of the same
  // image, or {0, 0}). With `ctx`, the GEMM is split across the pool's threads.
  Band pointwise_rows(int64_t n, int64_t b, Band prev, int64_t slot,
                      const RunContext* ctx) const {
    const int64_t dk_h = g.dk_h();
    Band cur;
    cur.lo = std::max<int64_t>(0, oy0(b) * g.sh - g.pad_top);
    cur.hi = std::min(g.h, (oy1(b) - 1) * g.sh - g.pad_top + dk_h);
    float* buf = bands + slot * band_floats;
    const int64_t stride = g.row_cap * g.w;
    // Rows [lo, prev.hi) were computed for the previous band: move them to the top.
    const int64_t carry = std::max<int64_t>(0, prev.hi - cur.lo);
    if (carry > 0 && cur.lo != prev.lo) {
      for (int64_t c = 0; c < g.cmid; ++c) {
        float* base = buf + c * stride;
        std::memmove(base, base + (cur.lo - prev.lo) * g.w,
                     static_cast<size_t>(carry * g.w) * sizeof(float));
      }
    }
    const int64_t first_new = cur.lo + carry;
    if (cur.hi <= first_new) return cur;
    SgemmParams p = gemm;
    p.n = (cur.hi - first_new) * g.w;
    p.b.data = x + n * g.cin * g.h * g.w + first_new * g.w;
    p.c = buf + carry * g.w;
    if (ctx == nullptr) {
      kernel.fn(p, 0, p.m, 0, p.n, workspace + slot * ws_floats);
    } else {
      run_sgemm_problems(
          *ctx, kernel, 1, p.m, p.n,
          [](const void* context, int64_t, SgemmParams* out) {
            *out = *static_cast<const SgemmParams*>(context);
          },
          &p, workspace, ws_floats);
    }
    return cur;
  }

  // Depthwise output rows of band b, channels [c0, c1) (split over the pool with `ctx`).
  void depthwise_rows(int64_t n, int64_t b, Band cur, int64_t c0, int64_t c1, int64_t slot,
                      const RunContext* ctx) const {
    const int64_t dk_h = g.dk_h();
    DwConvParams p = dw;
    p.in_h = cur.hi - cur.lo;
    p.out_h = oy1(b) - oy0(b);
    p.pad_top = cur.lo - (oy0(b) * g.sh - g.pad_top);
    p.pad_bottom = std::max<int64_t>(0, (p.out_h - 1) * g.sh + dk_h - p.in_h - p.pad_top);
    const DwConvF32Fn fn = dwconv2d_f32_select(*dw_table, p);
    const float* in = bands + slot * band_floats;
    float* out = y + n * g.cmid * g.oh * g.ow + oy0(b) * g.ow;
    if (ctx == nullptr) {
      fn(p, in, dw_w, dw_b, out, c0, c1);
      return;
    }
    // One captured pointer keeps the std::function allocation-free.
    struct Call {
      const DwConvParams* p;
      DwConvF32Fn fn;
      const float *in, *w, *b;
      float* out;
      int64_t c0;
    } call{&p, fn, in, dw_w, dw_b, out, c0};
    ctx->parallel_for(c1 - c0, std::max<int64_t>(1, g.cmid / 64),
                      [&call](int64_t begin, int64_t end) {
                        call.fn(*call.p, call.in, call.w, call.b, call.out, call.c0 + begin,
                                call.c0 + end);
                      });
  }

  // Bands [u0, u1) of the flattened (image, band) sequence on one thread, buffer `slot`.
  void run_units(int64_t u0, int64_t u1, int64_t slot) const {
    Band prev{0, 0};
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t n = u / nbands, b = u % nbands;
      if (b == 0) prev = Band{0, 0};
      const Band cur = pointwise_rows(n, b, prev, slot, nullptr);
      depthwise_rows(n, b, cur, 0, g.cmid, slot, nullptr);
      prev = cur;
    }
  }
};

class ConvPwDwOp final : public Op {
 public:
  ConvPwDwOp(const ConvSettings& pw, const ConvSettings& dw) : pw_(pw), dw_(dw) {
    kernel_ = sgemm_kernel(active_isa());
  }

  void prepare(const std::vector<const Tensor*>& constant_inputs) override {
    kernel_ = sgemm_kernel(active_isa());
    if (constant_inputs.size() < 2 || constant_inputs[1] == nullptr) return;
    const Tensor& w = *constant_inputs[1];
    if (w.dtype() != DType::kF32 || w.rank() != 4) return;
    const int64_t m = w.dim(0), k = w.dim(1);
    packed_.zeros(static_cast<size_t>(sgemm_packed_a_floats(kernel_.mr, m, k)));
    sgemm_pack_a_consuming(kernel_.mr, m, k, w, w.data<float>(), packed_.data());
    packed_shape_ = w.shape();
  }

  bool releases_constant_input(int index) const override {
    return index == 1 && !packed_.empty();
  }

  void infer(InferContext& ctx) const override {
    const PwDwGeometry g = geometry(ctx);
    ctx.set_output(0, DType::kF32, {g.batch, g.cmid, g.oh, g.ow});
    // The GEMM workspaces, one band buffer per thread, then the packed weights when they were
    // not packed in prepare().
    const int64_t buffers = sgemm_slots(ctx.threads());
    size_t bytes = static_cast<size_t>(buffers * workspace_floats(g)) * sizeof(float) +
                   static_cast<size_t>(buffers * band_floats(g)) * sizeof(float);
    if (!packed_for(ctx.in_shape(1)))
      bytes += static_cast<size_t>(sgemm_packed_a_floats(kernel_.mr, g.cmid, g.cin)) *
               sizeof(float);
    ctx.set_scratch_bytes(bytes);
  }

  // Threads: with at least as many bands (over the batch) as threads, each thread runs a
  // contiguous range of bands with its own band buffer, GEMM workspace and carried rows: one
  // fork/join per node (a fork/join per band stalled for milliseconds whenever the other core
  // was busy). With fewer bands than threads (small maps), each band's GEMM and depthwise
  // step are split across the threads instead.
  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w_pw = ctx.input(1);
    const Tensor& w_dw = ctx.input(3);
    Job job;
    job.g = geometry_from(x.shape(), w_pw.shape(), w_dw.shape());
    const PwDwGeometry& g = job.g;
    job.workspace = static_cast<float*>(ctx.scratch());
    job.ws_floats = workspace_floats(g);
    job.bands = job.workspace + sgemm_slots(ctx.threads()) * job.ws_floats;
    job.band_floats = band_floats(g);
    job.kernel = kernel_;
    const int64_t threads = ctx.threads();
    const int64_t buffers = sgemm_slots(ctx.threads());  // as in infer()
    const float* packed = packed_.data();
    if (!packed_for(w_pw.shape())) {
      float* p = job.bands + buffers * job.band_floats;
      sgemm_pack_a_f32(kernel_.mr, false, g.cmid, g.cin, 1.f, w_pw.data<float>(), g.cin, p);
      packed = p;
    }
    job.x = x.data<float>();
    job.y = ctx.output(0).data<float>();
    job.gemm.m = g.cmid;
    job.gemm.k = g.cin;
    job.gemm.packed_a = packed;
    job.gemm.a_mr = kernel_.mr;
    job.gemm.b = SgemmB{};
    job.gemm.b.kind = SgemmBKind::kDense;
    job.gemm.b.ld = g.h * g.w;
    job.gemm.ldc = g.row_cap * g.w;
    job.gemm.bias = ctx.has_input(2) ? ctx.input(2).data<float>() : nullptr;
    job.gemm.accumulate = 0;
    job.gemm.act = activation_of(pw_);
    DwConvParams& d = job.dw;
    d = DwConvParams{};
    d.batch = 1;
    d.channels = g.cmid;
    d.in_w = g.w;
    d.out_w = g.ow;
    d.kernel_h = g.kh;
    d.kernel_w = g.kw;
    d.stride_h = g.sh;
    d.stride_w = g.sw;
    d.dilation_h = g.dh;
    d.dilation_w = g.dw;
    d.pad_left = g.pad_left;
    d.pad_right = std::max<int64_t>(0, (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1 - g.w - g.pad_left);
    d.in_plane_stride = g.row_cap * g.w;
    d.out_plane_stride = g.oh * g.ow;
    d.act = DwActivation{static_cast<DwActKind>(static_cast<int>(dw_.act_kind)), dw_.act_alpha,
                         dw_.act_beta, dw_.slope.empty() ? nullptr : dw_.slope.data()};
    job.dw_w = w_dw.data<float>();
    job.dw_b = ctx.has_input(4) ? ctx.input(4).data<float>() : nullptr;
    job.dw_table = &dwconv2d_kernels_tuned(active_isa());

    const int64_t nbands = (g.oh + g.band - 1) / g.band;
    const int64_t units = g.batch * nbands;
    const int64_t tasks = std::min({buffers, units});
    // Even shares, or enough bands that an uneven one matters little.
    if (tasks >= threads && (units % tasks == 0 || units >= 4 * tasks)) {
      job.nbands = nbands;
      job.tasks = tasks;
      job.units = units;
      ctx.parallel_for(tasks, 1, [&job](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) job.run_units(t * job.units / job.tasks,
                                                        (t + 1) * job.units / job.tasks, t);
      });
      return;
    }
    // Fewer bands than threads: every band uses all threads.
    for (int64_t n = 0; n < g.batch; ++n) {
      Band prev{0, 0};
      for (int64_t b = 0; b < nbands; ++b) {
        const Band cur = job.pointwise_rows(n, b, prev, 0, &ctx);
        job.depthwise_rows(n, b, cur, 0, g.cmid, 0, &ctx);
        prev = cur;
      }
    }
  }

  int64_t macs(const std::vector<ValueInfo>& inputs,
               const std::vector<ValueInfo>& outputs) const override {
    if (inputs.size() < 4 || outputs.empty()) return 0;
    const Shape& x = inputs[0].shape;
    const Shape& y = outputs[0].shape;
    const Shape& wdw = inputs[3].shape;
    if (x.size() != 4 || y.size() != 4 || wdw.size() != 4) return 0;
    return x[0] * y[1] * x[2] * x[3] * x[1] + shape_numel(y) * wdw[2] * wdw[3];
  }

 private:
  bool packed_for(const Shape& w) const { return !packed_.empty() && packed_shape_ == w; }

  PwDwGeometry geometry(const InferContext& ctx) const {
    check_f32_input(ctx, 0, "X");
    check_f32_input(ctx, 1, "W");
    check_f32_input(ctx, 3, "W (depthwise)");
    const Shape& x = ctx.in_shape(0);
    const Shape& wpw = ctx.in_shape(1);
    const Shape& wdw = ctx.in_shape(3);
    check_rank(x, 4, "X");
    check_rank(wpw, 4, "W");
    check_rank(wdw, 4, "W (depthwise)");
    FACET_CHECK(wpw[1] == x[1] && wpw[2] == 1 && wpw[3] == 1, "W ", shape_str(wpw),
                " does not fit X ", shape_str(x), " (expected [M, ", x[1], ", 1, 1])");
    FACET_CHECK(wdw[0] == wpw[0] && wdw[1] == 1, "depthwise W ", shape_str(wdw),
                " does not fit the ", wpw[0], " pointwise output channels");
    for (int i : {2, 4}) {
      if (!ctx.has_input(i)) continue;
      check_f32_input(ctx, i, i == 2 ? "B" : "B (depthwise)");
      const Shape& b = ctx.in_shape(i);
      FACET_CHECK(b.size() == 1 && b[0] == wpw[0], "input ", i, " (bias) has shape ",
                  shape_str(b), ", expected [", wpw[0], "]");
    }
    return geometry_from(x, wpw, wdw);
  }

  PwDwGeometry geometry_from(const Shape& x, const Shape& wpw, const Shape& wdw) const {
    return pw_dw_geometry(dw_, x, wpw, wdw);
  }

  ConvSettings pw_, dw_;
  SgemmKernel kernel_;
  FloatBuffer packed_;
  Shape packed_shape_;
};

}  // namespace

bool conv_pw_dw_fusable(const ConvSettings& pw, const Shape& w_pw, const ConvSettings& dw,
                        const Shape& w_dw) {
  if (w_pw.size() != 4 || w_dw.size() != 4) return false;
  if (pw.group != 1 || w_pw[2] != 1 || w_pw[3] != 1) return false;
  // Any auto_pad: a 1x1 kernel with stride 1 pads nothing.
  if (!all_equal(pw.attrs.strides, 1) || !all_equal(pw.attrs.dilations, 1) ||
      !all_equal(pw.attrs.pads, 0))
    return false;
  if (!pw.attrs.kernel_shape.empty() && !all_equal(pw.attrs.kernel_shape, 1)) return false;
  const int64_t c = w_pw[0];
  if (dw.group != c || w_dw[0] != c || w_dw[1] != 1) return false;
  if (dw.attrs.strides.size() > 2 || dw.attrs.dilations.size() > 2 || dw.attrs.pads.size() > 4)
    return false;
  if (!dw.attrs.kernel_shape.empty() &&
      (dw.attrs.kernel_shape.size() != 2 || dw.attrs.kernel_shape[0] != w_dw[2] ||
       dw.attrs.kernel_shape[1] != w_dw[3]))
    return false;
  if (dw.attrs.auto_pad == AutoPad::kNotSet && !dw.attrs.pads.empty()) {
    if (dw.attrs.pads.size() != 4) return false;
    for (int i = 0; i < 4; ++i) {
      const int64_t axis = i % 2;
      const int64_t dil = dw.attrs.dilations.empty() ? 1 : dw.attrs.dilations[static_cast<size_t>(axis)];
      const int64_t extent = (w_dw[static_cast<size_t>(2 + axis)] - 1) * dil + 1;
      if (dw.attrs.pads[static_cast<size_t>(i)] >= extent) return false;
    }
  }
  return true;
}

bool conv_pw_dw_footprints(const ConvSettings& dw, const Shape& x, const Shape& w_pw,
                           const Shape& w_dw, double* fused_bytes, double* unfused_bytes) {
  if (x.size() != 4 || w_pw.size() != 4 || w_dw.size() != 4) return false;
  PwDwGeometry g;
  try {
    g = pw_dw_geometry(dw, x, w_pw, w_dw);
  } catch (const Error&) {
    return false;
  }
  const double f = sizeof(float), n = static_cast<double>(g.batch);
  const double plane = static_cast<double>(g.h) * static_cast<double>(g.w);
  const double in = n * static_cast<double>(g.cin) * plane * f;
  const double mid1 = static_cast<double>(g.cmid) * plane * f;  // one image
  const double out = n * static_cast<double>(g.cmid) * static_cast<double>(g.oh) *
                     static_cast<double>(g.ow) * f;
  if (mid1 <= static_cast<double>(kBandAboveBytes)) return false;
  // Buffers for every core (the thread count is not known yet): the unfused pointwise conv
  // takes whole workspaces, the fused op a band buffer and a workspace sized for its band
  // GEMMs per thread.
  const double slots = static_cast<double>(sgemm_slots());
  const double ws = static_cast<double>(sgemm_workspace_bytes());
  const double band_ws = static_cast<double>(workspace_floats(g)) * f;
  const double band = static_cast<double>(g.cmid) * static_cast<double>(g.row_cap) *
                      static_cast<double>(g.w) * f;
  // The fused step holds input, output, the band buffers and the GEMM workspaces; the two
  // separate steps hold input + intermediate + workspaces, then intermediate + output.
  *fused_bytes = in + out + (band + band_ws) * slots;
  // A same-size depthwise step may run in place (Session's planner), holding about 1/8 more.
  const bool same_size = g.sh == 1 && g.sw == 1 && g.oh == g.h && g.ow == g.w;
  const double dw_step = same_size ? n * mid1 * 1.125 : n * mid1 + out;
  *unfused_bytes = std::max(in + n * mid1 + ws, dw_step);
  return true;
}

std::unique_ptr<Op> make_conv_pw_dw(const ConvSettings& pw, const ConvSettings& dw) {
  return std::make_unique<ConvPwDwOp>(pw, dw);
}

}  // namespace facet::ops
