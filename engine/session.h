// Session: runs a Graph.
//
// For each distinct set of input shapes (plus the values of small int64 and 1-D float inputs,
// which act as shape arguments), the session builds a Plan: shape inference over the topological order,
// constant folding of every node whose inputs are all constant (this turns the
// Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains into constants), and a liveness-based
// memory plan that places every intermediate in one arena. An op that offers to run in place
// (InferContext::allow_in_place: a stride-1 depthwise conv) gets its input's buffer for its
// output when the input is an intermediate nobody reads later and that makes the arena smaller
// (all offers tried together, then each dropped again if the arena does not grow). Re-planning happens automatically when
// an input shape changes. run() after the first call with a given shape allocates only the
// returned output tensors (or nothing, with run_into()).
//
// A Session is not thread-safe; several sessions may share one Graph across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/tensor.h"

namespace facet {

class ThreadPool;

struct SessionOptions {
  int threads = 0;  // 0 = number of cores
  // Largest arena a plan may need, in bytes (0 = no limit).
  size_t max_arena_bytes = size_t(8) << 30;
  // Int64 graph inputs, and float inputs of rank <= 1, with at most this many elements are
  // treated as plan-time constants (their values are part of the plan key): they are the shape
  // arguments of Reshape, Slice, Resize, Pad... when a model takes them as inputs.
  int64_t const_int_input_max = 64;
  // Record per-node timings in run() (see Session::profile()).
  bool profile = false;
  // Accept input shapes that differ from the dims the model declares (same rank).
  bool relax_input_shapes = false;
};

struct PlannedNode {
  int node = -1;                   // index into graph.nodes
  std::vector<size_t> out_offset;  // arena offsets of outputs (views: unused)
  size_t scratch_offset = 0;
  size_t scratch_bytes = 0;
  int64_t macs = 0;
  // Output 0 shares input 0's storage (InferContext::allow_in_place, taken by the planner);
  // scratch_bytes is then the in-place scratch.
  bool in_place = false;
};

struct Plan {
  std::vector<ValueInfo> infos;   // per value id
  std::vector<Tensor> constants;  // per value id: defined for constants (initializers, folded)
  std::vector<size_t> offset;     // per value id: arena offset (SIZE_MAX if not in arena)
  std::vector<int> alias_of;      // per value id: value whose storage it views, or -1
  std::vector<PlannedNode> steps; // nodes to execute at run time, in order
  size_t arena_bytes = 0;
  size_t naive_bytes = 0;  // sum of all intermediate sizes (what no reuse would need)
  int64_t total_macs = 0;
  int folded_nodes = 0;
};

struct NodeTiming {
  int node;
  double ms;
};

class Session {
 public:
  explicit Session(std::shared_ptr<const Graph> graph, SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const Graph& graph() const { return *graph_; }

  // Inputs in the order of graph().inputs; returns outputs in the order of graph().outputs.
  // Throws facet::Error on a wrong count, dtype or shape.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs);
  // Like run(), writing into `outputs`: tensors that already have the right dtype and shape
  // are filled in place, so a steady-state loop with fixed shapes allocates nothing.
  void run_into(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs);
  // Error as a value instead of an exception.
  Status try_run(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs);

  // Builds (or reuses) the plan for inputs of these dtypes/shapes without running.
  const Plan& plan_for(const std::vector<Tensor>& inputs);
  const Plan* current_plan() const { return plan_.get(); }

  const std::vector<NodeTiming>& profile() const { return timings_; }
  ThreadPool* pool() const { return pool_.get(); }

 private:
  void build_plan(const std::vector<Tensor>& inputs);
  bool plan_matches(const std::vector<Tensor>& inputs) const;

  std::shared_ptr<const Graph> graph_;
  SessionOptions options_;
  std::unique_ptr<Plan> plan_;
  std::vector<Shape> plan_shapes_;
  std::vector<DType> plan_dtypes_;
  std::vector<std::vector<int64_t>> plan_int_values_;
  std::shared_ptr<void> arena_;
  size_t arena_capacity_ = 0;
  std::unique_ptr<ThreadPool> pool_;
  void execute(const std::vector<Tensor>& inputs);

  std::vector<Tensor> slots_;  // per value id, the tensor used during run
  std::vector<const Tensor*> in_ptrs_;  // per-step scratch, reused across steps
  std::vector<Tensor*> out_ptrs_;
  std::vector<NodeTiming> timings_;
};

}  // namespace facet
