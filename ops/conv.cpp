#include "ops/conv.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "engine/cpu.h"
#include "engine/status.h"
#include "engine/thread_pool.h"
#include "ops/fusion.h"
#include "ops/gemm.h"
#include "ops/kernels/conv/conv.h"
#include "ops/kernels/conv/convdirect.h"
#include "ops/kernels/dwconv/dwconv.h"
#include "ops/nn_common.h"

namespace facet::ops {
namespace {

// Fills every field of p from the shapes (checked in infer); allocation-free.
void conv_params(const WindowAttrs& attrs, int64_t group, const Shape& x, const Shape& w,
                 ConvParams* p) {
  const int rank = static_cast<int>(x.size()) - 2;
  AxisWindow win[3];
  resolve_forward_windows(attrs, rank, x.data() + 2, w.data() + 2, false, win);
  p->batch = x[0];
  p->in_channels = x[1];
  p->out_channels = w[0];
  p->group = group;
  const int lead = 3 - rank;  // 1-D and 2-D map onto the trailing kernel axes
  for (int i = 0; i < 3; ++i) {
    const bool used = i >= lead;
    const AxisWindow* a = used ? &win[i - lead] : nullptr;
    p->in_size[i] = used ? x[static_cast<size_t>(2 + i - lead)] : 1;
    p->out_size[i] = used ? a->out : 1;
    p->kernel[i] = used ? a->kernel : 1;
    p->stride[i] = used ? a->stride : 1;
    p->dilation[i] = used ? a->dilation : 1;
    p->pad_begin[i] = used ? a->pad_begin : 0;
  }
}

enum class ConvPath {
  kDirectRef,  // conv_f32_ref (3-D, or FACET_ISA=ref) + activation pass
  kDepthwise,  // dwconv kernel family
  kGemm,       // per (batch, group): packed W x (X or implicit im2col of X)
  kDirect,     // convdirect family (group 1, few output or input channels)
};

// The direct kernel beats im2col + GEMM when the GEMM is structurally bad: few output channels
// (M rows waste the 6-row tile and the im2col packing dominates) or few input channels
// (K = 9 * C). Measured per node, both paths forced, 1 thread, avx2 (Zen3, shared machine, ms
// direct / GEMM): ESPNet 512x1024 level1 3->16 3x3 s2 5.4 / 10.2; level2 19->12 3x3 s2
// 4.5 / 13.1; 12->12 3x3 dilation 2..16 1.4-2.5 / 1.9-5.4; level3_0 131->25 3x3 s2
// 20.9 / 29.2; 25->25 dilation 2..16 1.5-2.5 / 2.0-6.2; /conv/conv 36->20 3x3 45.6 / 80.9;
// 4->4 dilated 0.2 / 0.5; style 512x512 9x9 3->32 and 32->3: 36 and 25 GFLOP/s direct vs 29
// and 6 GEMM. Direct won (or tied within the noise) on every eligible shape, so the rule stays
// "group 1, kernel > 1x1, M <= 32 or C <= 4"; wider convs (M > 32 and C > 4) keep the GEMM.
constexpr int64_t kDirectMaxOutChannels = 32;
constexpr int64_t kDirectMaxInChannels = 4;
// Ring rows per thread above this fall back to GEMM.
constexpr int64_t kDirectMaxScratchFloats = int64_t{1} << 20;

bool direct_weights(int64_t group, const Shape& w) {
  return group == 1 && w.size() == 4 && w[2] * w[3] > 1 &&
         (w[0] <= kDirectMaxOutChannels || w[1] <= kDirectMaxInChannels);
}

ConvDirectParams direct_params(const ConvParams& cp, const Activation& act) {
  ConvDirectParams d;
  d.batch = cp.batch;
  d.in_channels = cp.in_channels;
  d.out_channels = cp.out_channels;
  d.in_h = cp.in_size[1];
  d.in_w = cp.in_size[2];
  d.out_h = cp.out_size[1];
  d.out_w = cp.out_size[2];
  d.kernel_h = cp.kernel[1];
  d.kernel_w = cp.kernel[2];
  d.stride_h = cp.stride[1];
  d.stride_w = cp.stride[2];
  d.dilation_h = cp.dilation[1];
  d.dilation_w = cp.dilation[2];
  d.pad_top = cp.pad_begin[1];
  d.pad_left = cp.pad_begin[2];
  d.act = act;
  return d;
}

// X [N, C, spatial...], W [M, C / group, kernel...], optional B [M] -> Y [N, M, out...].
// Every Conv version (1, 11, 22) has the same attributes and semantics; later versions only
// widen the types.
//
// Paths: depthwise (group == C == M, 1-D/2-D) runs the dwconv family; other 1-D/2-D convs run
// the packed SGEMM per (image, group) with M/group rows, K = C/group * kernel volume and
// N = output pixels: a 1x1 stride-1 unpadded conv reads X in place as B (no copy), others
// build B blocks from X on the fly (im2col fused into the B packing). Weights are packed once
// in prepare() when they are initializers, else per run into scratch. The fused activation
// (set by fuse_graph) is applied in every path.
class ConvOp final : public Op, public ActivationFusable {
 public:
  explicit ConvOp(const NodeDef& def) {
    attrs_ = parse_window_attrs(def.attrs, /*with_dilations=*/true);
    group_ = def.attrs.get_int("group", 1);
    FACET_CHECK(group_ >= 1, "attribute 'group' has value ", group_, ", expected >= 1");
    act_ = Activation{ActKind::kNone, 0.f, 0.f, nullptr};
    kernel_ = sgemm_kernel(active_isa());
  }

