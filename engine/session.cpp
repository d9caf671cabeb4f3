#include "engine/session.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <numeric>
#include <new>

#include "engine/memory_planner.h"
#include "engine/thread_pool.h"

namespace facet {

namespace {
constexpr size_t kNoOffset = std::numeric_limits<size_t>::max();

// Inputs whose values become part of the plan key and are treated as constants while planning:
// small int64 tensors (shapes, axes, indices) and small float vectors (Resize scales and roi).
bool is_small_int_input(const Tensor& t, int64_t max_elems) {
  if (t.numel() > max_elems) return false;
  return t.dtype() == DType::kI64 || (t.dtype() == DType::kF32 && t.rank() <= 1);
}
// Element k as an exact bit pattern (int64 value, or the float's bits).
int64_t value_bits(const Tensor& t, int64_t k) {
  if (t.dtype() == DType::kI64) return t.data<int64_t>()[k];
  uint32_t bits;
  std::memcpy(&bits, t.data<float>() + k, 4);
  return bits;
}
}  // namespace

Session::Session(std::shared_ptr<const Graph> graph, SessionOptions options)
    : graph_(std::move(graph)), options_(options) {
  FACET_CHECK(graph_ != nullptr, "Session: null graph");
  pool_ = std::make_unique<ThreadPool>(options_.threads);
}

Session::~Session() = default;

bool Session::plan_matches(const std::vector<Tensor>& inputs) const {
  if (!plan_ || inputs.size() != plan_shapes_.size()) return false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dtype() != plan_dtypes_[i] || inputs[i].shape() != plan_shapes_[i]) return false;
    if (is_small_int_input(inputs[i], options_.const_int_input_max)) {
      // Compare values without allocating (run() must not allocate in steady state).
      const std::vector<int64_t>& want = plan_int_values_[i];
      const Tensor& t = inputs[i];
      if (static_cast<int64_t>(want.size()) != t.numel()) return false;
      for (int64_t k = 0; k < t.numel(); ++k) {
        if (value_bits(t, k) != want[static_cast<size_t>(k)]) return false;
      }
    }
  }
  return true;
}

const Plan& Session::plan_for(const std::vector<Tensor>& inputs) {
  if (!plan_matches(inputs)) build_plan(inputs);
  return *plan_;
}

