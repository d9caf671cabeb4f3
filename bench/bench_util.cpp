#include "bench/bench_util.h"

#include <cstdlib>
#include <random>

#include "engine/status.h"
#include "ops/registry.h"

namespace facet::bench {

OpHarness::OpHarness(const std::string& op_type, const Attributes& attrs,
                     std::vector<Tensor> inputs, std::vector<bool> constant, int threads,
                     int opset)
    : inputs_(std::move(inputs)) {
  FACET_CHECK(constant.size() == inputs_.size(), "one constant flag per input");
  NodeDef def;
  def.name = op_type + "_bench";
  def.op_type = op_type;
  def.opset = opset;
  def.attrs = attrs;
  for (const Tensor& t : inputs_) def.input_present.push_back(t.defined());
  def.num_outputs = 1;
  op_ = ops::builtin_registry().create(def);

  std::vector<const Tensor*> consts(inputs_.size(), nullptr);
  std::vector<ValueInfo> infos(inputs_.size());
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (!inputs_[i].defined()) continue;
    infos[i].dtype = inputs_[i].dtype();
    infos[i].shape = inputs_[i].shape();
    if (constant[i]) {
      consts[i] = &inputs_[i];
      infos[i].value = &inputs_[i];
    }
  }
  op_->prepare(consts);
  if (threads > 1) pool_ = std::make_unique<ThreadPool>(threads);
  InferContext ictx(infos, def.num_outputs);
  // As eval_op does: infer() sizes the scratch for the thread count run() will see.
  ictx.set_threads(pool_ ? pool_->threads() : 1);
  op_->infer(ictx);
  for (int k = 0; k < def.num_outputs; ++k)
    outputs_.push_back(Tensor::empty(ictx.output(k).dtype, ictx.output(k).shape));
  scratch_bytes_ = ictx.scratch_bytes();
  if (scratch_bytes_) scratch_ = aligned_alloc_shared(scratch_bytes_);
  for (const Tensor& t : inputs_) in_ptrs_.push_back(t.defined() ? &t : nullptr);
  for (Tensor& t : outputs_) out_ptrs_.push_back(&t);
}

void OpHarness::run() const {
  RunContext ctx(in_ptrs_.data(), static_cast<int>(in_ptrs_.size()), out_ptrs_.data(),
                 static_cast<int>(out_ptrs_.size()), scratch_.get(), scratch_bytes_, pool_.get());
  op_->run(ctx);
}

double OpHarness::io_bytes() const {
  double b = 0;
  for (const Tensor& t : inputs_)
    if (t.defined()) b += static_cast<double>(t.nbytes());
  for (const Tensor& t : outputs_) b += static_cast<double>(t.nbytes());
  return b;
}

std::vector<Isa> runnable_isas() {
  std::vector<Isa> isas = {Isa::kRef};
  Isa best = active_isa();
  if (best == Isa::kAvx512) isas.push_back(Isa::kAvx2);  // both x86 levels, side by side
  if (best != Isa::kRef) isas.push_back(best);
  return isas;
}

int bench_threads() {
  const char* env = std::getenv("FACET_BENCH_THREADS");
  int t = env ? std::atoi(env) : 1;
  return t > 0 ? t : 1;
}

Tensor random_tensor(const Shape& shape, uint32_t seed, float lo, float hi) {
  Tensor t = Tensor::empty(DType::kF32, shape);
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = d(gen);
  return t;
}

}  // namespace facet::bench
