// Graph IR: values and nodes, independent of any file format.
//
// A loader fills a Graph (values, nodes with their Op objects, inputs, outputs) and calls
// finalize(), which checks that every node input is defined before use, that output names are
// unique, and computes a topological order (rejecting cycles). The Graph is immutable after that
// and shared by sessions.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/op.h"
#include "engine/tensor.h"

namespace facet {

struct Value {
  std::string name;
  // Declared type/shape (graph inputs/outputs, value_info). Unknown dims are -1; an empty
  // `declared` dtype means unknown.
  DType dtype = DType::kUndefined;
  Shape shape;
  bool shape_known = false;
  Tensor initializer;  // defined() for initializers / constants
  // The initializer's data was freed by finalize() after its only consumer packed its own copy
  // (Op::releases_constant_input): `initializer` keeps its dtype and shape, raw() is null.
  bool data_released = false;
  int producer = -1;   // node index producing it, -1 for inputs and initializers
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;
  int opset = 0;
  std::unique_ptr<Op> op;
  std::vector<int> inputs;   // value ids; -1 for an absent optional input
  std::vector<int> outputs;  // value ids; -1 for an unused optional output
};

// For Op::prepare(): bytes [0, bytes) of the constant input `constant_input` (a pointer
// prepare() was given) will not be read again. When Graph::finalize() is going to drop that
// constant right after prepare() (release_packed_constants, this node its only reader,
// releases_constant_input() true for it, no other Tensor sharing the storage), the whole pages
// inside are returned to the system at once, so a large weight and its packed copy are never
// both resident. Otherwise nothing happens. An op that calls it for an input must then return
// true from releases_constant_input() for it (finalize() checks).
void prepare_consumed(const Tensor* constant_input, size_t bytes);

class Graph {
 public:
  std::string source;  // file name used in error messages ("model.onnx")
  int64_t ir_version = 0;
  std::map<std::string, int64_t> opsets;  // domain -> version
  std::string producer;

  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<int> inputs;   // value ids fed by the caller (initializers excluded)
  std::vector<int> outputs;  // value ids returned to the caller
  // finalize(): free an initializer's data once the op reading it has packed its own copy and
  // nothing else reads it (not another node, not a graph input or output). Set to false before
  // finalize() to keep every initializer's data (e.g. to compare against, or to write out).
  bool release_packed_constants = true;

  // Returns the id of a value by name, or -1.
  int find_value(const std::string& name) const;
  // Adds a value (name must be new) and returns its id.
  int add_value(const std::string& name);
  // Returns the id for name, adding it if new.
  int get_or_add_value(const std::string& name);

  // Validates, computes topo_order, calls every op's prepare() with its initializer inputs and
  // releases the initializers ops have packed (see release_packed_constants). Throws
  // facet::Error naming the node on problems.
  void finalize();
  const std::vector<int>& topo_order() const { return topo_order_; }

  // "model.onnx: node 12 'Conv_7' (Conv, opset 11)"
  std::string node_label(int node_index) const;

  int64_t parameter_count() const;  // elements in float initializers

 private:
  std::map<std::string, int> by_name_;
  std::vector<int> topo_order_;
};

}  // namespace facet
