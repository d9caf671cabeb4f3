// A minimal ONNX writer: plain structs describing a model -> serialized ModelProto bytes,
// through facet's own protobuf encoder (PbWriter). No dependency on protobuf or onnx.
//
// Used for generated test models, `facet make-model`, and a catalogue of hostile models, so it
// writes whatever it is told: negative dims, raw_data of the wrong size, dangling names,
// unknown ops, arbitrary extra bytes (`extra` on every message spec is appended verbatim after
// the message's known fields). Nothing is validated.
//
// Fields are written in field-number order, as protobuf does (so `graph` comes before
// `opset_import`, as in real files).
//
// Example:
//   ModelSpec m;
//   m.graph.inputs.push_back(value_info("x", DType::kF32, {1, 3}));
//   m.graph.outputs.push_back(value_info("y", DType::kF32, {1, 3}));
//   m.graph.nodes.push_back(node_spec("Relu", {"x"}, {"y"}));
//   std::string bytes = serialize_model(m);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/attributes.h"
#include "engine/tensor.h"

namespace facet::loaders {

// Protobuf wire-format encoder appending to a byte string.
class PbWriter {
 public:
  void raw(const void* data, size_t size);  // bytes appended verbatim
  void raw(const std::string& bytes) { raw(bytes.data(), bytes.size()); }
  void varint(uint64_t v);
  void tag(uint32_t field, int wire_type);

  void field_varint(uint32_t field, uint64_t v);
  void field_int64(uint32_t field, int64_t v) { field_varint(field, static_cast<uint64_t>(v)); }
  void field_fixed32(uint32_t field, uint32_t v);
  void field_fixed64(uint32_t field, uint64_t v);
  void field_float(uint32_t field, float v);
  void field_double(uint32_t field, double v);
  void field_bytes(uint32_t field, const void* data, size_t size);
  void field_string(uint32_t field, const std::string& s) { field_bytes(field, s.data(), s.size()); }
  void field_message(uint32_t field, const PbWriter& msg) { field_string(field, msg.bytes()); }

  // Repeated scalars: packed (one length-delimited field) or one field per value.
  void repeated_int64(uint32_t field, const std::vector<int64_t>& v, bool packed);
  void repeated_int32(uint32_t field, const std::vector<int32_t>& v, bool packed);
  void repeated_uint64(uint32_t field, const std::vector<uint64_t>& v, bool packed);
  void repeated_float(uint32_t field, const std::vector<float>& v, bool packed);
  void repeated_double(uint32_t field, const std::vector<double>& v, bool packed);

  const std::string& bytes() const { return buf_; }
  std::string take() { return std::move(buf_); }
  size_t size() const { return buf_.size(); }

 private:
  std::string buf_;
};

// ONNX TensorProto.DataType numbers not in facet::DType (facet::DType values equal ONNX's).
namespace onnx_dtype {
constexpr int32_t kUndefined = 0, kFloat = 1, kUint8 = 2, kInt8 = 3, kUint16 = 4, kInt16 = 5,
                  kInt32 = 6, kInt64 = 7, kString = 8, kBool = 9, kFloat16 = 10, kDouble = 11,
                  kUint32 = 12, kUint64 = 13, kComplex64 = 14, kBfloat16 = 16;
}

// One TensorProto, field by field. Empty vectors / unset flags are not written.
struct TensorSpec {
  std::string name;
  int32_t data_type = onnx_dtype::kFloat;
  std::vector<int64_t> dims;
  bool has_raw_data = false;  // write raw_data (even if empty)
  std::string raw_data;
  std::vector<float> float_data;      // field 4
  std::vector<int32_t> int32_data;    // field 5
  std::vector<std::string> string_data;  // field 6
  std::vector<int64_t> int64_data;    // field 7
  std::vector<double> double_data;    // field 10
  std::vector<uint64_t> uint64_data;  // field 11
  bool packed = true;                 // typed *_data fields packed or one tag per value
  bool packed_dims = false;           // dims packed (onnx writes them unpacked)
  int32_t data_location = 0;          // 1 = EXTERNAL; written only when nonzero
  std::vector<std::pair<std::string, std::string>> external_data;  // key/value entries
  std::string extra;
};

// A tensor's bytes as raw_data (dims and data_type from the tensor).
TensorSpec tensor_spec(const std::string& name, const Tensor& t);

// ValueInfoProto with a tensor type. A dim with a non-empty entry in dim_params is written as
// dim_param instead of dim_value. `has_shape` false writes no shape at all.
struct ValueInfoSpec {
  std::string name;
  int32_t elem_type = onnx_dtype::kFloat;
  bool has_type = true;
  bool has_shape = true;
  std::vector<int64_t> dims;
  std::vector<std::string> dim_params;
  std::string extra;
};

ValueInfoSpec value_info(const std::string& name, DType dtype, std::vector<int64_t> dims);

// One AttributeProto written as is (for attribute kinds facet::Attribute cannot express, or
// hostile ones). `type` is AttributeProto.AttributeType; 0 writes no type field.
struct RawAttributeSpec {
  std::string name;
  int32_t type = 0;
  std::string extra;  // the fields after name/type, already encoded
};

struct NodeSpec {
  std::string name;
  std::string op_type;
  std::string domain;
  bool write_domain = false;  // write domain even when empty (as onnx does)
  std::vector<std::string> inputs;   // "" = absent optional input
  std::vector<std::string> outputs;  // "" = unused optional output
  Attributes attrs;  // every kind except kGraph/kOther (which are skipped)
  std::vector<RawAttributeSpec> raw_attrs;
  std::string extra;
};

NodeSpec node_spec(const std::string& op_type, std::vector<std::string> inputs,
                   std::vector<std::string> outputs, Attributes attrs = {},
                   const std::string& name = "");

struct GraphSpec {
  std::string name = "graph";
  std::vector<NodeSpec> nodes;
  std::vector<TensorSpec> initializers;
  std::vector<ValueInfoSpec> inputs;
  std::vector<ValueInfoSpec> outputs;
  std::vector<ValueInfoSpec> value_info;
  std::string extra;
};

struct ModelSpec {
  int64_t ir_version = 7;
  std::string producer_name = "facet";
  std::string producer_version;
  std::vector<std::pair<std::string, int64_t>> opsets = {{"", 13}};  // domain, version
  bool has_graph = true;
  GraphSpec graph;
  std::string extra;
};

// Encoders for each message (useful to build hostile files piece by piece).
std::string serialize_tensor(const TensorSpec& t);
std::string serialize_value_info(const ValueInfoSpec& v);
std::string serialize_attribute(const std::string& name, const Attribute& a);
std::string serialize_node(const NodeSpec& n);
std::string serialize_graph(const GraphSpec& g);
std::string serialize_model(const ModelSpec& m);

// serialize_model + write_file_atomic.
void write_model(const std::string& path, const ModelSpec& m);

}  // namespace facet::loaders
