#include "ops/matmul.h"

#include <algorithm>
#include <vector>

#include "engine/status.h"
#include "engine/cpu.h"
#include "ops/gemm.h"
#include "ops/nn_common.h"

namespace facet::ops {
namespace {

constexpr int kMaxBatchAxes = 8;

// Batched problem: Y[batch..., M, N] = A[batch..., M, K] * B[batch..., K, N] with broadcast batch
// axes (stride 0 where an operand has size 1). Built without allocating.
struct MatMulPlan {
  int batch_axes;
  int64_t out_batch[kMaxBatchAxes];
  int64_t a_stride[kMaxBatchAxes];  // matrices, not elements
  int64_t b_stride[kMaxBatchAxes];
  int64_t batch, m, n, k;
};

// Returns false (with *error set) when the shapes do not fit.
bool make_plan(const Shape& a, const Shape& b, MatMulPlan* p, Shape* y, std::string* error) {
  const int ra = static_cast<int>(a.size());
  const int rb = static_cast<int>(b.size());
  if (ra < 1 || rb < 1) {
    *error = str_cat("input '", ra < 1 ? "A" : "B", "' has rank 0, expected at least 1");
    return false;
  }
  p->m = ra == 1 ? 1 : a[static_cast<size_t>(ra - 2)];
  p->k = a[static_cast<size_t>(ra - 1)];
  const int64_t kb = rb == 1 ? b[0] : b[static_cast<size_t>(rb - 2)];
  p->n = rb == 1 ? 1 : b[static_cast<size_t>(rb - 1)];
  if (kb != p->k) {
    *error = str_cat("inner dimensions differ: A ", shape_str(a), ", B ", shape_str(b));
    return false;
  }
  const int a_batch = std::max(ra - 2, 0);
  const int b_batch = std::max(rb - 2, 0);
  p->batch_axes = std::max(a_batch, b_batch);
  if (p->batch_axes > kMaxBatchAxes) {
    *error = str_cat("more than ", kMaxBatchAxes, " batch axes: A ", shape_str(a), ", B ",
                     shape_str(b));
    return false;
  }
  // Walk the batch axes from the innermost outwards to get broadcast strides.
  int64_t a_step = 1, b_step = 1;
  p->batch = 1;
  for (int i = p->batch_axes - 1; i >= 0; --i) {
    const int ia = i - (p->batch_axes - a_batch);
    const int ib = i - (p->batch_axes - b_batch);
    const int64_t da = ia >= 0 ? a[static_cast<size_t>(ia)] : 1;
    const int64_t db = ib >= 0 ? b[static_cast<size_t>(ib)] : 1;
    if (da != db && da != 1 && db != 1) {
      *error = str_cat("batch dimensions do not broadcast: A ", shape_str(a), ", B ",
                       shape_str(b));
      return false;
    }
    const int64_t d = da == 1 ? db : da;
    p->out_batch[i] = d;
    p->a_stride[i] = da == 1 ? 0 : a_step;
    p->b_stride[i] = db == 1 ? 0 : b_step;
    a_step *= da;
    b_step *= db;
    p->batch *= d;
  }
  if (y) {
    y->assign(p->out_batch, p->out_batch + p->batch_axes);
    if (ra != 1) y->push_back(p->m);
    if (rb != 1) y->push_back(p->n);
  }
  return true;
}

// Element offsets (in matrices) of batch `index`'s A and B.
void batch_offsets(const MatMulPlan& p, int64_t index, int64_t* a_off, int64_t* b_off) {
  *a_off = 0;
  *b_off = 0;
  int64_t rest = index;
  for (int i = p.batch_axes - 1; i >= 0; --i) {
    const int64_t idx = rest % p.out_batch[i];
    rest /= p.out_batch[i];
    *a_off += idx * p.a_stride[i];
    *b_off += idx * p.b_stride[i];
  }
}

class MatMulOp final : public Op {
 public:
  // A constant 2-D B (weights) is packed once into the kernel's column panels (kPacked).
  void prepare(const std::vector<const Tensor*>& constant_inputs) override {
    kernel_ = sgemm_kernel(active_isa());
    packed_b_.clear();
    if (constant_inputs.size() < 2 || constant_inputs[1] == nullptr) return;
    const Tensor& b = *constant_inputs[1];
    if (b.dtype() != DType::kF32 || b.rank() != 2 || b.dim(0) <= 0 || b.dim(1) <= 0) return;
    SgemmB src = SgemmB{};
    src.kind = SgemmBKind::kDense;
    src.data = b.data<float>();
    src.ld = b.dim(1);
    packed_b_.zeros(static_cast<size_t>(sgemm_packed_b_floats(kernel_.nr, b.dim(0), b.dim(1))));
    sgemm_pack_b_f32(src, 0, b.dim(0), 0, b.dim(1), kernel_.nr, packed_b_.data());
    packed_b_shape_ = b.shape();
  }

