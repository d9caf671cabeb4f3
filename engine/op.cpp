#include "engine/op.h"

#include <algorithm>

#include "engine/thread_pool.h"

namespace facet {

const ValueInfo& InferContext::input(int i) const {
  FACET_CHECK(has_input(i), "missing required input ", i);
  return inputs_[static_cast<size_t>(i)];
}

const Tensor& InferContext::require_value(int i, const char* what) const {
  const Tensor* v = in_value(i);
  FACET_CHECK(v != nullptr, "input ", i, " (", what,
              ") must be known when the graph is planned (a constant, an initializer, or "
              "computed from shapes only)");
  return *v;
}

void InferContext::set_output(int i, DType dtype, Shape shape) {
  FACET_CHECK(i >= 0 && i < num_outputs(), "op sets output ", i, " but the node has ",
              num_outputs(), " outputs");
  shape_numel(shape);  // validates dims and overflow
  ValueInfo& o = outputs_[static_cast<size_t>(i)];
  o.dtype = dtype;
  o.shape = std::move(shape);
}

int RunContext::threads() const { return pool_ ? pool_->threads() : 1; }

void RunContext::parallel_for(int64_t n, int64_t grain,
                              const std::function<void(int64_t, int64_t)>& fn) const {
  if (n <= 0) return;
  if (pool_ == nullptr || pool_->threads() <= 1 || n <= grain) {
    fn(0, n);
    return;
  }
  pool_->parallel_for(n, grain, fn);
}

void OpRegistry::add(const std::string& domain, const std::string& op_type, int min_opset,
                     int max_opset, OpFactory factory) {
  entries_[{domain, op_type}].push_back(Entry{min_opset, max_opset, std::move(factory)});
}

std::unique_ptr<Op> OpRegistry::create(const NodeDef& def) const {
  std::string domain = def.domain == "ai.onnx" ? "" : def.domain;
  auto it = entries_.find({domain, def.op_type});
  if (it == entries_.end()) {
    fail(str_cat("unsupported op '", def.op_type, "'",
                 domain.empty() ? std::string() : str_cat(" in domain '", domain, "'"),
                 " (opset ", def.opset, ")"));
  }
  int lo = 1 << 30, hi = 0;
  for (const Entry& e : it->second) {
    if (def.opset >= e.min_opset && def.opset <= e.max_opset) return e.factory(def);
    lo = std::min(lo, e.min_opset);
    hi = std::max(hi, e.max_opset);
  }
  fail(str_cat("opset ", def.opset, " of ", def.op_type, " is not supported (supported: ", lo,
               "..", hi, ")"));
}

bool OpRegistry::supports(const std::string& domain, const std::string& op_type,
                          int opset) const {
  auto it = entries_.find({domain == "ai.onnx" ? "" : domain, op_type});
  if (it == entries_.end()) return false;
  for (const Entry& e : it->second)
    if (opset >= e.min_opset && opset <= e.max_opset) return true;
  return false;
}

std::vector<std::string> OpRegistry::op_types() const {
  std::vector<std::string> out;
  for (const auto& kv : entries_) out.push_back(kv.first.second);
  return out;
}

std::vector<Tensor> eval_op(const Op& op, const std::vector<const Tensor*>& inputs,
                            int num_outputs, ThreadPool* pool) {
  std::vector<ValueInfo> infos(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i] || !inputs[i]->defined()) continue;
    infos[i].dtype = inputs[i]->dtype();
    infos[i].shape = inputs[i]->shape();
    infos[i].value = inputs[i];
  }
  InferContext ictx(std::move(infos), num_outputs);
  ictx.set_threads(pool ? pool->threads() : 1);
  op.infer(ictx);
  std::vector<Tensor> outs(static_cast<size_t>(num_outputs));
  std::vector<Tensor*> out_ptrs(static_cast<size_t>(num_outputs), nullptr);
  for (int i = 0; i < num_outputs; ++i) {
    const ValueInfo& o = ictx.output(i);
    if (o.dtype == DType::kUndefined) continue;
    outs[static_cast<size_t>(i)] = Tensor::empty(o.dtype, o.shape);
    out_ptrs[static_cast<size_t>(i)] = &outs[static_cast<size_t>(i)];
  }
  if (op.output_is_view()) {
    FACET_CHECK(!inputs.empty() && inputs[0], "view op without input 0");
    outs[0] = inputs[0]->reshaped(ictx.output(0).shape).clone();
    return outs;
  }
  std::shared_ptr<void> scratch;
  if (ictx.scratch_bytes()) scratch = aligned_alloc_shared(ictx.scratch_bytes());
  std::vector<const Tensor*> in_ptrs;
  for (const Tensor* t : inputs) in_ptrs.push_back(t && t->defined() ? t : nullptr);
  RunContext rctx(in_ptrs.data(), static_cast<int>(in_ptrs.size()), out_ptrs.data(),
                  static_cast<int>(out_ptrs.size()), scratch.get(), ictx.scratch_bytes(), pool);
  op.run(rctx);
  return outs;
}

}  // namespace facet
