// The op interface and the op registry.
//
// An Op is created once per graph node from a NodeDef (op type, opset, attributes) by a factory
// in the registry. The factory parses and validates the attributes (throwing facet::Error with a
// plain message; the caller prefixes file, node and op). The Op object is immutable afterwards
// and may be shared by several sessions running on different threads.
//
// Two phases per set of input shapes:
//  1. infer(): validate input dtypes/shapes (and the values of inputs that are constant at plan
//     time, e.g. Reshape's shape), set every output's dtype and shape, and request scratch bytes.
//     Every check that can fail on user data goes here.
//  2. run(): const, no validation, no allocation (outputs and scratch are pre-allocated by the
//     executor), no I/O.
//
// Inputs that are optional and left out in the model (empty names) are "absent":
// has_input(i) is false for them, and for every index >= num_inputs().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/attributes.h"
#include "engine/status.h"
#include "engine/tensor.h"

namespace facet {

class ThreadPool;

// What is known about a value at plan time.
struct ValueInfo {
  DType dtype = DType::kUndefined;
  Shape shape;
  // Non-null when the value is a constant at plan time (initializer, folded constant, or a
  // small int64 graph input whose value is part of the plan key).
  const Tensor* value = nullptr;
};

// Everything a factory needs to build an Op.
struct NodeDef {
  std::string name;     // node name (may be empty)
  std::string op_type;  // "Conv"
  std::string domain;   // "" for the default ONNX domain
  int opset = 0;        // opset version of the node's domain imported by the model
  Attributes attrs;
  std::vector<bool> input_present;  // one per NodeProto.input entry; false for "" names
  int num_outputs = 1;              // NodeProto.output entries (including trailing empty ones)
  bool has_input(int i) const {
    return i >= 0 && i < static_cast<int>(input_present.size()) &&
           input_present[static_cast<size_t>(i)];
  }
  int num_inputs() const { return static_cast<int>(input_present.size()); }
};

class InferContext {
 public:
  InferContext(std::vector<ValueInfo> inputs, int num_outputs)
      : inputs_(std::move(inputs)), outputs_(static_cast<size_t>(num_outputs)) {}

  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  bool has_input(int i) const {
    return i >= 0 && i < num_inputs() && inputs_[static_cast<size_t>(i)].dtype != DType::kUndefined;
  }
  // Throws "missing required input i" if absent.
  const ValueInfo& input(int i) const;
  const Shape& in_shape(int i) const { return input(i).shape; }
  DType in_dtype(int i) const { return input(i).dtype; }
  // Constant value of input i at plan time, or nullptr.
  const Tensor* in_value(int i) const { return has_input(i) ? input(i).value : nullptr; }
  // Like in_value but throws "input i must be a constant" if not known.
  const Tensor& require_value(int i, const char* what) const;

  int num_outputs() const { return static_cast<int>(outputs_.size()); }
  void set_output(int i, DType dtype, Shape shape);
  const ValueInfo& output(int i) const { return outputs_.at(static_cast<size_t>(i)); }
  const std::vector<ValueInfo>& outputs() const { return outputs_; }

  void set_scratch_bytes(size_t bytes) { scratch_bytes_ = bytes; }
  size_t scratch_bytes() const { return scratch_bytes_; }

  // Output 0 may share input 0's storage (the planner decides; only when both have the same
  // byte size and input 0 is an intermediate this node reads last). run() recognises it by
  // equal data pointers and is then given `scratch_bytes` of scratch instead of
  // scratch_bytes(). The planner takes the offer only where it shrinks the arena.
  void allow_in_place(size_t scratch_bytes) {
    in_place_ok_ = true;
    in_place_scratch_bytes_ = scratch_bytes;
  }
  bool in_place_ok() const { return in_place_ok_; }
  size_t in_place_scratch_bytes() const { return in_place_scratch_bytes_; }

  // Threads run() will be given (the RunContext's pool size; 1 without a pool). Ops that keep
  // one scratch area per thread size them by it.
  void set_threads(int threads) { threads_ = threads < 1 ? 1 : threads; }
  int threads() const { return threads_; }