  void prepare(const std::vector<const Tensor*>& constant_inputs) override {
    kernel_ = sgemm_kernel(active_isa());
    if (constant_inputs.size() < 2 || constant_inputs[1] == nullptr) return;
    const Tensor& w = *constant_inputs[1];
    if (w.dtype() != DType::kF32 || w.rank() < 3 || w.dim(0) % group_ != 0) return;
    // Depthwise weights (group == C == M) go to the dwconv kernels as they are: no GEMM panels.
    if (group_ > 1 && w.dim(1) == 1 && w.dim(0) == group_) return;
    // With the scalar GEMM (FACET_ISA=ref) every conv takes the reference loops, which read W
    // itself: panels would only cost memory.
    if (kernel_.fn == sgemm_f32_ref) return;
    const int64_t m_g = w.dim(0) / group_;
    const int64_t k = w.numel() / std::max<int64_t>(w.dim(0), 1);
    const int64_t stride = sgemm_packed_a_floats(kernel_.mr, m_g, k);
    packed_.zeros(static_cast<size_t>(stride * group_));
    packed_shape_ = w.shape();
    direct_packed_.clear();
    // The direct path's copy first: the GEMM panels below consume W as they go.
    if (direct_weights(group_, w.shape())) {
      ConvParams cp{};
      cp.out_channels = w.dim(0);
      cp.in_channels = w.dim(1);
      cp.kernel[1] = w.dim(2);
      cp.kernel[2] = w.dim(3);
      const ConvDirectParams d = direct_params(cp, act_);
      direct_packed_.assign(static_cast<size_t>(conv_direct_packed_floats(d)), 0.f);
      conv_direct_pack_weights(d, w.data<float>(), direct_packed_.data());
    }
    // Only a W this op will release may be consumed while packing (3-D convs keep reading it).
    const bool consume = releases_constant_input(1);
    for (int64_t g = 0; g < group_; ++g) {
      const float* a = w.data<float>() + g * m_g * k;
      if (consume) {
        sgemm_pack_a_consuming(kernel_.mr, m_g, k, w, a, packed_.data() + g * stride);
      } else {
        sgemm_pack_a_f32(kernel_.mr, false, m_g, k, 1.f, a, k, packed_.data() + g * stride);
      }
    }
  }

  // W (input 1) is read only through packed_ / direct_packed_ on the GEMM and direct paths,
  // which every 1-D/2-D non-depthwise conv takes when the SGEMM kernel is not the scalar one;
  // the depthwise and reference paths read W itself. B is always read in place.
  bool releases_constant_input(int index) const override {
    const Shape& w = packed_shape_;
    if (index != 1 || packed_.empty() || kernel_.fn == sgemm_f32_ref) return false;
    if (w.size() != 3 && w.size() != 4) return false;
    return !(group_ > 1 && w[1] == 1 && w[0] == group_);
  }

