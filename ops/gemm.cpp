#include "ops/gemm.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "engine/cpu.h"
#include "engine/graph.h"
#include "engine/status.h"
#include "engine/thread_pool.h"
#include "ops/fusion.h"
#include "ops/nn_common.h"

namespace facet::ops {

int64_t sgemm_slots() {
  static const int64_t slots = std::min<int64_t>(std::max(hardware_threads(), 1), 8);
  return slots;
}

int64_t sgemm_slots(int threads) {
  return std::max<int64_t>(1, std::min<int64_t>(threads, sgemm_slots()));
}

size_t sgemm_workspace_bytes() {
  return static_cast<size_t>(sgemm_slots() * kSgemmWorkspaceFloats) * sizeof(float);
}

size_t sgemm_workspace_bytes(int threads) {
  return static_cast<size_t>(sgemm_slots(threads) * kSgemmWorkspaceFloats) * sizeof(float);
}

namespace {
// Source rows of k floats per packing piece when packing consumes its source: about 256 KB,
// a multiple of `quantum` (the panel size), at least one panel.
int64_t consuming_piece_rows(int64_t k, int64_t quantum) {
  return std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(k, 1) / quantum) * quantum;
}
}  // namespace

void sgemm_pack_a_consuming(int64_t mr, int64_t m, int64_t k, const Tensor& src, const float* a,
                            float* packed) {
  const float* base = src.data<float>();
  const int64_t rows = consuming_piece_rows(k, mr);
  for (int64_t r0 = 0; r0 < m; r0 += rows) {
    const int64_t r1 = std::min(m, r0 + rows);
    sgemm_pack_a_f32(mr, false, r1 - r0, k, 1.f, a + r0 * k, k, packed + r0 / mr * mr * k);
    prepare_consumed(&src, static_cast<size_t>(a + r1 * k - base) * sizeof(float));
  }
}

constexpr int64_t kRowSplitMinK = 256;

