#include "ops/fusion.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "engine/status.h"
#include "ops/batch_norm.h"
#include "ops/conv.h"
#include "ops/conv_pw_dw.h"
#include "ops/gemm.h"

namespace facet::ops {
namespace {

class Fuser {
 public:
  Fuser(Graph& g, const FuseOptions& options) : g_(g), options_(options) {
    const size_t nv = g.values.size();
    consumers_.assign(nv, 0);
    producer_.assign(nv, -1);
    is_boundary_.assign(nv, false);
    for (int id : g.outputs)
      if (id >= 0 && static_cast<size_t>(id) < nv) is_boundary_[static_cast<size_t>(id)] = true;
    for (int id : g.inputs)
      if (id >= 0 && static_cast<size_t>(id) < nv) is_boundary_[static_cast<size_t>(id)] = true;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      for (int in : g.nodes[i].inputs)
        if (in >= 0 && static_cast<size_t>(in) < nv) ++consumers_[static_cast<size_t>(in)];
      for (int out : g.nodes[i].outputs)
        if (out >= 0 && static_cast<size_t>(out) < nv)
          producer_[static_cast<size_t>(out)] = static_cast<int>(i);
    }
    removed_.assign(g.nodes.size(), false);
  }

  int run() {
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (is_op(g_.nodes[i], "BatchNormalization")) try_fold_bn(static_cast<int>(i));
    }
    for (size_t i = 0; i < g_.nodes.size(); ++i) try_fuse_activation(static_cast<int>(i));
    fuse_pointwise_depthwise();
    int removed = 0;
    std::vector<Node> kept;
    kept.reserve(g_.nodes.size());
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (removed_[i]) {
        ++removed;
      } else {
        kept.push_back(std::move(g_.nodes[i]));
      }
    }
    g_.nodes = std::move(kept);
    for (Value& v : g_.values) v.producer = -1;
    for (size_t i = 0; i < g_.nodes.size(); ++i)
      for (int out : g_.nodes[i].outputs)
        if (out >= 0) g_.values[static_cast<size_t>(out)].producer = static_cast<int>(i);
    return removed;
  }

 private:
  static bool is_op(const Node& n, const char* type) {
    return (n.domain.empty() || n.domain == "ai.onnx") && n.op_type == type && n.op != nullptr;
  }

  // The single-output producer of value `id` when `id` feeds only one node and is not a graph
  // input/output, else -1.
  int sole_producer(int id) const {
    if (id < 0) return -1;
    const size_t u = static_cast<size_t>(id);
    if (is_boundary_[u] || consumers_[u] != 1) return -1;
    const int p = producer_[u];
    if (p < 0 || removed_[static_cast<size_t>(p)]) return -1;
    const Node& n = g_.nodes[static_cast<size_t>(p)];
    if (n.outputs.empty() || n.outputs[0] != id) return -1;
    for (size_t k = 1; k < n.outputs.size(); ++k)
      if (n.outputs[k] >= 0) return -1;
    return p;
  }

  // Value of a constant input: an initializer, or the output of a Constant node (evaluated).
  bool constant(int id, Tensor* out) const {
    if (id < 0) return false;
    const Value& v = g_.values[static_cast<size_t>(id)];
    if (v.initializer.defined()) {
      *out = v.initializer;
      return true;
    }
    const int p = producer_[static_cast<size_t>(id)];
    if (p < 0) return false;
    const Node& n = g_.nodes[static_cast<size_t>(p)];
    if (!is_op(n, "Constant") || !n.inputs.empty()) return false;
    try {
      std::vector<Tensor> r = eval_op(*n.op, {}, static_cast<int>(n.outputs.size()));
      if (r.empty() || !r[0].defined()) return false;
      *out = r[0];
      return true;
    } catch (const Error&) {
      return false;
    }
  }

  // True when every output of node i except output 0 is absent.
  static bool single_output(const Node& n) {
    if (n.outputs.empty() || n.outputs[0] < 0) return false;
    for (size_t k = 1; k < n.outputs.size(); ++k)
      if (n.outputs[k] >= 0) return false;
    return true;
  }

  // Moves node `from`'s output 0 to node `to` (whose output 0 fed only `from`) and removes
  // `from`.
  void splice(int to, int from) {
    Node& dst = g_.nodes[static_cast<size_t>(to)];
    Node& src = g_.nodes[static_cast<size_t>(from)];
    const int old_out = dst.outputs[0];
    consumers_[static_cast<size_t>(old_out)] = 0;
    dst.outputs[0] = src.outputs[0];
    producer_[static_cast<size_t>(src.outputs[0])] = to;
    for (int in : src.inputs)
      if (in >= 0 && in != old_out) --consumers_[static_cast<size_t>(in)];
    removed_[static_cast<size_t>(from)] = true;
  }

  int add_initializer(const std::string& base, Tensor t) {
    std::string name = base;
    for (int i = 0; g_.find_value(name) >= 0; ++i) name = base + "_" + std::to_string(i);
    const int id = g_.add_value(name);
    Value& v = g_.values.back();
    v.dtype = t.dtype();
    v.shape = t.shape();
    v.shape_known = true;
    v.initializer = std::move(t);
    consumers_.push_back(1);
    producer_.push_back(-1);
    is_boundary_.push_back(false);
    return id;
  }

  // Drops the initializer of a value nobody reads any more (saves the memory of the unfolded
  // weights).
  void release_if_unused(int id) {
    if (id < 0) return;
    const size_t u = static_cast<size_t>(id);
    if (consumers_[u] == 0 && !is_boundary_[u] && g_.values[u].initializer.defined())
      g_.values[u].initializer = Tensor();
  }

  static bool is_vec_f32(const Tensor& t, int64_t c) {
    return t.defined() && t.dtype() == DType::kF32 && t.rank() == 1 && t.dim(0) == c;
  }

  void try_fold_bn(int bi) {
    Node& bn = g_.nodes[static_cast<size_t>(bi)];
    if (removed_[static_cast<size_t>(bi)] || !single_output(bn) || bn.inputs.size() != 5) return;
    const int ci = sole_producer(bn.inputs[0]);
    if (ci < 0) return;
    Node& conv = g_.nodes[static_cast<size_t>(ci)];
    if (!is_op(conv, "Conv") || conv.inputs.size() < 2) return;
    if (auto* f = dynamic_cast<ActivationFusable*>(conv.op.get()); f && f->has_activation()) return;
    Tensor w, b, scale, beta, mean, var;
    const int w_id = conv.inputs[1];
    const int b_id = conv.inputs.size() > 2 ? conv.inputs[2] : -1;
    if (!constant(w_id, &w) || w.dtype() != DType::kF32 || w.rank() < 3) return;
    const int64_t c = w.dim(0);
    if (b_id >= 0 && (!constant(b_id, &b) || !is_vec_f32(b, c))) return;
    if (!constant(bn.inputs[1], &scale) || !constant(bn.inputs[2], &beta) ||
        !constant(bn.inputs[3], &mean) || !constant(bn.inputs[4], &var))
      return;
    if (!is_vec_f32(scale, c) || !is_vec_f32(beta, c) || !is_vec_f32(mean, c) ||
        !is_vec_f32(var, c))
      return;
    // inv_std[c] = 1 / sqrt(var[c] + epsilon), computed by the BN op itself on a probe
    // (x = 1, mean 0, scale 1, bias 0), so its epsilon attribute is honoured.
    std::vector<float> ones(static_cast<size_t>(c), 1.f), zeros(static_cast<size_t>(c), 0.f);
    Tensor inv_std;
    try {
      Tensor probe = Tensor::from_f32({1, c, 1, 1}, ones);
      Tensor one = Tensor::from_f32({c}, ones);
      Tensor zero = Tensor::from_f32({c}, zeros);
      std::vector<Tensor> r = eval_op(*bn.op, {&probe, &one, &zero, &zero, &var}, 1);
      if (r.empty() || r[0].numel() != c) return;
      inv_std = r[0];
    } catch (const Error&) {
      return;
    }
    const float* is = inv_std.data<float>();
    const float* sc = scale.data<float>();
    const float* bt = beta.data<float>();
    const float* mn = mean.data<float>();
    const int64_t per = w.numel() / c;
    // W is scaled in place when nothing else can see it: this conv its only reader, not a graph
    // input or output, no other Tensor sharing its storage (no extra memory). Otherwise into a
    // new initializer: one extra copy of W at a time.
    const size_t wu = static_cast<size_t>(w_id);
    Tensor& w_init = g_.values[wu].initializer;
    bool in_place = false;
    if (consumers_[wu] == 1 && !is_boundary_[wu] && w_init.defined() && w_init.raw() == w.raw()) {
      w = Tensor();  // drop this function's reference to count the others
      in_place = w_init.storage_unique();
      w = w_init;
    }
    Tensor w_t = in_place ? Tensor() : Tensor::empty(DType::kF32, w.shape());
    float* w_new = in_place ? w_init.data<float>() : w_t.data<float>();
    std::vector<float> b_new(static_cast<size_t>(c));
    const float* wd = w.data<float>();
    for (int64_t o = 0; o < c; ++o) {
      const float s = sc[o] * is[o];
      for (int64_t i = 0; i < per; ++i) w_new[o * per + i] = wd[o * per + i] * s;
      const float b0 = b.defined() ? b.data<float>()[o] : 0.f;
      b_new[static_cast<size_t>(o)] = (b0 - mn[o]) * s + bt[o];
    }
    const std::string base = g_.values[wu].name;
    const int w2 = in_place ? w_id : add_initializer(base + "_bnfold", std::move(w_t));
    const int b2 = add_initializer(base + "_bnfold_bias", Tensor::from_f32({c}, b_new));
    if (!in_place) --consumers_[wu];
    if (b_id >= 0) --consumers_[static_cast<size_t>(b_id)];
    conv.inputs[1] = w2;
    if (conv.inputs.size() > 2) {
      conv.inputs[2] = b2;
    } else {
      conv.inputs.push_back(b2);
    }
    std::vector<int> bn_params(bn.inputs.begin() + 1, bn.inputs.end());
    splice(ci, bi);
    release_if_unused(w_id);
    release_if_unused(b_id);
    for (int id : bn_params) release_if_unused(id);
  }

  // Evaluates activation node n on `probe` (other inputs: their constant values).
  bool probe(const Node& n, const std::vector<float>& x, std::vector<float>* y) const {
    std::vector<Tensor> holders(n.inputs.size());
    std::vector<const Tensor*> ptrs(n.inputs.size(), nullptr);
    holders[0] = Tensor::from_f32({static_cast<int64_t>(x.size())}, x);
    ptrs[0] = &holders[0];
    for (size_t k = 1; k < n.inputs.size(); ++k) {
      if (n.inputs[k] < 0) continue;
      if (!constant(n.inputs[k], &holders[k])) return false;
      ptrs[k] = &holders[k];
    }
    try {
      std::vector<Tensor> r = eval_op(*n.op, ptrs, static_cast<int>(n.outputs.size()));
      if (r.empty() || r[0].dtype() != DType::kF32 || r[0].numel() != static_cast<int64_t>(x.size()))
        return false;
      y->assign(r[0].data<float>(), r[0].data<float>() + x.size());
      return true;
    } catch (const Error&) {
      return false;
    }
  }

  void try_fuse_activation(int ai) {
    if (removed_[static_cast<size_t>(ai)]) return;
    Node& act = g_.nodes[static_cast<size_t>(ai)];
    if (act.inputs.empty() || !single_output(act)) return;
    const bool relu = is_op(act, "Relu"), clip = is_op(act, "Clip"),
               leaky = is_op(act, "LeakyRelu"), prelu = is_op(act, "PRelu"),
               hswish = is_op(act, "HardSwish"), sigmoid = is_op(act, "Sigmoid");
    if (!(relu || clip || leaky || prelu || hswish || sigmoid)) return;
    const int pi = sole_producer(act.inputs[0]);
    if (pi < 0) return;
    Node& prod = g_.nodes[static_cast<size_t>(pi)];
    if (is_op(prod, "BatchNormalization") || is_op(prod, "InstanceNormalization")) {
      if (relu || leaky || prelu) try_fuse_norm_activation(pi, ai, relu, leaky);
      return;
    }
    if (!is_op(prod, "Conv") && !is_op(prod, "ConvTranspose") && !is_op(prod, "Gemm")) return;
    auto* fusable = dynamic_cast<ActivationFusable*>(prod.op.get());
    if (fusable == nullptr || fusable->has_activation()) return;
    const float inf = std::numeric_limits<float>::infinity();
    ActKind kind = ActKind::kNone;
    float alpha = 0.f, beta = 0.f;
    std::vector<float> slope;
    if (relu) {
      kind = ActKind::kRelu;
    } else if (hswish) {
      kind = ActKind::kHardSwish;
    } else if (sigmoid) {
      kind = ActKind::kSigmoid;
    } else if (clip) {
      std::vector<float> y;
      if (!probe(act, {-inf, inf}, &y)) return;
      kind = ActKind::kClip;
      alpha = y[0];
      beta = y[1];
      if (std::isnan(alpha) || std::isnan(beta) || alpha > beta) return;
    } else if (leaky) {
      std::vector<float> y;
      if (!probe(act, {-1.f}, &y)) return;
      kind = ActKind::kLeakyRelu;
      alpha = -y[0];
    } else {  // PRelu
      if (act.inputs.size() < 2) return;
      Tensor s;
      if (!constant(act.inputs[1], &s) || s.dtype() != DType::kF32 || s.numel() < 1) return;
      if (s.numel() == 1) {
        kind = ActKind::kLeakyRelu;
        alpha = s.data<float>()[0];
      } else {
        if (!fusable->accepts_channel_slope() || prod.inputs.size() < 2) return;
        Tensor w;
        if (!constant(prod.inputs[1], &w) || w.rank() < 3) return;
        const int64_t c = w.dim(0);
        // Per channel iff, right-aligned against [N, C, spatial...], the slope is C on the
        // channel axis and 1 elsewhere.
        const int out_rank = w.rank();
        const int r = s.rank();
        if (s.numel() != c || r < out_rank - 1 || r > out_rank) return;
        for (int k = 0; k < r; ++k) {
          const int axis = out_rank - r + k;
          if (axis != 1 && s.dim(k) != 1) return;
          if (axis == 1 && s.dim(k) != c) return;
        }
        kind = ActKind::kPRelu;
        slope.assign(s.data<float>(), s.data<float>() + c);
      }
    }
    fusable->set_activation(kind, alpha, beta, slope);
    splice(pi, ai);
  }

  // Relu, LeakyRelu or PRelu (constant slope: scalar, or [C, 1, ..., 1] per channel) after a
  // BatchNormalization / InstanceNormalization: applied in the norm's store.
  void try_fuse_norm_activation(int pi, int ai, bool relu, bool leaky) {
    Node& prod = g_.nodes[static_cast<size_t>(pi)];
    const Node& act = g_.nodes[static_cast<size_t>(ai)];
    auto* fusable = dynamic_cast<NormActivationFusable*>(prod.op.get());
    if (fusable == nullptr || fusable->has_norm_activation() || !single_output(prod)) return;
    NormActKind kind = NormActKind::kRelu;
    float alpha = 0.f;
    std::vector<float> slope;
    int data_rank = 0;
    if (leaky) {
      std::vector<float> y;
      if (!probe(act, {-1.f}, &y)) return;
      kind = NormActKind::kLeakyRelu;
      alpha = -y[0];
    } else if (!relu) {  // PRelu
      if (act.inputs.size() < 2) return;
      Tensor s;
      if (!constant(act.inputs[1], &s) || s.dtype() != DType::kF32 || s.numel() < 1) return;
      if (s.numel() == 1) {
        kind = NormActKind::kLeakyRelu;
        alpha = s.data<float>()[0];
      } else {
        // Right-aligned against the data, [C, 1, ..., 1] of rank r indexes axis 1 exactly when
        // the data has rank r + 1; the op checks that rank at infer time.
        if (s.rank() < 2 || s.dim(0) != s.numel()) return;
        kind = NormActKind::kPRelu;
        data_rank = s.rank() + 1;
        slope.assign(s.data<float>(), s.data<float>() + s.numel());
      }
    }
    if (!fusable->set_norm_activation(kind, alpha, slope, data_rank)) return;
    splice(pi, ai);
  }

  // Shapes that follow from the declared graph input shapes and the initializers alone, by
  // running every op's infer() in node order (ONNX lists nodes topologically; a node whose
  // inputs are not all known, or whose infer() needs a value that is not an initializer,
  // leaves its outputs unknown). Must run after the passes that add values.
  void infer_static_shapes() {
    const size_t nv = g_.values.size();
    info_.assign(nv, ValueInfo{});
    known_.assign(nv, false);
    scratch_.assign(g_.nodes.size(), 0);
    for (size_t v = 0; v < nv; ++v) {
      const Tensor& t = g_.values[v].initializer;
      if (!t.defined()) continue;
      info_[v] = ValueInfo{t.dtype(), t.shape(), &t};
      known_[v] = true;
    }
    for (int id : g_.inputs) {
      if (id < 0 || static_cast<size_t>(id) >= nv) continue;
      const Value& val = g_.values[static_cast<size_t>(id)];
      bool ok = val.shape_known && val.dtype != DType::kUndefined;
      for (int64_t d : val.shape) ok = ok && d >= 0;
      if (!ok) continue;
      info_[static_cast<size_t>(id)] = ValueInfo{val.dtype, val.shape, nullptr};
      known_[static_cast<size_t>(id)] = true;
    }
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      const Node& n = g_.nodes[i];
      if (removed_[i] || n.op == nullptr) continue;
      std::vector<ValueInfo> ins(n.inputs.size());
      bool ok = true;
      for (size_t k = 0; k < n.inputs.size() && ok; ++k) {
        const int v = n.inputs[k];
        if (v < 0) continue;
        ok = static_cast<size_t>(v) < nv && known_[static_cast<size_t>(v)];
        if (ok) ins[k] = info_[static_cast<size_t>(v)];
      }
      if (!ok) continue;
      InferContext ctx(std::move(ins), static_cast<int>(n.outputs.size()));
      // The session's thread count is not known yet: assume all cores, as the footprints do.
      ctx.set_threads(static_cast<int>(sgemm_slots()));
      try {
        n.op->infer(ctx);
      } catch (const std::exception&) {
        continue;
      }
      scratch_[i] = static_cast<int64_t>(ctx.scratch_bytes());
      for (size_t k = 0; k < n.outputs.size(); ++k) {
        const int v = n.outputs[k];
        if (v < 0 || static_cast<size_t>(v) >= nv) continue;
        const ValueInfo& o = ctx.output(static_cast<int>(k));
        if (o.dtype == DType::kUndefined) continue;
        info_[static_cast<size_t>(v)] = ValueInfo{o.dtype, o.shape, nullptr};
        known_[static_cast<size_t>(v)] = true;
      }
    }
  }

  // Bytes node i holds while it runs: its non-constant inputs, its outputs and its scratch
  // (0 when a shape is unknown). Scratch is capped at the GEMM workspaces: before prepare(),
  // Conv and Gemm still count packing their weights on every run, which prepare() removes.
  // Doubles: shapes here come from the file, so products must not overflow.
  double footprint(size_t i) const {
    const Node& n = g_.nodes[i];
    double bytes = static_cast<double>(
        std::min<int64_t>(scratch_[i], static_cast<int64_t>(sgemm_workspace_bytes())));
    auto add = [&](int v) {
      if (v < 0) return true;
      const size_t u = static_cast<size_t>(v);
      if (g_.values[u].initializer.defined()) return true;
      if (!known_[u]) return false;
      double e = static_cast<double>(std::max<size_t>(dtype_size(info_[u].dtype), 1));
      for (int64_t d : info_[u].shape) {
        if (d < 0) return false;
        e *= static_cast<double>(d);
      }
      bytes += e;
      return true;
    };
    for (int v : n.inputs)
      if (!add(v)) return 0;
    for (int v : n.outputs)
      if (!add(v)) return 0;
    return bytes;
  }

  struct PwDwCandidate {
    int pw, dw;
    ConvSettings pw_settings, dw_settings;
    Shape w_pw, w_dw;
    double fused_bytes = 0, unfused_bytes = 0;
  };

  // A depthwise Conv whose input comes only from a pointwise Conv (both with their activations
  // already fused) is a candidate when conv_pw_dw_fusable and the intermediate can run in
  // bands. Fusing costs some speed (smaller GEMMs per band), so only candidates that are the
  // graph's memory bottleneck are fused: their unfused footprint exceeds every node outside
  // the candidates, and fusing lowers the graph's peak by at least 10% (YuNet's first pairs
  // would save 2.5% of its arena for 3-7% of their time). The pointwise node becomes one ConvPwDw op (see
  // conv_pw_dw.h) with inputs [X, Wpw, Bpw, Wdw, Bdw] and the depthwise output; the depthwise
  // node is removed. The shapes are inferred only when the graph has such a pair at all.
  void fuse_pointwise_depthwise() {
    std::vector<PwDwCandidate> pairs;
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      PwDwCandidate c;
      if (pointwise_depthwise_pair(static_cast<int>(i), &c)) pairs.push_back(std::move(c));
    }
    if (pairs.empty()) return;
    infer_static_shapes();
    std::vector<PwDwCandidate> candidates;
    std::vector<bool> in_candidate(g_.nodes.size(), false);
    for (PwDwCandidate& c : pairs) {
      const int x_id = g_.nodes[static_cast<size_t>(c.pw)].inputs[0];
      if (x_id < 0 || !known_[static_cast<size_t>(x_id)] ||
          !conv_pw_dw_footprints(c.dw_settings, info_[static_cast<size_t>(x_id)].shape, c.w_pw,
                                 c.w_dw, &c.fused_bytes, &c.unfused_bytes))
        continue;
      in_candidate[static_cast<size_t>(c.pw)] = in_candidate[static_cast<size_t>(c.dw)] = true;
      candidates.push_back(std::move(c));
    }
    double others = 0;
    for (size_t i = 0; i < g_.nodes.size(); ++i)
      if (!removed_[i] && !in_candidate[i]) others = std::max(others, footprint(i));
    for (const PwDwCandidate& c : candidates)
      if (options_.pw_dw_always ||
          (c.unfused_bytes > others && std::max(others, c.fused_bytes) < 0.9 * c.unfused_bytes))
        fuse_pair(c);
  }

  // The structural conditions: sole producer, settings, constant float weights, fusable.
  bool pointwise_depthwise_pair(int di, PwDwCandidate* out) const {
    if (removed_[static_cast<size_t>(di)]) return false;
    const Node& dw = g_.nodes[static_cast<size_t>(di)];
    if (!is_op(dw, "Conv") || !single_output(dw) || dw.inputs.size() < 2 || dw.inputs.size() > 3)
      return false;
    const int pi = sole_producer(dw.inputs[0]);
    if (pi < 0) return false;
    const Node& pw = g_.nodes[static_cast<size_t>(pi)];
    if (!is_op(pw, "Conv") || pw.inputs.size() < 2 || pw.inputs.size() > 3) return false;
    ConvSettings ps, ds;
    if (!conv_settings(*pw.op, &ps) || !conv_settings(*dw.op, &ds)) return false;
    Tensor wp, wd;
    if (!constant(pw.inputs[1], &wp) || !constant(dw.inputs[1], &wd)) return false;
    if (wp.dtype() != DType::kF32 || wd.dtype() != DType::kF32) return false;
    if (!conv_pw_dw_fusable(ps, wp.shape(), ds, wd.shape())) return false;
    out->pw = pi;
    out->dw = di;
    out->pw_settings = std::move(ps);
    out->dw_settings = std::move(ds);
    out->w_pw = wp.shape();
    out->w_dw = wd.shape();
    return true;
  }

  void fuse_pair(const PwDwCandidate& c) {
    Node& pw = g_.nodes[static_cast<size_t>(c.pw)];
    const Node& dw = g_.nodes[static_cast<size_t>(c.dw)];
    const int mid = pw.outputs[0];
    pw.inputs = {pw.inputs[0], pw.inputs[1], pw.inputs.size() > 2 ? pw.inputs[2] : -1,
                 dw.inputs[1], dw.inputs.size() > 2 ? dw.inputs[2] : -1};
    pw.outputs[0] = dw.outputs[0];
    pw.name = pw.name + "+" + dw.name;
    pw.op = make_conv_pw_dw(c.pw_settings, c.dw_settings);
    consumers_[static_cast<size_t>(mid)] = 0;
    producer_[static_cast<size_t>(dw.outputs[0])] = c.pw;
    removed_[static_cast<size_t>(c.dw)] = true;
  }

  Graph& g_;
  FuseOptions options_;
  std::vector<int> consumers_;
  std::vector<int> producer_;
  std::vector<bool> is_boundary_;
  std::vector<bool> removed_;
  std::vector<ValueInfo> info_;  // infer_static_shapes()
  std::vector<bool> known_;
  std::vector<int64_t> scratch_;  // per node, from infer_static_shapes()
};

}  // namespace

int fuse_graph(Graph& g, const FuseOptions& options) { return Fuser(g, options).run(); }

}  // namespace facet::ops