  bool accepts_channel_slope() const override { return true; }
  bool has_activation() const override { return act_.kind != ActKind::kNone; }
  void set_activation(ActKind kind, float alpha, float beta,
                      const std::vector<float>& slope) override {
    slope_ = slope;
    act_ = Activation{kind, alpha, beta, slope_.empty() ? nullptr : slope_.data()};
  }

  void infer(InferContext& ctx) const override {
    check_f32_input(ctx, 0, "X");
    check_f32_input(ctx, 1, "W");
    const Shape& x = ctx.in_shape(0);
    const Shape& w = ctx.in_shape(1);
    check_rank_range(x, 3, 5, "X");
    check_rank(w, static_cast<int>(x.size()), "W");
    const int rank = static_cast<int>(x.size()) - 2;
    check_window_ranks(attrs_, rank, /*check_kernel=*/false);
    const int64_t channels = x[1];
    const int64_t out_channels = w[0];
    FACET_CHECK(channels % group_ == 0, "group ", group_, " does not divide the ", channels,
                " input channels");
    FACET_CHECK(out_channels % group_ == 0, "group ", group_, " does not divide the ",
                out_channels, " output channels of W ", shape_str(w));
    FACET_CHECK(w[1] * group_ == channels, "W ", shape_str(w), " has ", w[1],
                " input channels per group, expected ", channels / group_, " (X ",
                shape_str(x), ", group ", group_, ")");
    for (int i = 0; i < rank; ++i) {
      const int64_t k = w[static_cast<size_t>(i) + 2];
      FACET_CHECK(k >= 1, "W ", shape_str(w), " has an empty kernel");
      if (!attrs_.kernel_shape.empty()) {
        FACET_CHECK(attrs_.kernel_shape[static_cast<size_t>(i)] == k,
                    "attribute 'kernel_shape' does not match W ", shape_str(w));
      }
    }
    if (ctx.has_input(2)) {
      check_f32_input(ctx, 2, "B");
      const Shape& b = ctx.in_shape(2);
      check_rank(b, 1, "B");
      FACET_CHECK(b[0] == out_channels, "input 'B' has shape ", shape_str(b), ", expected [",
                  out_channels, "]");
    }
    AxisWindow win[3];
    resolve_forward_windows(attrs_, rank, x.data() + 2, w.data() + 2, false, win);
    Shape y = {x[0], out_channels};
    for (int i = 0; i < rank; ++i) y.push_back(win[i].out);
    ctx.set_output(0, DType::kF32, y);
    ConvParams p;
    conv_params(attrs_, group_, x, w, &p);
    if (choose_path(p) == ConvPath::kGemm) {
      size_t bytes = static_cast<size_t>(sgemm_slots(ctx.threads()) * gemm_workspace_floats(p)) *
                     sizeof(float);
      if (!packed_for(w)) {
        const int64_t m_g = p.out_channels / group_;
        const int64_t k = w[1] * p.kernel[0] * p.kernel[1] * p.kernel[2];
        bytes += static_cast<size_t>(group_ * (m_g + 7) * k) * sizeof(float);
      }
      ctx.set_scratch_bytes(bytes);
    } else if (choose_path(p) == ConvPath::kDirect) {
      const int64_t per_slot = conv_direct_scratch_floats(direct_params(p, act_));
      ctx.set_scratch_bytes(static_cast<size_t>(sgemm_slots(ctx.threads()) * per_slot) *
                            sizeof(float));
    } else if (choose_path(p) == ConvPath::kDepthwise && depthwise_in_place_ok(p)) {
      // Same-size depthwise: may overwrite its input (see run_depthwise_in_place).
      const int64_t plane = p.in_size[1] * p.in_size[2];
      ctx.allow_in_place(static_cast<size_t>(ctx.threads() * plane *
                                             in_place_group(plane, p.in_channels,
                                                            ctx.threads())) *
                         sizeof(float));
    }
  }

  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const float* bias = ctx.has_input(2) ? ctx.input(2).data<float>() : nullptr;
    Tensor& y = ctx.output(0);
    ConvParams p;
    conv_params(attrs_, group_, x.shape(), w.shape(), &p);
    switch (choose_path(p)) {
      case ConvPath::kDepthwise:
        run_depthwise(ctx, p, x.data<float>(), w.data<float>(), bias, y.data<float>());
        return;
      case ConvPath::kGemm:
        run_gemm(ctx, p, x.data<float>(), w, bias, y.data<float>());
        return;
      case ConvPath::kDirect:
        run_direct(ctx, p, x.data<float>(), bias, y.data<float>());
        return;
      case ConvPath::kDirectRef:
        break;
    }
    struct Job {
      const ConvParams* p;
      const float* x;
      const float* w;
      const float* b;
      float* y;
      const Activation* act;
    } job{&p, x.data<float>(), w.data<float>(), bias, y.data<float>(), &act_};
    // One captured reference keeps the std::function small enough to avoid a heap allocation.
    ctx.parallel_for(p.batch * p.out_channels, 1, [&job](int64_t begin, int64_t end) {
      conv_f32_ref(*job.p, job.x, job.w, job.b, job.y, begin, end);
      if (job.act->kind == ActKind::kNone) return;
      const int64_t plane = job.p->out_size[0] * job.p->out_size[1] * job.p->out_size[2];
      for (int64_t i = begin; i < end; ++i) {
        activation_apply_f32(*job.act, nullptr, i % job.p->out_channels, job.y + i * plane, 1,
                             plane, plane);
      }
    });
  }