void run_sgemm_problems(const RunContext& ctx, const SgemmKernel& kernel, int64_t count,
                        int64_t m, int64_t n, SgemmProblemFn problem, const void* context,
                        float* workspace, int64_t workspace_stride) {
  if (count <= 0 || m <= 0 || n <= 0) return;
  struct Job {
    const SgemmKernel* kernel;
    SgemmProblemFn problem;
    const void* context;
    float* workspace;
    int64_t workspace_stride;
    int64_t m, n, m_quantum, n_quantum, m_units, n_units, pieces, jobs, tasks;
    bool split_n;
    std::atomic<int64_t>* next;
  } job;
  job.kernel = &kernel;
  job.problem = problem;
  job.context = context;
  job.workspace = workspace;
  job.workspace_stride = workspace_stride;
  job.m = m;
  job.n = n;
  // Row pieces start on A panel boundaries; column pieces on multiples of both nr and 16 (the
  // conv variant's wide tile), so a piece boundary adds no column tail to a large N.
  job.m_quantum = kernel.mr;
  job.n_quantum = kernel.nr;
  while (job.n_quantum % 16 != 0) job.n_quantum += kernel.nr;
  job.m_units = (m + job.m_quantum - 1) / job.m_quantum;
  job.n_units = (n + job.n_quantum - 1) / job.n_quantum;
  SgemmParams first;
  problem(context, 0, &first);
  const int64_t k = std::max<int64_t>(first.k, 1);
  int64_t threads = ctx.threads();
  threads = std::min(threads, sgemm_slots());
  // Below ~100k MACs the fork/join costs more than it saves.
  if (count * m * n * k < 100000) threads = 1;
  job.pieces = 1;
  job.split_n = true;
  // Fewer problems than threads, or a count that does not divide evenly among few threads:
  // split every problem into `threads` pieces, by rows or by columns, whichever duplicates less
  // memory traffic. Row pieces each pack all of B (K x N floats, read + write). Column pieces
  // each read all of A, but the kernels read A once per N block (sgemm_nc columns) anyway, so
  // columns cost only the extra A passes: none for large N (14x14 and up: each thread keeps
  // its own N blocks), one whole A (the weights) for small N (7x7), where B is tiny.
  if (threads > 1 && (count < threads || (count % threads != 0 && count < 8 * threads))) {
    job.pieces = threads;
    const bool rows_ok = job.m_units >= threads;
    const bool cols_ok = job.n_units >= threads;
    const int64_t nc = sgemm_nc(sgemm_kc(k), kernel.nr);
    const int64_t passes = (n + nc - 1) / nc;
    const int64_t split_passes = threads * ((n + threads * nc - 1) / (threads * nc));
    const int64_t cost_cols = (split_passes - passes) * m * k;
    const int64_t cost_rows = 2 * (threads - 1) * k * n;
    // Deep K (>= 256) over a materialized B splits by rows even where the traffic estimate
    // ties (an im2col B would be expanded by every thread; rows must split evenly): each
    // thread then runs full-width N blocks over its half of the weights instead of every
    // weight panel over half the columns. Zen 4, MobileNetV1-224 at 2 threads, per-node
    // minimum of 8 ABBA rounds, columns -> rows: 512 -> 512 at 14 x 14 (K 512, N 196) 0.52 ->
    // 0.48-0.49 ms, 256 -> 256 at 28 x 28 0.490 -> 0.474; K 64 and 128 layers unchanged (+-1%).
    const bool deep = k >= kRowSplitMinK && first.b.kind != SgemmBKind::kIm2col &&
                      (job.m_units % threads == 0 || job.m_units >= 8 * threads);
    if (rows_ok && (cost_rows < cost_cols || !cols_ok || deep)) {
      job.split_n = false;
    } else if (cols_ok) {
      job.split_n = true;
      // As many column pieces as the kernel has N blocks anyway (pieces of at most nc columns
      // add no pass over A), when that is more than the threads: the threads claim them as
      // they finish, so a core slowed by other work does less of the layer.
      // A multiple of the threads, so that equal cores finish together (MobileNetV1-224's
      // 64 -> 128 layer at 56x56 has 7 N blocks: 4 + 3 pieces ran 1.79x faster than 1 thread).
      int64_t blocks = std::min<int64_t>((n + nc - 1) / nc, 8 * threads);
      blocks = (blocks + threads - 1) / threads * threads;
      if (blocks > threads) job.pieces = std::min(blocks, job.n_units);
    } else {
      job.split_n = job.n_units >= job.m_units;
      job.pieces = std::max<int64_t>(1, job.split_n ? job.n_units : job.m_units);
    }
  }
  job.jobs = count * job.pieces;
  job.tasks = std::min(threads, job.jobs);
  // Task t (one per thread, with workspace t) claims jobs in order until none are left.
  std::atomic<int64_t> next{0};
  job.next = &next;
  ctx.parallel_for(job.tasks, 1, [&job](int64_t t_begin, int64_t t_end) {
    for (int64_t t = t_begin; t < t_end; ++t) {
      float* ws = job.workspace + t * job.workspace_stride;
      for (;;) {
        const int64_t j = job.next->fetch_add(1, std::memory_order_relaxed);
        if (j >= job.jobs) break;
        const int64_t index = j / job.pieces;
        const int64_t piece = j % job.pieces;
        SgemmParams p;
        job.problem(job.context, index, &p);
        int64_t m0 = 0, m1 = job.m, n0 = 0, n1 = job.n;
        if (job.split_n) {
          n0 = std::min(job.n, piece * job.n_units / job.pieces * job.n_quantum);
          n1 = std::min(job.n, (piece + 1) * job.n_units / job.pieces * job.n_quantum);
        } else {
          m0 = std::min(job.m, piece * job.m_units / job.pieces * job.m_quantum);
          m1 = std::min(job.m, (piece + 1) * job.m_units / job.pieces * job.m_quantum);
        }
        job.kernel->fn(p, m0, m1, n0, n1, ws);
      }
    }
  });
}

