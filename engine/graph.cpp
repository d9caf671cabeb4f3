#include "engine/graph.h"

#include <queue>

namespace facet {

namespace {

// The constants the node being prepared may discard (Graph::finalize sets it around prepare()).
struct ConsumeScope {
  std::vector<const Tensor*> releasable;  // per input slot: the constant, or nullptr
  std::vector<char> used;                 // per input slot: prepare_consumed() released pages
};
thread_local ConsumeScope* tls_consume = nullptr;

struct ScopeGuard {
  explicit ScopeGuard(ConsumeScope* s) { tls_consume = s; }
  ~ScopeGuard() { tls_consume = nullptr; }
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;
};

}  // namespace

void prepare_consumed(const Tensor* constant_input, size_t bytes) {
  ConsumeScope* scope = tls_consume;
  if (scope == nullptr || constant_input == nullptr) return;
  for (size_t k = 0; k < scope->releasable.size(); ++k) {
    if (scope->releasable[k] != constant_input) continue;
    discard_tensor_pages(*constant_input, bytes);
    scope->used[k] = 1;
    return;
  }
}

int Graph::find_value(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? -1 : it->second;
}

int Graph::add_value(const std::string& name) {
  FACET_CHECK(by_name_.count(name) == 0, source, ": value '", name, "' is defined twice");
  int id = static_cast<int>(values.size());
  Value v;
  v.name = name;
  values.push_back(std::move(v));
  by_name_[name] = id;
  return id;
}

int Graph::get_or_add_value(const std::string& name) {
  int id = find_value(name);
  return id >= 0 ? id : add_value(name);
}

std::string Graph::node_label(int i) const {
  const Node& n = nodes[static_cast<size_t>(i)];
  std::string label = str_cat(source, ": node ", i);
  if (!n.name.empty()) label += str_cat(" '", n.name, "'");
  label += str_cat(" (", n.op_type, ", opset ", n.opset, ")");
  return label;
}

int64_t Graph::parameter_count() const {
  int64_t n = 0;
  for (const Value& v : values)
    if (v.initializer.defined() && v.initializer.dtype() == DType::kF32) n += v.initializer.numel();
  return n;
}

void Graph::finalize() {
  const int nv = static_cast<int>(values.size());
  const int nn = static_cast<int>(nodes.size());
  for (Value& v : values) v.producer = -1;
  std::vector<bool> is_input(static_cast<size_t>(nv), false);
  for (int id : inputs) {
    FACET_CHECK(id >= 0 && id < nv, source, ": bad graph input id");
    is_input[static_cast<size_t>(id)] = true;
  }
  for (int i = 0; i < nn; ++i) {
    const Node& n = nodes[static_cast<size_t>(i)];
    FACET_CHECK(n.op != nullptr, node_label(i), ": no op");
    for (int out : n.outputs) {
      if (out < 0) continue;
      FACET_CHECK(out < nv, node_label(i), ": bad output id");
      Value& v = values[static_cast<size_t>(out)];
      FACET_CHECK(v.producer < 0, node_label(i), ": output '", v.name,
                  "' is already produced by ", node_label(v.producer));
      FACET_CHECK(!v.initializer.defined(), node_label(i), ": output '", v.name,
                  "' has the same name as an initializer");
      FACET_CHECK(!is_input[static_cast<size_t>(out)], node_label(i), ": output '", v.name,
                  "' has the same name as a graph input");
      v.producer = i;
    }
  }
  // Kahn's algorithm, preferring the file's order (smallest index first).
  std::vector<int> pending(static_cast<size_t>(nn), 0);
  std::vector<std::vector<int>> consumers(static_cast<size_t>(nn));
  for (int i = 0; i < nn; ++i) {
    const Node& n = nodes[static_cast<size_t>(i)];
    for (int in : n.inputs) {
      if (in < 0) continue;
      FACET_CHECK(in < nv, node_label(i), ": bad input id");
      const Value& v = values[static_cast<size_t>(in)];
      if (v.producer >= 0) {
        ++pending[static_cast<size_t>(i)];
        consumers[static_cast<size_t>(v.producer)].push_back(i);
      } else if (!v.initializer.defined() && !is_input[static_cast<size_t>(in)]) {
        fail(str_cat(node_label(i), ": input '", v.name,
                     "' is not a graph input, an initializer or the output of any node"));
      }
    }
  }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < nn; ++i)
    if (pending[static_cast<size_t>(i)] == 0) ready.push(i);
  topo_order_.clear();
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    topo_order_.push_back(i);
    for (int c : consumers[static_cast<size_t>(i)])
      if (--pending[static_cast<size_t>(c)] == 0) ready.push(c);
  }
  if (static_cast<int>(topo_order_.size()) != nn) {
    for (int i = 0; i < nn; ++i)
      if (pending[static_cast<size_t>(i)] > 0)
        fail(str_cat(node_label(i), ": the graph has a cycle through this node"));
  }
  // An initializer's data may be freed once its op has packed it only if that op is its sole
  // reader: one input slot of one node, not a graph input (a caller could override it) and not
  // a graph output (returned by value).
  std::vector<int> readers(static_cast<size_t>(nv), 0);
  for (const Node& n : nodes)
    for (int in : n.inputs)
      if (in >= 0) ++readers[static_cast<size_t>(in)];
  for (int id : outputs)
    if (id >= 0 && id < nv) ++readers[static_cast<size_t>(id)];
  for (int id : inputs) ++readers[static_cast<size_t>(id)];  // checked above
  // Let ops pack their constant weights, and drop each original as soon as it is packed, so at
  // most one weight exists twice at any moment.
  for (int i : topo_order_) {
    Node& n = nodes[static_cast<size_t>(i)];
    std::vector<const Tensor*> consts(n.inputs.size(), nullptr);
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      int in = n.inputs[k];
      if (in < 0) continue;
      const Value& v = values[static_cast<size_t>(in)];
      // A second finalize() cannot pack from released data; the op keeps its first packing.
      if (v.initializer.defined() && !v.data_released) consts[k] = &v.initializer;
    }
    // Constants the op may release page by page while packing (prepare_consumed).
    ConsumeScope scope;
    scope.releasable.assign(n.inputs.size(), nullptr);
    scope.used.assign(n.inputs.size(), 0);
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      if (consts[k] != nullptr && release_packed_constants &&
          readers[static_cast<size_t>(n.inputs[k])] == 1 && consts[k]->storage_unique())
        scope.releasable[k] = consts[k];
    }
    try {
      ScopeGuard guard(&scope);
      n.op->prepare(consts);
    } catch (const Error& e) {
      fail(str_cat(node_label(i), ": ", e.what()));
    }
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      FACET_CHECK(!scope.used[k] || n.op->releases_constant_input(static_cast<int>(k)),
                  node_label(i), ": internal error: prepare() discarded constant input ", k,
                  " but keeps reading it");
    }
    if (!release_packed_constants) continue;
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      if (consts[k] == nullptr) continue;
      Value& v = values[static_cast<size_t>(n.inputs[k])];
      if (readers[static_cast<size_t>(n.inputs[k])] != 1 ||
          !n.op->releases_constant_input(static_cast<int>(k)))
        continue;
      // Other Tensor objects sharing the storage (a caller's copy) keep it alive; this drops the
      // graph's reference only.
      v.initializer = Tensor::view(v.initializer.dtype(), v.initializer.shape(), nullptr);
      v.data_released = true;
    }
  }
  for (int id : outputs) {
    FACET_CHECK(id >= 0 && id < nv, source, ": bad graph output id");
    const Value& v = values[static_cast<size_t>(id)];
    FACET_CHECK(v.producer >= 0 || v.initializer.defined() || is_input[static_cast<size_t>(id)],
                source, ": graph output '", v.name, "' is never produced");
  }
}

}  // namespace facet