  void settings(ConvSettings* out) const {
    out->attrs = attrs_;
    out->group = group_;
    out->act_kind = act_.kind;
    out->act_alpha = act_.alpha;
    out->act_beta = act_.beta;
    out->slope = slope_;
  }

  int64_t macs(const std::vector<ValueInfo>& inputs,
               const std::vector<ValueInfo>& outputs) const override {
    if (inputs.size() < 2 || outputs.empty()) return 0;
    const Shape& w = inputs[1].shape;
    int64_t per_output = 1;  // MACs per output element: C/group * kernel volume
    for (size_t i = 1; i < w.size(); ++i) per_output *= w[i];
    return shape_numel(outputs[0].shape) * per_output;
  }

 private:
  bool packed_for(const Shape& w) const { return !packed_.empty() && packed_shape_ == w; }

  ConvPath choose_path(const ConvParams& p) const {
    if (p.in_size[0] != 1 || p.kernel[0] != 1 || p.out_size[0] != 1) return ConvPath::kDirectRef;
    if (group_ > 1 && group_ == p.in_channels && group_ == p.out_channels)
      return ConvPath::kDepthwise;
    // The scalar GEMM is slower than the direct reference loops: keep those for FACET_ISA=ref.
    if (kernel_.fn == sgemm_f32_ref) return ConvPath::kDirectRef;
    if (use_direct(p)) return ConvPath::kDirect;
    return ConvPath::kGemm;
  }

  // Direct path: weights packed in prepare() for this shape and a bounded ring.
  bool use_direct(const ConvParams& p) const {
    if (direct_packed_.empty() || p.group != 1 || p.out_channels != packed_shape_[0] ||
        p.in_channels != packed_shape_[1] || p.kernel[1] != packed_shape_[2] ||
        p.kernel[2] != packed_shape_[3])
      return false;
    return conv_direct_scratch_floats(direct_params(p, act_)) <= kDirectMaxScratchFloats;
  }

  void run_direct(const RunContext& ctx, const ConvParams& cp, const float* x, const float* bias,
                  float* y) const {
    struct Job {
      ConvDirectParams p;
      ConvDirectF32Fn fn;
      const float* x;
      const float* packed;
      const float* b;
      float* y;
      float* scratch;
      int64_t per_slot, rows, tasks;
    } job;
    job.p = direct_params(cp, act_);
    job.fn = conv_direct_kernel(active_isa());
    job.x = x;
    job.packed = direct_packed_.data();
    job.b = bias;
    job.y = y;
    job.scratch = static_cast<float*>(ctx.scratch());
    job.per_slot = conv_direct_scratch_floats(job.p);
    job.rows = cp.batch * job.p.out_h;
    const int64_t threads = ctx.threads();
    const int64_t macs = job.rows * job.p.out_w * job.p.out_channels * job.p.in_channels *
                         job.p.kernel_h * job.p.kernel_w;
    job.tasks = macs < 100000
                    ? 1
                    : std::max<int64_t>(1, std::min({threads, sgemm_slots(), job.rows}));
    ctx.parallel_for(job.tasks, 1, [&job](int64_t t_begin, int64_t t_end) {
      for (int64_t t = t_begin; t < t_end; ++t)
        job.fn(job.p, job.x, job.packed, job.b, job.y, t * job.rows / job.tasks,
               (t + 1) * job.rows / job.tasks, job.scratch + t * job.per_slot);
    });
  }