namespace {

class GemmOp final : public Op, public ActivationFusable {
 public:
  explicit GemmOp(const NodeDef& def) {
    alpha_ = def.attrs.get_float("alpha", 1.f);
    beta_ = def.attrs.get_float("beta", 1.f);
    const int64_t ta = def.attrs.get_int("transA", 0);
    const int64_t tb = def.attrs.get_int("transB", 0);
    FACET_CHECK(ta == 0 || ta == 1, "attribute 'transA' has value ", ta, ", expected 0 or 1");
    FACET_CHECK(tb == 0 || tb == 1, "attribute 'transB' has value ", tb, ", expected 0 or 1");
    trans_a_ = ta == 1;
    trans_b_ = tb == 1;
    if (def.opset < 7) {
      const int64_t b = def.attrs.get_int("broadcast", 0);
      FACET_CHECK(b == 0 || b == 1, "attribute 'broadcast' has value ", b, ", expected 0 or 1");
      legacy_exact_c_ = b == 0;
    }
    act_ = Activation{ActKind::kNone, 0.f, 0.f, nullptr};
    kernel_ = sgemm_kernel(active_isa());
  }

  // A constant B (the weights of a fully connected layer) is packed once into the kernel's
  // column panels (kPacked), so run() neither transposes nor packs it.
  void prepare(const std::vector<const Tensor*>& constant_inputs) override {
    kernel_ = sgemm_kernel(active_isa());
    packed_b_.clear();
    if (constant_inputs.size() < 2 || constant_inputs[1] == nullptr) return;
    const Tensor& b = *constant_inputs[1];
    if (b.dtype() != DType::kF32 || b.rank() != 2) return;
    const int64_t k = trans_b_ ? b.dim(1) : b.dim(0);
    const int64_t n = trans_b_ ? b.dim(0) : b.dim(1);
    if (k <= 0 || n <= 0) return;
    SgemmB src = SgemmB{};
    src.kind = trans_b_ ? SgemmBKind::kDenseT : SgemmBKind::kDense;
    src.data = b.data<float>();
    src.ld = b.dim(1);
    packed_b_.zeros(static_cast<size_t>(sgemm_packed_b_floats(kernel_.nr, k, n)));
    if (trans_b_) {
      // B is stored N x K: column panels of ~256 KB of source rows at a time, each piece's
      // rows handed back once packed (prepare_consumed), so B is never resident twice.
      const int64_t cols = consuming_piece_rows(k, kernel_.nr);
      for (int64_t n0 = 0; n0 < n; n0 += cols) {
        const int64_t nc = std::min(cols, n - n0);
        sgemm_pack_b_f32(src, 0, k, n0, nc, kernel_.nr,
                         packed_b_.data() + n0 / kernel_.nr * k * kernel_.nr);
        prepare_consumed(&b, static_cast<size_t>((n0 + nc) * k) * sizeof(float));
      }
    } else {
      sgemm_pack_b_f32(src, 0, k, 0, n, kernel_.nr, packed_b_.data());
    }
    packed_b_shape_ = b.shape();
  }

  // A packed constant B is read only through packed_b_ (its shape cannot change); C is read in
  // place.
  bool releases_constant_input(int index) const override {
    return index == 1 && !packed_b_.empty();
  }

  void infer(InferContext& ctx) const override {
    check_f32_input(ctx, 0, "A");
    check_f32_input(ctx, 1, "B");
    const Shape& a = ctx.in_shape(0);
    const Shape& b = ctx.in_shape(1);
    check_rank(a, 2, "A");
    check_rank(b, 2, "B");
    const int64_t m = trans_a_ ? a[1] : a[0];
    const int64_t k = trans_a_ ? a[0] : a[1];
    const int64_t kb = trans_b_ ? b[1] : b[0];
    const int64_t n = trans_b_ ? b[0] : b[1];
    FACET_CHECK(k == kb, "inner dimensions differ: A ", shape_str(a), (trans_a_ ? " (transA)" : ""),
                " and B ", shape_str(b), (trans_b_ ? " (transB)" : ""));
    if (ctx.has_input(2)) {
      check_f32_input(ctx, 2, "C");
      const Shape& c = ctx.in_shape(2);
      FACET_CHECK(c.size() <= 2, "input 'C' has rank ", c.size(), ", expected at most 2");
      if (legacy_exact_c_) {
        FACET_CHECK(c == Shape({m, n}), "input 'C' has shape ", shape_str(c), ", expected [", m,
                    ",", n, "] (broadcast=0)");
      }
      const int64_t cm = c.size() == 2 ? c[0] : 1;
      const int64_t cn = c.empty() ? 1 : c.back();
      FACET_CHECK((cm == 1 || cm == m) && (cn == 1 || cn == n), "input 'C' with shape ",
                  shape_str(c), " does not broadcast to [", m, ",", n, "]");
    }
    ctx.set_output(0, DType::kF32, {m, n});
    // Packed A for any variant's mr (<= 8): at most (m + 7) * k floats.
    ctx.set_scratch_bytes(sgemm_workspace_bytes(ctx.threads()) +
                          static_cast<size_t>((m + 7) * k) * sizeof(float));
  }