void Session::build_plan(const std::vector<Tensor>& inputs) {
  const Graph& g = *graph_;
  plan_.reset();
  FACET_CHECK(inputs.size() == g.inputs.size(), g.source, ": the model has ", g.inputs.size(),
              " inputs, ", inputs.size(), " were given");
  auto plan = std::make_unique<Plan>();
  const size_t nv = g.values.size();
  plan->infos.assign(nv, ValueInfo{});
  plan->constants.assign(nv, Tensor());
  plan->offset.assign(nv, kNoOffset);
  plan->alias_of.assign(nv, -1);

  std::vector<bool> is_const(nv, false);
  // Released initializers (Value::data_released) are constants without data: never folded
  // through, and their value is not offered to infer(); their only reader runs from its packed
  // copy.
  std::vector<bool> no_data(nv, false);
  for (size_t v = 0; v < nv; ++v) {
    const Value& val = g.values[v];
    if (val.initializer.defined()) {
      plan->constants[v] = val.initializer;
      is_const[v] = true;
      no_data[v] = val.data_released;
    }
  }
  plan_shapes_.clear();
  plan_dtypes_.clear();
  plan_int_values_.clear();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const int id = g.inputs[i];
    const Value& val = g.values[static_cast<size_t>(id)];
    const Tensor& t = inputs[i];
    FACET_CHECK(t.defined(), g.source, ": input '", val.name, "' was not given");
    if (val.dtype != DType::kUndefined) {
      FACET_CHECK(t.dtype() == val.dtype, g.source, ": input '", val.name, "' has dtype ",
                  dtype_name(t.dtype()), ", the model expects ", dtype_name(val.dtype));
    }
    FACET_CHECK(t.dtype() == DType::kF32 || t.dtype() == DType::kI64, g.source, ": input '",
                val.name, "' has dtype ", dtype_name(t.dtype()),
                "; facet runs float32 and int64 tensors");
    if (val.shape_known) {
      bool ok = val.shape.size() == t.shape().size();
      for (size_t d = 0; ok && d < val.shape.size(); ++d)
        if (val.shape[d] >= 0 && val.shape[d] != t.shape()[d] && !options_.relax_input_shapes)
          ok = false;
      FACET_CHECK(ok, g.source, ": input '", val.name, "' has shape ", shape_str(t.shape()),
                  ", the model declares ", shape_str(val.shape));
    }
    plan_shapes_.push_back(t.shape());
    plan_dtypes_.push_back(t.dtype());
    if (is_small_int_input(t, options_.const_int_input_max)) {
      std::vector<int64_t> bits(static_cast<size_t>(t.numel()));
      for (int64_t k = 0; k < t.numel(); ++k) bits[static_cast<size_t>(k)] = value_bits(t, k);
      plan_int_values_.push_back(std::move(bits));
      plan->constants[static_cast<size_t>(id)] = t.clone();
      is_const[static_cast<size_t>(id)] = true;
    } else {
      plan_int_values_.emplace_back();
    }
    plan->infos[static_cast<size_t>(id)].dtype = t.dtype();
    plan->infos[static_cast<size_t>(id)].shape = t.shape();
  }
  for (size_t v = 0; v < nv; ++v) {
    if (is_const[v]) {
      plan->infos[v].dtype = plan->constants[v].dtype();
      plan->infos[v].shape = plan->constants[v].shape();
      plan->infos[v].value = no_data[v] ? nullptr : &plan->constants[v];
    }
  }

  // Per planned step: the scratch it needs when run in place, or kNoOffset (no offer).
  std::vector<size_t> in_place_scratch;
  // Shape inference and constant folding, in topological order.
  for (int ni : g.topo_order()) {
    const Node& node = g.nodes[static_cast<size_t>(ni)];
    std::vector<ValueInfo> in_infos(node.inputs.size());
    bool all_const = true;
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      int v = node.inputs[k];
      if (v < 0) continue;
      in_infos[k] = plan->infos[static_cast<size_t>(v)];
      if (!is_const[static_cast<size_t>(v)] || no_data[static_cast<size_t>(v)]) all_const = false;
    }
    InferContext ictx(in_infos, static_cast<int>(node.outputs.size()));
    ictx.set_threads(pool_ ? pool_->threads() : 1);
    std::vector<Tensor> folded;
    try {
      node.op->infer(ictx);
      for (size_t k = 0; k < node.outputs.size(); ++k) {
        if (node.outputs[k] < 0) continue;
        FACET_CHECK(ictx.output(static_cast<int>(k)).dtype != DType::kUndefined, "output ", k,
                    " is not produced by this op");
      }
      // Shape-only ops fold as soon as the input shape is known.
      bool shape_only = node.op_type == "Shape" || node.op_type == "Size";
      if (all_const || shape_only) {
        std::vector<Tensor> holders(node.inputs.size());
        std::vector<const Tensor*> ptrs(node.inputs.size(), nullptr);
        for (size_t k = 0; k < node.inputs.size(); ++k) {
          int v = node.inputs[k];
          if (v < 0) continue;
          if (is_const[static_cast<size_t>(v)]) {
            ptrs[k] = &plan->constants[static_cast<size_t>(v)];
          } else {
            holders[k] = Tensor::view(in_infos[k].dtype, in_infos[k].shape, nullptr);
            ptrs[k] = &holders[k];
          }
        }
        folded = eval_op(*node.op, ptrs, static_cast<int>(node.outputs.size()), nullptr);
      }
    } catch (const std::bad_alloc&) {
      fail(str_cat(g.node_label(ni), ": out of memory during planning"));
    } catch (const Error& e) {
      fail(str_cat(g.node_label(ni), ": ", e.what()));
    }
    if (!folded.empty()) {
      plan->folded_nodes++;
      for (size_t k = 0; k < node.outputs.size(); ++k) {
        int v = node.outputs[k];
        if (v < 0) continue;
        plan->constants[static_cast<size_t>(v)] = std::move(folded[k]);
        is_const[static_cast<size_t>(v)] = true;
        ValueInfo& info = plan->infos[static_cast<size_t>(v)];
        info.dtype = plan->constants[static_cast<size_t>(v)].dtype();
        info.shape = plan->constants[static_cast<size_t>(v)].shape();
        info.value = &plan->constants[static_cast<size_t>(v)];
      }
      continue;
    }
    // A node whose outputs are all unused ("" names) has nothing to compute, and kernels write
    // output 0 unconditionally: skip it rather than run it with a null output.
    bool any_output = false;
    for (int v : node.outputs) any_output = any_output || v >= 0;
    if (!any_output) continue;
    PlannedNode step;
    step.node = ni;
    step.scratch_bytes = ictx.scratch_bytes();
    in_place_scratch.push_back(ictx.in_place_ok() ? ictx.in_place_scratch_bytes() : kNoOffset);
    std::vector<ValueInfo> out_infos;
    for (size_t k = 0; k < node.outputs.size(); ++k) {
      const ValueInfo& o = ictx.output(static_cast<int>(k));
      out_infos.push_back(o);
      int v = node.outputs[k];
      if (v < 0) continue;
      plan->infos[static_cast<size_t>(v)].dtype = o.dtype;
      plan->infos[static_cast<size_t>(v)].shape = o.shape;
    }
    step.macs = node.op->macs(in_infos, out_infos);
    plan->total_macs += step.macs;
    if (node.op->output_is_view() && !node.outputs.empty() && node.outputs[0] >= 0 &&
        !node.inputs.empty() && node.inputs[0] >= 0) {
      int root = node.inputs[0];
      while (plan->alias_of[static_cast<size_t>(root)] >= 0)
        root = plan->alias_of[static_cast<size_t>(root)];
      plan->alias_of[static_cast<size_t>(node.outputs[0])] = root;
    }
    plan->steps.push_back(std::move(step));
  }

  // Liveness: buffers for every non-constant value produced by a step (views excluded), plus
  // each step's scratch.
  const int nsteps = static_cast<int>(plan->steps.size());
  std::vector<int> first(nv, -1), last(nv, -1);
  for (int s = 0; s < nsteps; ++s) {
    const Node& node = g.nodes[static_cast<size_t>(plan->steps[static_cast<size_t>(s)].node)];
    for (int v : node.outputs)
      if (v >= 0 && first[static_cast<size_t>(v)] < 0) first[static_cast<size_t>(v)] = s;
    for (int v : node.inputs) {
      if (v < 0) continue;
      int root = plan->alias_of[static_cast<size_t>(v)] >= 0 ? plan->alias_of[static_cast<size_t>(v)] : v;
      last[static_cast<size_t>(root)] = std::max(last[static_cast<size_t>(root)], s);
    }
  }
  for (int v : g.outputs) {
    int root = plan->alias_of[static_cast<size_t>(v)] >= 0 ? plan->alias_of[static_cast<size_t>(v)] : v;
    last[static_cast<size_t>(root)] = nsteps;
  }
  auto root_of = [&](int v) {
    return plan->alias_of[static_cast<size_t>(v)] >= 0 ? plan->alias_of[static_cast<size_t>(v)]
                                                       : v;
  };
  // Bytes of every value that gets an arena buffer.
  std::vector<size_t> value_bytes(nv, 0);
  for (size_t v = 0; v < nv; ++v) {
    if (first[v] < 0 || is_const[v] || plan->alias_of[v] >= 0) continue;
    // numel * element size must not wrap around: a wrapped size would give a tiny buffer that
    // the kernel then overruns. A quarter of the address space is far above any real limit.
    const uint64_t numel = static_cast<uint64_t>(shape_numel(plan->infos[v].shape));
    const size_t esize = std::max<size_t>(dtype_size(plan->infos[v].dtype), 1);
    FACET_CHECK(numel <= std::numeric_limits<size_t>::max() / 4 / esize, g.source, ": value '",
                g.values[v].name, "' of shape ", shape_str(plan->infos[v].shape),
                " is too large to allocate");
    value_bytes[v] = static_cast<size_t>(numel) * esize;
    plan->naive_bytes += (value_bytes[v] + kAlignment - 1) / kAlignment * kAlignment;
  }
  for (int s = 0; s < nsteps; ++s) {
    const size_t b = std::max(plan->steps[static_cast<size_t>(s)].scratch_bytes,
                              in_place_scratch[static_cast<size_t>(s)] == kNoOffset
                                  ? size_t(0)
                                  : in_place_scratch[static_cast<size_t>(s)]);
    FACET_CHECK(b <= std::numeric_limits<size_t>::max() / 4,
                g.node_label(plan->steps[static_cast<size_t>(s)].node), ": scratch of ", b,
                " bytes is too large");
    plan->naive_bytes += (plan->steps[static_cast<size_t>(s)].scratch_bytes + kAlignment - 1) /
                         kAlignment * kAlignment;
  }

  // In-place candidates: steps whose op offered it, reading as input 0 an intermediate (made
  // by an earlier step, not a view, not a graph input or constant) that no later step reads
  // and that this step reads once, with an output 0 of the same byte size.
  struct InPlace {
    int step, in, out;
  };
  std::vector<InPlace> candidates;
  for (int s = 0; s < nsteps; ++s) {
    if (in_place_scratch[static_cast<size_t>(s)] == kNoOffset) continue;
    const Node& node = g.nodes[static_cast<size_t>(plan->steps[static_cast<size_t>(s)].node)];
    if (node.op->output_is_view() || node.inputs.empty() || node.outputs.empty()) continue;
    const int in = node.inputs[0], out = node.outputs[0];
    if (in < 0 || out < 0 || plan->alias_of[static_cast<size_t>(out)] >= 0) continue;
    const int r = root_of(in);
    if (first[static_cast<size_t>(r)] < 0 || is_const[static_cast<size_t>(r)] ||
        last[static_cast<size_t>(r)] != s || value_bytes[static_cast<size_t>(r)] == 0 ||
        value_bytes[static_cast<size_t>(r)] != value_bytes[static_cast<size_t>(out)])
      continue;
    int reads = 0;
    for (int v : node.inputs) reads += v >= 0 && root_of(v) == r;
    if (reads == 1) candidates.push_back({s, r, out});
  }

  // Requests for one choice of in-place steps (`on`, per candidate). owner[v] is the value
  // whose buffer v uses (itself unless merged into its producer's input).
  std::vector<int> owner(nv);
  std::vector<int> step_candidate(static_cast<size_t>(nsteps), -1);
  for (size_t c = 0; c < candidates.size(); ++c)
    step_candidate[static_cast<size_t>(candidates[c].step)] = static_cast<int>(c);
  std::vector<BufferRequest> reqs;
  std::vector<int> req_value;  // value id, or -(step+1) for scratch
  auto build_requests = [&](const std::vector<char>& on) {
    std::iota(owner.begin(), owner.end(), 0);
    std::vector<int> hi = last;
    auto find = [&](int v) {
      while (owner[static_cast<size_t>(v)] != v) v = owner[static_cast<size_t>(v)];
      return v;
    };
    for (size_t c = 0; c < candidates.size(); ++c) {
      if (!on[c]) continue;
      const int r = find(candidates[c].in);
      owner[static_cast<size_t>(candidates[c].out)] = r;
      hi[static_cast<size_t>(r)] =
          std::max(hi[static_cast<size_t>(r)], last[static_cast<size_t>(candidates[c].out)]);
    }
    reqs.clear();
    req_value.clear();
    for (size_t v = 0; v < nv; ++v) {
      if (first[v] < 0 || is_const[v] || plan->alias_of[v] >= 0 ||
          owner[v] != static_cast<int>(v))
        continue;
      reqs.push_back({value_bytes[v], first[v], std::max(first[v], hi[v])});
      req_value.push_back(static_cast<int>(v));
    }
    for (int s = 0; s < nsteps; ++s) {
      const int c = step_candidate[static_cast<size_t>(s)];
      const size_t b = c >= 0 && on[static_cast<size_t>(c)]
                           ? in_place_scratch[static_cast<size_t>(s)]
                           : plan->steps[static_cast<size_t>(s)].scratch_bytes;
      if (!b) continue;
      reqs.push_back({b, s, s});
      req_value.push_back(-(s + 1));
    }
    for (size_t v = 0; v < nv; ++v) owner[v] = find(static_cast<int>(v));
  };
  std::vector<char> on(candidates.size(), 0);
  build_requests(on);
  MemoryPlan mp = plan_memory(reqs);
  // Running in place costs the op a copy: take offers only where they shrink the arena. Buffers
  // at the peak usually need several steps in place at once, so: all of the (up to 16 largest)
  // candidates first, then each dropped again, smallest first, if the arena does not grow.
  if (!candidates.empty()) {
    std::vector<size_t> by_bytes(candidates.size());
    std::iota(by_bytes.begin(), by_bytes.end(), 0);
    std::stable_sort(by_bytes.begin(), by_bytes.end(), [&](size_t a, size_t b) {
      return value_bytes[static_cast<size_t>(candidates[a].in)] >
             value_bytes[static_cast<size_t>(candidates[b].in)];
    });
    if (by_bytes.size() > 16) by_bytes.resize(16);
    for (size_t c : by_bytes) on[c] = 1;
    build_requests(on);
    MemoryPlan all = plan_memory(reqs);
    if (all.total_bytes < mp.total_bytes) {
      mp = std::move(all);
      for (auto it = by_bytes.rbegin(); it != by_bytes.rend(); ++it) {
        on[*it] = 0;
        build_requests(on);
        MemoryPlan trial = plan_memory(reqs);
        if (trial.total_bytes <= mp.total_bytes) {
          mp = std::move(trial);
        } else {
          on[*it] = 1;
        }
      }
    } else {
      std::fill(on.begin(), on.end(), 0);
    }
    build_requests(on);
    mp = plan_memory(reqs);  // deterministic: the same plan as the kept trial
    for (size_t c = 0; c < candidates.size(); ++c) {
      if (!on[c]) continue;
      PlannedNode& step = plan->steps[static_cast<size_t>(candidates[c].step)];
      step.in_place = true;
      step.scratch_bytes = in_place_scratch[static_cast<size_t>(candidates[c].step)];
    }
  }
  for (size_t r = 0; r < reqs.size(); ++r) {
    if (req_value[r] >= 0)
      plan->offset[static_cast<size_t>(req_value[r])] = mp.offsets[r];
    else
      plan->steps[static_cast<size_t>(-req_value[r] - 1)].scratch_offset = mp.offsets[r];
  }
  for (size_t v = 0; v < nv; ++v)
    if (owner[v] != static_cast<int>(v))
      plan->offset[v] = plan->offset[static_cast<size_t>(owner[v])];
  plan->arena_bytes = mp.total_bytes;
  if (options_.max_arena_bytes && plan->arena_bytes > options_.max_arena_bytes) {
    fail(str_cat(g.source, ": the plan needs ", plan->arena_bytes,
                 " bytes of intermediate memory, the limit is ", options_.max_arena_bytes));
  }
  if (plan->arena_bytes > arena_capacity_) {
    arena_.reset();
    arena_ = aligned_alloc_shared(plan->arena_bytes);
    arena_capacity_ = plan->arena_bytes;
  }
  // Bind slots for constants and arena values; graph inputs are bound per run.
  slots_.assign(nv, Tensor());
  char* base = static_cast<char*>(arena_.get());
  for (size_t v = 0; v < nv; ++v) {
    if (is_const[v]) {
      slots_[v] = plan->constants[v];
    } else if (plan->offset[v] != kNoOffset) {
      slots_[v] = Tensor::view(plan->infos[v].dtype, plan->infos[v].shape, base + plan->offset[v]);
    }
  }
  plan_ = std::move(plan);
}