  void run_depthwise(const RunContext& ctx, const ConvParams& cp, const float* x, const float* w,
                     const float* bias, float* y) const {
    struct Job {
      DwConvParams p;
      DwConvF32Fn fn;
      const float* x;
      const float* w;
      const float* b;
      float* y;
    } job;
    DwConvParams& p = job.p;
    p.batch = cp.batch;
    p.channels = cp.in_channels;
    p.in_h = cp.in_size[1];
    p.in_w = cp.in_size[2];
    p.out_h = cp.out_size[1];
    p.out_w = cp.out_size[2];
    p.kernel_h = cp.kernel[1];
    p.kernel_w = cp.kernel[2];
    p.stride_h = cp.stride[1];
    p.stride_w = cp.stride[2];
    p.dilation_h = cp.dilation[1];
    p.dilation_w = cp.dilation[2];
    p.pad_top = cp.pad_begin[1];
    p.pad_left = cp.pad_begin[2];
    p.in_plane_stride = 0;
    p.out_plane_stride = 0;
    p.prefetch_after = nullptr;
    // The far-side pads only document the geometry; derive them from the sizes.
    p.pad_bottom = std::max<int64_t>(
        0, (p.out_h - 1) * p.stride_h + (p.kernel_h - 1) * p.dilation_h + 1 - p.in_h - p.pad_top);
    p.pad_right = std::max<int64_t>(
        0, (p.out_w - 1) * p.stride_w + (p.kernel_w - 1) * p.dilation_w + 1 - p.in_w - p.pad_left);
    p.act = DwActivation{static_cast<DwActKind>(static_cast<int>(act_.kind)), act_.alpha,
                         act_.beta, act_.slope};
    job.fn = dwconv2d_f32_select(dwconv2d_kernels(active_isa()), p);  // see dwconv2d_kernels_tuned
    if (x == y) {
      run_depthwise_in_place(ctx, p, job.fn, w, bias, y);
      return;
    }
    job.x = x;
    job.w = w;
    job.b = bias;
    job.y = y;
    ctx.parallel_for(p.batch * p.channels, 1, [&job](int64_t begin, int64_t end) {
      job.fn(job.p, job.x, job.w, job.b, job.y, begin, end);
    });
  }