  void run(const RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    const int64_t m = y.dim(0);
    const int64_t n = y.dim(1);
    const int64_t k = trans_a_ ? a.dim(0) : a.dim(1);
    const SgemmKernel kernel = packed_b_.empty() ? sgemm_kernel(active_isa()) : kernel_;
    float* workspace = static_cast<float*>(ctx.scratch());
    float* packed_a = workspace + sgemm_slots(ctx.threads()) * kSgemmWorkspaceFloats;
    sgemm_pack_a_f32(kernel.mr, trans_a_, m, k, alpha_, a.data<float>(), a.dim(1), packed_a);
    SgemmParams p;
    p.m = m;
    p.n = n;
    p.k = k;
    p.packed_a = packed_a;
    p.a_mr = kernel.mr;
    p.b = SgemmB{};
    if (!packed_b_.empty() && packed_b_shape_ == b.shape()) {
      p.b.kind = SgemmBKind::kPacked;
      p.b.data = packed_b_.data();
      p.b.ld = k * kernel_.nr;
      p.b.panel_nr = kernel_.nr;
    } else {
      p.b.kind = trans_b_ ? SgemmBKind::kDenseT : SgemmBKind::kDense;
      p.b.data = b.data<float>();
      p.b.ld = b.dim(1);
    }
    p.c = y.data<float>();
    p.ldc = n;
    p.bias = nullptr;
    p.accumulate = 0;
    p.act = act_;
    if (ctx.has_input(2) && beta_ != 0.f) {
      const Tensor& c = ctx.input(2);
      const float* cd = c.data<float>();
      const int64_t cn = c.rank() == 0 ? 1 : c.dim(c.rank() - 1);
      const int64_t cm = c.rank() == 2 ? c.dim(0) : 1;
      const int64_t col_step = cn == 1 ? 0 : 1;
      const int64_t row_step = cm == 1 ? 0 : cn;
      float* yd = y.data<float>();
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) yd[i * n + j] = beta_ * cd[i * row_step + j * col_step];
      p.accumulate = 1;
    }
    run_sgemm_problems(
        ctx, kernel, 1, m, n,
        [](const void* context, int64_t, SgemmParams* out) {
          *out = *static_cast<const SgemmParams*>(context);
        },
        &p, workspace);
  }

  int64_t macs(const std::vector<ValueInfo>& inputs,
               const std::vector<ValueInfo>& outputs) const override {
    if (inputs.empty() || outputs.empty() || inputs[0].shape.size() != 2) return 0;
    const int64_t k = trans_a_ ? inputs[0].shape[0] : inputs[0].shape[1];
    return shape_numel(outputs[0].shape) * k;
  }

  bool accepts_channel_slope() const override { return false; }
  bool has_activation() const override { return act_.kind != ActKind::kNone; }
  void set_activation(ActKind kind, float alpha, float beta,
                      const std::vector<float>& slope) override {
    (void)slope;
    act_ = Activation{kind, alpha, beta, nullptr};
  }

 private:
  float alpha_ = 1.f;
  float beta_ = 1.f;
  bool trans_a_ = false;
  bool trans_b_ = false;
  bool legacy_exact_c_ = false;
  Activation act_;
  SgemmKernel kernel_;          // chosen in prepare() (the packed B's panel width)
  FloatBuffer packed_b_;  // constant B packed for kernel_.nr (kPacked), or empty
  Shape packed_b_shape_;
};

}  // namespace

std::unique_ptr<Op> make_gemm(const NodeDef& def) { return std::make_unique<GemmOp>(def); }

}  // namespace facet::ops
