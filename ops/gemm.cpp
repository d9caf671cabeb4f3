#include "ops/gemm.h"

#include "engine/status.h"
#include "ops/kernels/gemm/gemm.h"
#include "ops/nn_common.h"

namespace facet::ops {
namespace {

class GemmOp final : public Op {
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
  }

  void run(const RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    struct Job {
      const GemmOp* op;
      const float* a;
      const float* b;
      const float* c;
      float* y;
      int64_t m, n, k, lda, ldb;
      int64_t c_row_step, c_col_step;  // 0 on broadcast axes
    } job;
    job.op = this;
    job.a = a.data<float>();
    job.b = b.data<float>();
    job.y = y.data<float>();
    job.m = y.dim(0);
    job.n = y.dim(1);
    job.k = trans_a_ ? a.dim(0) : a.dim(1);
    job.lda = a.dim(1);
    job.ldb = b.dim(1);
    job.c = nullptr;
    job.c_row_step = job.c_col_step = 0;
    if (ctx.has_input(2) && beta_ != 0.f) {
      const Tensor& c = ctx.input(2);
      job.c = c.data<float>();
      const int64_t cn = c.rank() == 0 ? 1 : c.dim(c.rank() - 1);
      const int64_t cm = c.rank() == 2 ? c.dim(0) : 1;
      job.c_col_step = cn == 1 ? 0 : 1;
      job.c_row_step = cm == 1 ? 0 : cn;
    }
    ctx.parallel_for(job.m, 1, [&job](int64_t begin, int64_t end) {
      const GemmOp& op = *job.op;
      if (job.c) {
        for (int64_t i = begin; i < end; ++i) {
          float* row = job.y + i * job.n;
          const float* c_row = job.c + i * job.c_row_step;
          for (int64_t j = 0; j < job.n; ++j) row[j] = c_row[j * job.c_col_step];
        }
      }
      sgemm_ref(op.trans_a_, op.trans_b_, job.m, job.n, job.k, op.alpha_, job.a, job.lda, job.b,
                job.ldb, job.c ? op.beta_ : 0.f, job.y, job.n, begin, end);
    });
  }

  int64_t macs(const std::vector<ValueInfo>& inputs,
               const std::vector<ValueInfo>& outputs) const override {
    if (inputs.empty() || outputs.empty() || inputs[0].shape.size() != 2) return 0;
    const int64_t k = trans_a_ ? inputs[0].shape[0] : inputs[0].shape[1];
    return shape_numel(outputs[0].shape) * k;
  }

 private:
  float alpha_ = 1.f;
  float beta_ = 1.f;
  bool trans_a_ = false;
  bool trans_b_ = false;
  bool legacy_exact_c_ = false;
};

}  // namespace

std::unique_ptr<Op> make_gemm(const NodeDef& def) { return std::make_unique<GemmOp>(def); }

}  // namespace facet::ops