  // A stride-1 depthwise conv whose output has its input's size can run in place: each output
  // plane depends on its own input plane only.
  static bool depthwise_in_place_ok(const ConvParams& p) {
    return p.stride[1] == 1 && p.stride[2] == 1 && p.out_size[1] == p.in_size[1] &&
           p.out_size[2] == p.in_size[2] && p.in_channels == p.out_channels;
  }
  // Planes one in-place kernel call computes: as many as fit kInPlaceGroupBytes, at least 1,
  // at most one thread's share of the channels (infer() and run() see the same thread count).
  static constexpr int64_t kInPlaceGroupBytes = int64_t{16} << 10;
  static int64_t in_place_group(int64_t plane_floats, int64_t channels, int64_t threads) {
    const int64_t bytes = std::max<int64_t>(plane_floats, 1) * static_cast<int64_t>(sizeof(float));
    const int64_t share = (channels + threads - 1) / std::max<int64_t>(threads, 1);
    return std::max<int64_t>(1, std::min(share, kInPlaceGroupBytes / bytes));
  }
  // In place (the planner gave y the storage of x): each thread computes a group of output
  // planes at a time (in_place_group: up to 16 KiB, at least one plane) into its part of the
  // scratch and copies them over the input planes they replace, which nothing reads afterwards.
  // The copy reads and writes L1-resident data: MobileNetV1-224's 128 x 56 x 56 layer took
  // 0.19 ms with groups of 1/8 of the planes copied back from L2, 0.155 ms plane by plane
  // (0.146 ms not in place). Each call names the next group's first plane as prefetch_after
  // (inside a call the kernels prefetch the next plane themselves). MobileNetV1-224 at 1
  // thread, per-node minimum of 8 ABBA-ordered rounds, twice: 112 x 112 0.137 -> 0.123 and
  // 0.143 -> 0.126 ms, 56 x 56 0.132 -> 0.123 and 0.131 -> 0.126 ms (not in place: within 3-4%
  // of that). Small planes share a call (14 x 14: 20 per call): with every depthwise layer of
  // MobileNetV1-224 forced in place, 1 thread, per-node minimum of 8 ABBA rounds, one plane
  // per call -> groups: 14 x 14 0.042-0.043 -> 0.029-0.030 ms, 7 x 7 0.048 -> 0.025 ms (not in
  // place about 0.026 / 0.022).
  void run_depthwise_in_place(const RunContext& ctx, const DwConvParams& p, DwConvF32Fn fn,
                              const float* w, const float* bias, float* y) const {
    struct Job {
      DwConvParams p;
      DwConvF32Fn fn;
      const float* w;
      const float* b;
      float* y;
      float* scratch;
      int64_t tasks, group;
    } job;
    job.p = p;
    job.fn = fn;
    job.w = w;
    job.b = bias;
    job.y = y;
    job.scratch = static_cast<float*>(ctx.scratch());
    const int64_t plane = p.in_h * p.in_w;
    job.group = in_place_group(plane, p.channels, ctx.threads());
    // infer() sized the scratch for threads x group planes; fewer threads get fewer slots.
    const int64_t slots = static_cast<int64_t>(ctx.scratch_bytes() / sizeof(float)) /
                          std::max<int64_t>(plane * job.group, 1);
    job.tasks = std::max<int64_t>(1, std::min<int64_t>({ctx.threads(), slots, p.channels}));
    ctx.parallel_for(job.tasks, 1, [&job](int64_t t_begin, int64_t t_end) {
      const DwConvParams& p = job.p;
      const int64_t plane = p.in_h * p.in_w;
      const int64_t khw = p.kernel_h * p.kernel_w;
      for (int64_t t = t_begin; t < t_end; ++t) {
        float* buf = job.scratch + t * plane * job.group;
        const int64_t c_begin = t * p.channels / job.tasks;
        const int64_t c_end = (t + 1) * p.channels / job.tasks;
        for (int64_t n = 0; n < p.batch; ++n) {
          for (int64_t c = c_begin; c < c_end; c += job.group) {
            const int64_t g = std::min(job.group, c_end - c);
            DwConvParams q = p;
            q.batch = 1;
            q.channels = g;
            if (q.act.kind == DwActKind::kPRelu) q.act.slope = p.act.slope + c;
            float* in_out = job.y + (n * p.channels + c) * plane;
            q.prefetch_after = c + g < c_end ? in_out + g * plane : nullptr;
            job.fn(q, in_out, job.w + c * khw, job.b ? job.b + c : nullptr, buf, 0, g);
            std::memcpy(in_out, buf, static_cast<size_t>(g * plane) * sizeof(float));
          }
        }
      }
    });
  }

  // Floats of one thread's SGEMM workspace on the GEMM path (K = C/group * kernel volume,
  // N = the output plane).
  static int64_t gemm_workspace_floats(const ConvParams& p) {
    const int64_t k = p.in_channels / p.group * p.kernel[0] * p.kernel[1] * p.kernel[2];
    return sgemm_workspace_floats(k, p.out_size[0] * p.out_size[1] * p.out_size[2]);
  }

