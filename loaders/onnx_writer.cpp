#include "loaders/onnx_writer.h"

#include <cstring>

#include "engine/status.h"
#include "loaders/tensor_io.h"

namespace facet::loaders {

// ---------------------------------------------------------------------------------------------
// PbWriter

void PbWriter::raw(const void* data, size_t size) {
  if (size) buf_.append(static_cast<const char*>(data), size);
}

void PbWriter::varint(uint64_t v) {
  while (v >= 0x80) {
    buf_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  buf_.push_back(static_cast<char>(v));
}

void PbWriter::tag(uint32_t field, int wire_type) {
  varint((uint64_t(field) << 3) | static_cast<uint64_t>(wire_type & 7));
}

void PbWriter::field_varint(uint32_t field, uint64_t v) {
  tag(field, 0);
  varint(v);
}

void PbWriter::field_fixed32(uint32_t field, uint32_t v) {
  tag(field, 5);
  for (int i = 0; i < 4; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PbWriter::field_fixed64(uint32_t field, uint64_t v) {
  tag(field, 1);
  for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PbWriter::field_float(uint32_t field, float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  field_fixed32(field, bits);
}

void PbWriter::field_double(uint32_t field, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  field_fixed64(field, bits);
}

void PbWriter::field_bytes(uint32_t field, const void* data, size_t size) {
  tag(field, 2);
  varint(size);
  raw(data, size);
}

void PbWriter::repeated_int64(uint32_t field, const std::vector<int64_t>& v, bool packed) {
  if (v.empty()) return;
  if (!packed) {
    for (int64_t x : v) field_int64(field, x);
    return;
  }
  PbWriter body;
  for (int64_t x : v) body.varint(static_cast<uint64_t>(x));
  field_message(field, body);
}

void PbWriter::repeated_int32(uint32_t field, const std::vector<int32_t>& v, bool packed) {
  // int32 values are sign-extended to 64 bits on the wire (negative = 10 bytes).
  std::vector<int64_t> wide(v.begin(), v.end());
  repeated_int64(field, wide, packed);
}

void PbWriter::repeated_uint64(uint32_t field, const std::vector<uint64_t>& v, bool packed) {
  if (v.empty()) return;
  if (!packed) {
    for (uint64_t x : v) field_varint(field, x);
    return;
  }
  PbWriter body;
  for (uint64_t x : v) body.varint(x);
  field_message(field, body);
}

void PbWriter::repeated_float(uint32_t field, const std::vector<float>& v, bool packed) {
  if (v.empty()) return;
  if (!packed) {
    for (float x : v) field_float(field, x);
    return;
  }
  tag(field, 2);
  varint(v.size() * 4);
  for (float x : v) {
    uint32_t bits;
    std::memcpy(&bits, &x, 4);
    for (int i = 0; i < 4; ++i) buf_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }
}

void PbWriter::repeated_double(uint32_t field, const std::vector<double>& v, bool packed) {
  if (v.empty()) return;
  if (!packed) {
    for (double x : v) field_double(field, x);
    return;
  }
  tag(field, 2);
  varint(v.size() * 8);
  for (double x : v) {
    uint64_t bits;
    std::memcpy(&bits, &x, 8);
    for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }
}

// ---------------------------------------------------------------------------------------------
// Specs

TensorSpec tensor_spec(const std::string& name, const Tensor& t) {
  TensorSpec s;
  s.name = name;
  s.data_type = static_cast<int32_t>(t.dtype());
  s.dims = t.shape();
  s.has_raw_data = true;
  if (t.nbytes()) s.raw_data.assign(static_cast<const char*>(t.raw()), t.nbytes());
  return s;
}

ValueInfoSpec value_info(const std::string& name, DType dtype, std::vector<int64_t> dims) {
  ValueInfoSpec v;
  v.name = name;
  v.elem_type = static_cast<int32_t>(dtype);
  v.dims = std::move(dims);
  return v;
}

NodeSpec node_spec(const std::string& op_type, std::vector<std::string> inputs,
                   std::vector<std::string> outputs, Attributes attrs, const std::string& name) {
  NodeSpec n;
  n.op_type = op_type;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  n.attrs = std::move(attrs);
  n.name = name;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Message encoders

std::string serialize_tensor(const TensorSpec& t) {
  PbWriter w;
  w.repeated_int64(1, t.dims, t.packed_dims);
  w.field_int64(2, t.data_type);
  w.repeated_float(4, t.float_data, t.packed);
  w.repeated_int32(5, t.int32_data, t.packed);
  for (const std::string& s : t.string_data) w.field_string(6, s);
  w.repeated_int64(7, t.int64_data, t.packed);
  if (!t.name.empty()) w.field_string(8, t.name);
  if (t.has_raw_data) w.field_string(9, t.raw_data);
  w.repeated_double(10, t.double_data, t.packed);
  w.repeated_uint64(11, t.uint64_data, t.packed);
  for (const auto& kv : t.external_data) {
    PbWriter entry;
    entry.field_string(1, kv.first);
    entry.field_string(2, kv.second);
    w.field_message(13, entry);
  }
  if (t.data_location != 0) w.field_int64(14, t.data_location);
  w.raw(t.extra);
  return w.take();
}

std::string serialize_value_info(const ValueInfoSpec& v) {
  PbWriter w;
  w.field_string(1, v.name);
  if (v.has_type) {
    PbWriter tensor_type;
    tensor_type.field_int64(1, v.elem_type);
    if (v.has_shape) {
      PbWriter shape;
      for (size_t i = 0; i < v.dims.size(); ++i) {
        PbWriter dim;
        if (i < v.dim_params.size() && !v.dim_params[i].empty()) {
          dim.field_string(2, v.dim_params[i]);
        } else {
          dim.field_int64(1, v.dims[i]);
        }
        shape.field_message(1, dim);
      }
      tensor_type.field_message(2, shape);
    }
    PbWriter type;
    type.field_message(1, tensor_type);
    w.field_message(2, type);
  }
  w.raw(v.extra);
  return w.take();
}

std::string serialize_attribute(const std::string& name, const Attribute& a) {
  PbWriter w;
  w.field_string(1, name);
  int32_t type = 0;
  switch (a.kind) {
    case Attribute::Kind::kFloat:
      w.field_float(2, a.f);
      type = 1;
      break;
    case Attribute::Kind::kInt:
      w.field_int64(3, a.i);
      type = 2;
      break;
    case Attribute::Kind::kString:
      w.field_string(4, a.s);
      type = 3;
      break;
    case Attribute::Kind::kTensor:
      w.field_string(5, serialize_tensor(tensor_spec("", a.t)));
      type = 4;
      break;
    case Attribute::Kind::kFloats:
      w.repeated_float(7, a.floats, false);
      type = 6;
      break;
    case Attribute::Kind::kInts:
      w.repeated_int64(8, a.ints, false);
      type = 7;
      break;
    case Attribute::Kind::kStrings:
      for (const std::string& s : a.strings) w.field_string(9, s);
      type = 8;
      break;
    case Attribute::Kind::kGraph:
    case Attribute::Kind::kOther:
      break;
  }
  if (type) w.field_int64(20, type);
  return w.take();
}

std::string serialize_node(const NodeSpec& n) {
  PbWriter w;
  for (const std::string& s : n.inputs) w.field_string(1, s);
  for (const std::string& s : n.outputs) w.field_string(2, s);
  if (!n.name.empty()) w.field_string(3, n.name);
  w.field_string(4, n.op_type);
  for (const auto& kv : n.attrs.all()) {
    if (kv.second.kind == Attribute::Kind::kGraph || kv.second.kind == Attribute::Kind::kOther) {
      continue;
    }
    w.field_string(5, serialize_attribute(kv.first, kv.second));
  }
  for (const RawAttributeSpec& ra : n.raw_attrs) {
    PbWriter a;
    a.field_string(1, ra.name);
    a.raw(ra.extra);
    if (ra.type) a.field_int64(20, ra.type);
    w.field_message(5, a);
  }
  if (!n.domain.empty() || n.write_domain) w.field_string(7, n.domain);
  w.raw(n.extra);
  return w.take();
}

std::string serialize_graph(const GraphSpec& g) {
  PbWriter w;
  for (const NodeSpec& n : g.nodes) w.field_string(1, serialize_node(n));
  if (!g.name.empty()) w.field_string(2, g.name);
  for (const TensorSpec& t : g.initializers) w.field_string(5, serialize_tensor(t));
  for (const ValueInfoSpec& v : g.inputs) w.field_string(11, serialize_value_info(v));
  for (const ValueInfoSpec& v : g.outputs) w.field_string(12, serialize_value_info(v));
  for (const ValueInfoSpec& v : g.value_info) w.field_string(13, serialize_value_info(v));
  w.raw(g.extra);
  return w.take();
}

std::string serialize_model(const ModelSpec& m) {
  PbWriter w;
  w.field_int64(1, m.ir_version);
  if (!m.producer_name.empty()) w.field_string(2, m.producer_name);
  if (!m.producer_version.empty()) w.field_string(3, m.producer_version);
  if (m.has_graph) w.field_string(7, serialize_graph(m.graph));
  for (const auto& op : m.opsets) {
    PbWriter o;
    o.field_string(1, op.first);
    o.field_int64(2, op.second);
    w.field_message(8, o);
  }
  w.raw(m.extra);
  return w.take();
}

void write_model(const std::string& path, const ModelSpec& m) {
  std::string bytes = serialize_model(m);
  write_file_atomic(path, bytes.data(), bytes.size());
}

}  // namespace facet::loaders
