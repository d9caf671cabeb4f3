// ONNX ModelProto -> facet::Graph, through facet's own protobuf wire reader (pb_reader.h).
//
// Every error names the file and where: "model.onnx: node 12 'Conv_7' (Conv, opset 11): ...",
// "model.onnx @0x1a2f: TensorProto 'w' field 9 (raw_data) declares 1048576 bytes, 812 remain".
// Truncated, corrupt or hostile files give facet::Error, never a crash, hang, huge allocation
// or out-of-bounds read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/graph.h"
#include "engine/status.h"

namespace facet::loaders {

struct LoadLimits {
  uint64_t max_file_bytes = uint64_t(2) << 30;     // whole model file
  int64_t max_nodes = 200000;
  int max_rank = 16;
  int64_t max_tensor_elements = int64_t(1) << 31;  // any one tensor (initializer or declared)
  int max_nesting_depth = 32;                      // nested messages / subgraphs
  // Not a limit: free each initializer's data once the op reading it has packed its own copy
  // (Graph::release_packed_constants). false keeps every initializer's values in the Graph.
  bool release_packed_weights = true;
};

// Loads a model file. External tensor data is resolved relative to the model's folder only.
std::shared_ptr<Graph> load_onnx_file(const std::string& path, const LoadLimits& limits = {});

// Loads a model from memory. `name` is used in messages; `base_dir` is where external data
// would live ("" refuses external data).
std::shared_ptr<Graph> load_onnx_bytes(const uint8_t* data, size_t size, const std::string& name,
                                       const std::string& base_dir = "",
                                       const LoadLimits& limits = {});

// Error-as-value variant for embedding.
Status try_load_onnx_file(const std::string& path, std::shared_ptr<Graph>* out,
                          const LoadLimits& limits = {});

}  // namespace facet::loaders