  // A packed constant B is read only through packed_b_ (its shape cannot change).
  bool releases_constant_input(int index) const override {
    return index == 1 && !packed_b_.empty();
  }

  void infer(InferContext& ctx) const override {
    check_f32_input(ctx, 0, "A");
    check_f32_input(ctx, 1, "B");
    MatMulPlan p;
    Shape y;
    std::string error;
    FACET_CHECK(make_plan(ctx.in_shape(0), ctx.in_shape(1), &p, &y, &error), error);
    ctx.set_output(0, DType::kF32, y);
    // Packed A per batch for any variant's mr (<= 8): at most (m + 7) * k floats each.
    ctx.set_scratch_bytes(sgemm_workspace_bytes(ctx.threads()) +
                          static_cast<size_t>(p.batch * (p.m + 7) * p.k) * sizeof(float));
  }

  void run(const RunContext& ctx) const override {
    struct Job {
      MatMulPlan p;
      const float* b;
      float* y;
      float* packed_a;  // one packed A per output batch
      int64_t packed_stride;
      int64_t mr;
      const float* packed_b;  // prepacked constant B (kPacked) or nullptr
      int64_t packed_b_nr;
    } job;
    std::string unused;  // empty std::string does not allocate
    make_plan(ctx.input(0).shape(), ctx.input(1).shape(), &job.p, nullptr, &unused);
    const MatMulPlan& p = job.p;
    const bool use_packed_b = !packed_b_.empty() && packed_b_shape_ == ctx.input(1).shape();
    const SgemmKernel kernel = use_packed_b ? kernel_ : sgemm_kernel(active_isa());
    job.packed_b = use_packed_b ? packed_b_.data() : nullptr;
    job.packed_b_nr = kernel.nr;
    float* workspace = static_cast<float*>(ctx.scratch());
    job.packed_a = workspace + sgemm_slots(ctx.threads()) * kSgemmWorkspaceFloats;
    job.packed_stride = sgemm_packed_a_floats(kernel.mr, p.m, p.k);
    job.mr = kernel.mr;
    // A released constant B (releases_constant_input) has no data: only the packed copy.
    job.b = use_packed_b ? nullptr : ctx.input(1).data<float>();
    job.y = ctx.output(0).data<float>();
    const float* a = ctx.input(0).data<float>();
    for (int64_t batch = 0; batch < p.batch; ++batch) {
      int64_t a_off, b_off;
      batch_offsets(p, batch, &a_off, &b_off);
      sgemm_pack_a_f32(kernel.mr, false, p.m, p.k, 1.f, a + a_off * p.m * p.k, p.k,
                       job.packed_a + batch * job.packed_stride);
    }
    run_sgemm_problems(
        ctx, kernel, p.batch, p.m, p.n,
        [](const void* context, int64_t batch, SgemmParams* out) {
          const Job& j = *static_cast<const Job*>(context);
          int64_t a_off, b_off;
          batch_offsets(j.p, batch, &a_off, &b_off);
          out->m = j.p.m;
          out->n = j.p.n;
          out->k = j.p.k;
          out->packed_a = j.packed_a + batch * j.packed_stride;
          out->a_mr = j.mr;
          out->b = SgemmB{};
          if (j.packed_b) {
            out->b.kind = SgemmBKind::kPacked;
            out->b.data = j.packed_b;
            out->b.ld = j.p.k * j.packed_b_nr;
            out->b.panel_nr = j.packed_b_nr;
          } else {
            out->b.kind = SgemmBKind::kDense;
            out->b.data = j.b + b_off * j.p.k * j.p.n;
            out->b.ld = j.p.n;
          }
          out->c = j.y + batch * j.p.m * j.p.n;
          out->ldc = j.p.n;
          out->bias = nullptr;
          out->accumulate = 0;
          out->act = Activation{ActKind::kNone, 0.f, 0.f, nullptr};
        },
        &job, workspace);
  }

  int64_t macs(const std::vector<ValueInfo>& inputs,
               const std::vector<ValueInfo>& outputs) const override {
    (void)outputs;
    if (inputs.size() < 2) return 0;
    MatMulPlan p;
    std::string error;
    if (!make_plan(inputs[0].shape, inputs[1].shape, &p, nullptr, &error)) return 0;
    return p.batch * p.m * p.n * p.k;
  }

 private:
  SgemmKernel kernel_ = sgemm_kernel(active_isa());  // chosen in prepare()
  FloatBuffer packed_b_;  // constant 2-D B packed for kernel_.nr, or empty
  Shape packed_b_shape_;
};

}  // namespace

std::unique_ptr<Op> make_matmul(const NodeDef& def) {
  (void)def;
  return std::make_unique<MatMulOp>();
}

}  // namespace facet::ops