void Session::execute(const std::vector<Tensor>& inputs) {
  const Graph& g = *graph_;
  if (!plan_matches(inputs)) build_plan(inputs);
  const Plan& plan = *plan_;
  for (size_t i = 0; i < inputs.size(); ++i) {
    int id = g.inputs[i];
    if (!plan.constants[static_cast<size_t>(id)].defined())
      slots_[static_cast<size_t>(id)].assign_view(inputs[i]);
  }
  // Views: bind to the root's data (the root may be a graph input, bound just above).
  for (size_t v = 0; v < plan.alias_of.size(); ++v) {
    int root = plan.alias_of[v];
    if (root < 0 || plan.constants[v].defined()) continue;
    Tensor& slot = slots_[v];
    if (!slot.defined()) slot = Tensor::view(plan.infos[v].dtype, plan.infos[v].shape, nullptr);
    slot.set_data(const_cast<void*>(slots_[static_cast<size_t>(root)].raw()));
  }
  if (options_.profile) timings_.clear();
  char* base = static_cast<char*>(arena_.get());
  for (const PlannedNode& step : plan.steps) {
    const Node& node = g.nodes[static_cast<size_t>(step.node)];
    if (node.op->output_is_view()) continue;
    in_ptrs_.assign(node.inputs.size(), nullptr);
    for (size_t k = 0; k < node.inputs.size(); ++k)
      if (node.inputs[k] >= 0) in_ptrs_[k] = &slots_[static_cast<size_t>(node.inputs[k])];
    out_ptrs_.assign(node.outputs.size(), nullptr);
    for (size_t k = 0; k < node.outputs.size(); ++k)
      if (node.outputs[k] >= 0) out_ptrs_[k] = &slots_[static_cast<size_t>(node.outputs[k])];
    RunContext ctx(in_ptrs_.data(), static_cast<int>(in_ptrs_.size()), out_ptrs_.data(),
                   static_cast<int>(out_ptrs_.size()),
                   step.scratch_bytes ? base + step.scratch_offset : nullptr, step.scratch_bytes,
                   pool_.get());
    if (options_.profile) {
      auto t0 = std::chrono::steady_clock::now();
      node.op->run(ctx);
      auto t1 = std::chrono::steady_clock::now();
      timings_.push_back({step.node, std::chrono::duration<double, std::milli>(t1 - t0).count()});
    } else {
      node.op->run(ctx);
    }
  }
}

std::vector<Tensor> Session::run(const std::vector<Tensor>& inputs) {
  execute(inputs);
  std::vector<Tensor> outs;
  outs.reserve(graph_->outputs.size());
  for (int v : graph_->outputs) outs.push_back(slots_[static_cast<size_t>(v)].clone());
  return outs;
}

void Session::run_into(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs) {
  execute(inputs);
  const Graph& g = *graph_;
  if (outputs->size() != g.outputs.size()) outputs->resize(g.outputs.size());
  for (size_t k = 0; k < g.outputs.size(); ++k) {
    const Tensor& src = slots_[static_cast<size_t>(g.outputs[k])];
    Tensor& dst = (*outputs)[k];
    if (!dst.defined() || dst.dtype() != src.dtype() || dst.shape() != src.shape() ||
        !dst.owns_storage()) {
      dst = src.clone();
    } else if (src.nbytes()) {
      std::memcpy(dst.raw(), src.raw(), src.nbytes());
    }
  }
}

Status Session::try_run(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs) {
  try {
    *outputs = run(inputs);
    return Status::ok();
  } catch (const Error& e) {
    return Status::error(e.what());
  } catch (const std::bad_alloc&) {
    return Status::error("out of memory");
  }
}

}  // namespace facet