  void run_gemm(const RunContext& ctx, const ConvParams& cp, const float* x, const Tensor& w,
                const float* bias, float* y) const {
    struct Job {
      SgemmParams base;
      const float* x;
      float* y;
      const float* packed;
      const float* bias;
      int64_t packed_stride, group, m_g, c_g, in_plane, out_plane;
    } job;
    float* workspace = static_cast<float*>(ctx.scratch());
    job.group = group_;
    job.m_g = cp.out_channels / group_;
    job.c_g = cp.in_channels / group_;
    const int64_t k = job.c_g * cp.kernel[1] * cp.kernel[2];
    job.in_plane = cp.in_size[1] * cp.in_size[2];
    job.out_plane = cp.out_size[1] * cp.out_size[2];
    // Weights packed in prepare() use kernel_; weights packed per run use sgemm_kernel (mr <= 8,
    // the panel height infer() sized the scratch for). Today both are sgemm_kernel.
    const bool prepacked = packed_for(w.shape());
    const SgemmKernel kernel = prepacked ? kernel_ : sgemm_kernel(active_isa());
    job.packed_stride = sgemm_packed_a_floats(kernel.mr, job.m_g, k);
    if (prepacked) {
      job.packed = packed_.data();
    } else {
      float* packed = workspace + sgemm_slots(ctx.threads()) * gemm_workspace_floats(cp);
      for (int64_t g = 0; g < group_; ++g) {
        sgemm_pack_a_f32(kernel.mr, false, job.m_g, k, 1.f, w.data<float>() + g * job.m_g * k,
                         k, packed + g * job.packed_stride);
      }
      job.packed = packed;
    }
    job.x = x;
    job.y = y;
    job.bias = bias;
    SgemmParams& b = job.base;
    b.m = job.m_g;
    b.n = job.out_plane;
    b.k = k;
    b.a_mr = kernel.mr;
    b.ldc = job.out_plane;
    b.accumulate = 0;
    b.act = act_;
    b.b = SgemmB{};
    const bool pointwise = cp.kernel[1] == 1 && cp.kernel[2] == 1 && cp.stride[1] == 1 &&
                           cp.stride[2] == 1 && cp.pad_begin[1] == 0 && cp.pad_begin[2] == 0 &&
                           cp.out_size[1] == cp.in_size[1] && cp.out_size[2] == cp.in_size[2];
    if (pointwise) {
      b.b.kind = SgemmBKind::kDense;
      b.b.ld = job.in_plane;
    } else {
      b.b.kind = SgemmBKind::kIm2col;
      b.b.channels = job.c_g;
      b.b.in_h = cp.in_size[1];
      b.b.in_w = cp.in_size[2];
      b.b.out_h = cp.out_size[1];
      b.b.out_w = cp.out_size[2];
      b.b.kernel_h = cp.kernel[1];
      b.b.kernel_w = cp.kernel[2];
      b.b.stride_h = cp.stride[1];
      b.b.stride_w = cp.stride[2];
      b.b.dilation_h = cp.dilation[1];
      b.b.dilation_w = cp.dilation[2];
      b.b.pad_top = cp.pad_begin[1];
      b.b.pad_left = cp.pad_begin[2];
    }
    run_sgemm_problems(
        ctx, kernel, cp.batch * group_, job.m_g, job.out_plane,
        [](const void* context, int64_t index, SgemmParams* out) {
          const Job& j = *static_cast<const Job*>(context);
          const int64_t n = index / j.group;
          const int64_t g = index % j.group;
          *out = j.base;
          out->packed_a = j.packed + g * j.packed_stride;
          out->b.data = j.x + (n * j.group + g) * j.c_g * j.in_plane;
          out->c = j.y + (n * j.group + g) * j.m_g * j.out_plane;
          out->bias = j.bias ? j.bias + g * j.m_g : nullptr;
          if (out->act.kind == ActKind::kPRelu) out->act.slope += g * j.m_g;
        },
        &job, workspace, gemm_workspace_floats(cp));
  }

  WindowAttrs attrs_;
  int64_t group_ = 1;
  Activation act_;
  std::vector<float> slope_;
  SgemmKernel kernel_;
  FloatBuffer packed_;  // per group: sgemm_pack_a_f32 panels of W [M/group, K]
  std::vector<float> direct_packed_;  // conv_direct_pack_weights of W (direct-eligible shapes)
  Shape packed_shape_;
};

}  // namespace

std::unique_ptr<Op> make_conv(const NodeDef& def) { return std::make_unique<ConvOp>(def); }

bool conv_settings(const Op& op, ConvSettings* out) {
  const auto* conv = dynamic_cast<const ConvOp*>(&op);
  if (conv == nullptr) return false;
  conv->settings(out);
  return true;
}

}  // namespace facet::ops