 private:
  std::vector<ValueInfo> inputs_;
  std::vector<ValueInfo> outputs_;
  size_t scratch_bytes_ = 0;
  size_t in_place_scratch_bytes_ = 0;
  bool in_place_ok_ = false;
  int threads_ = 1;
};

class RunContext {
 public:
  // The pointer arrays must outlive the context; nothing is copied (run() must not allocate).
  RunContext(const Tensor* const* inputs, int num_inputs, Tensor* const* outputs, int num_outputs,
             void* scratch, size_t scratch_bytes, ThreadPool* pool)
      : inputs_(inputs),
        num_inputs_(num_inputs),
        outputs_(outputs),
        num_outputs_(num_outputs),
        scratch_(scratch),
        scratch_bytes_(scratch_bytes),
        pool_(pool) {}

  int num_inputs() const { return num_inputs_; }
  bool has_input(int i) const { return i >= 0 && i < num_inputs_ && inputs_[i] != nullptr; }
  const Tensor& input(int i) const { return *inputs_[i]; }
  int num_outputs() const { return num_outputs_; }
  // Outputs come allocated with the dtype and shape set in infer(); absent outputs are nullptr.
  bool has_output(int i) const { return i >= 0 && i < num_outputs_ && outputs_[i] != nullptr; }
  Tensor& output(int i) const { return *outputs_[i]; }
  void* scratch() const { return scratch_; }
  size_t scratch_bytes() const { return scratch_bytes_; }
  ThreadPool* pool() const { return pool_; }
  // The pool's thread count (1 without a pool): what InferContext::threads() was for infer().
  int threads() const;

  // Runs fn(begin, end) over [0, n) split across the pool's threads (inline without a pool).
  // Each chunk has at least `grain` items.
  void parallel_for(int64_t n, int64_t grain,
                    const std::function<void(int64_t, int64_t)>& fn) const;

 private:
  const Tensor* const* inputs_;
  int num_inputs_;
  Tensor* const* outputs_;
  int num_outputs_;
  void* scratch_;
  size_t scratch_bytes_;
  ThreadPool* pool_;
};

class Op {
 public:
  virtual ~Op() = default;
  virtual void infer(InferContext& ctx) const = 0;
  virtual void run(const RunContext& ctx) const = 0;
  // Called once by Graph::finalize(), before the graph is shared, with the inputs that are
  // initializers (nullptr for the others). The only mutating call: an op may pack its weights
  // here into the layout its kernel wants (and choose the kernel variant for active_isa()).
  virtual void prepare(const std::vector<const Tensor*>& constant_inputs) {
    (void)constant_inputs;
  }
  // Asked after prepare(), for a constant input: true when the op keeps its own packed copy of
  // it and neither infer() nor run() will read the original data again (only its dtype and
  // shape). Graph::finalize() may then free that initializer's data (see Value). Must stay
  // true for the life of the op: every path run() can take for the prepared shape must read
  // the packed copy.
  virtual bool releases_constant_input(int index) const {
    (void)index;
    return false;
  }
  // True for ops whose output 0 is input 0's data with another shape (Reshape, Flatten, Squeeze,
  // Unsqueeze, Identity, Dropout in inference). The executor makes output 0 a view of input 0
  // and never calls run() for such ops.
  virtual bool output_is_view() const { return false; }
  // Multiply-accumulates for one run with the given shapes (for `facet inspect` and GFLOP/s).
  virtual int64_t macs(const std::vector<ValueInfo>& inputs,
                       const std::vector<ValueInfo>& outputs) const {
    (void)inputs;
    (void)outputs;
    return 0;
  }
};

using OpFactory = std::function<std::unique_ptr<Op>(const NodeDef&)>;

// Ops keyed by (domain, op_type) with the opset range each factory handles.
class OpRegistry {
 public:
  // Registers a factory for opsets [min_opset, max_opset] of the op.
  void add(const std::string& domain, const std::string& op_type, int min_opset, int max_opset,
           OpFactory factory);
  // Throws facet::Error "unsupported op 'X' (domain '', opset N)" or "opset N of X not supported
  // (supported: a..b)" when nothing matches. Factory errors propagate unchanged.
  std::unique_ptr<Op> create(const NodeDef& def) const;
  bool supports(const std::string& domain, const std::string& op_type, int opset) const;
  std::vector<std::string> op_types() const;

 private:
  struct Entry {
    int min_opset, max_opset;
    OpFactory factory;
  };
  std::map<std::pair<std::string, std::string>, std::vector<Entry>> entries_;
};

// Runs one op on concrete tensors: infer with every input treated as a constant, allocate the
// outputs, run. Used for constant folding and op tests.
std::vector<Tensor> eval_op(const Op& op, const std::vector<const Tensor*>& inputs,
                            int num_outputs, ThreadPool* pool = nullptr);

}  // namespace facet
