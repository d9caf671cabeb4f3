// A bounds-checked reader for the protobuf wire format (no schema, no code generation).
//
// PbReader walks the fields of one message held in a byte span [begin, end) that the caller
// has read (or mapped) whole. It never reads outside the span: a nested message gets a
// sub-reader whose end is the declared length, checked against what remains of the parent.
//
// Rules it enforces (see STYLE.md section 7):
//  - a varint is at most 10 bytes and the 10th byte may carry only 1 bit;
//  - lengths are compared with the remaining byte count in 64 bits before any pointer math;
//  - wire types 0 (varint), 1 (fixed64), 2 (length-delimited) and 5 (fixed32) are accepted,
//    groups (3, 4) and the undefined types 6, 7 are rejected; field number 0 is rejected;
//  - packed repeated fixed-size fields must have a length that is a multiple of the element size;
//  - sub-readers nest at most PbSource::max_depth deep;
//  - nothing is allocated from a declared count: repeated values are appended one by one as
//    their bytes are decoded, and strings are copied only after their length was checked.
//
// Every error is a facet::Error of the form
//   "<source> @0x1a2f: <label> field 9 (raw_data): declares 1048576 bytes, 812 remain"
// where the offset is the absolute position (from PbSource::base) of the offending bytes, the
// label names the message being read ("TensorProto 'conv1.weight'") and the field number and
// name are those of the field being read.
//
// Usage:
//   PbSource src{data, "model.onnx", 32};
//   PbReader r(src, data, data + size, "ModelProto", model_field_name);
//   while (r.next()) {
//     switch (r.field()) {
//       case 1: ir_version = r.as_int64(); break;
//       case 7: { PbReader g = r.sub_reader("GraphProto", graph_field_name); ... } break;
//       default: break;  // unknown fields were already skipped by next()
//     }
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace facet::loaders {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLen = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

const char* wire_type_name(WireType w);

// Maps a field number of one message type to its name ("raw_data"), or nullptr if unknown.
using PbFieldNameFn = const char* (*)(uint32_t field);

// What all readers over one buffer share. Must outlive every reader that refers to it.
struct PbSource {
  const uint8_t* base = nullptr;  // offsets in messages are relative to this
  std::string name;               // file name (or other description) used in messages
  int max_depth = 32;             // deepest allowed nesting of sub-readers (root = depth 0)
};

class PbReader {
 public:
  // Reads the message in [begin, end), which must lie inside the source's buffer.
  PbReader(const PbSource& src, const uint8_t* begin, const uint8_t* end, std::string label,
           PbFieldNameFn names = nullptr, int depth = 0);

  // Advances to the next field and consumes its value (so unknown fields need no action).
  // Returns false at the end of the message. Throws on malformed data.
  bool next();

  // The current field (valid after next() returned true).
  uint32_t field() const { return field_; }
  WireType wire() const { return wire_; }
  size_t field_offset() const { return tag_off_; }  // absolute offset of the field's tag

  // Scalar accessors. Each checks the wire type first ("field 3 (i) has wire type 2 (len),
  // expected 0 (varint)").
  uint64_t as_uint64() const;  // varint
  int64_t as_int64() const;    // varint, two's complement
  int32_t as_int32() const;    // varint truncated to 32 bits (protobuf int32 semantics)
  bool as_bool() const;        // varint != 0
  uint32_t as_fixed32() const;
  uint64_t as_fixed64() const;
  float as_float() const;    // fixed32
  double as_double() const;  // fixed64
  // Length-delimited payload.
  const uint8_t* bytes_data() const;
  size_t bytes_size() const;
  std::string as_string() const;
  // A reader for an embedded message, one level deeper. Throws past the depth limit.
  PbReader sub_reader(std::string label, PbFieldNameFn names = nullptr) const;

  // Repeated scalar fields, packed (one length-delimited field) or unpacked (one field per
  // value): each call appends the value(s) carried by the current field.
  void append_int64s(std::vector<int64_t>& out) const;    // int64 / int32 / enum fields
  void append_uint64s(std::vector<uint64_t>& out) const;  // uint64 fields
  void append_int32s(std::vector<int32_t>& out) const;    // int32 fields
  void append_floats(std::vector<float>& out) const;      // float (fixed32) fields
  void append_doubles(std::vector<double>& out) const;    // double (fixed64) fields

  // Changes the label used in messages, e.g. once a TensorProto's name is known.
  void set_label(std::string label) { label_ = std::move(label); }
  const std::string& label() const { return label_; }
  int depth() const { return depth_; }
  const PbSource& source() const { return *src_; }
  size_t offset() const { return static_cast<size_t>(pos_ - src_->base); }
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }

  // Throws facet::Error with this reader's context: at the current field if there is one.
  [[noreturn]] void fail(const std::string& msg) const;
  // Same, at an explicit absolute offset, without a field.
  [[noreturn]] void fail_at(size_t offset, const std::string& msg) const;

 private:
  uint64_t read_varint(const uint8_t*& p, const uint8_t* end) const;
  void expect_wire(WireType w) const;
  std::string context(size_t offset, bool with_field) const;

  const PbSource* src_;
  const uint8_t* pos_;
  const uint8_t* end_;
  std::string label_;
  PbFieldNameFn names_;
  int depth_;

  // Current field.
  bool has_field_ = false;
  uint32_t field_ = 0;
  WireType wire_ = WireType::kVarint;
  size_t tag_off_ = 0;
  size_t value_off_ = 0;
  uint64_t scalar_ = 0;  // varint / fixed value
  const uint8_t* len_data_ = nullptr;
  size_t len_size_ = 0;
};

}  // namespace facet::loaders
