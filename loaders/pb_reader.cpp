#include "loaders/pb_reader.h"

#include <cstdio>
#include <cstring>

#include "engine/status.h"

namespace facet::loaders {

namespace {

std::string hex_offset(size_t off) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "@0x%zx", off);
  return buf;
}

uint32_t load_le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

uint64_t load_le64(const uint8_t* p) {
  return uint64_t(load_le32(p)) | uint64_t(load_le32(p + 4)) << 32;
}

constexpr uint32_t kMaxFieldNumber = (1u << 29) - 1;

}  // namespace

const char* wire_type_name(WireType w) {
  switch (w) {
    case WireType::kVarint: return "varint";
    case WireType::kFixed64: return "fixed64";
    case WireType::kLen: return "len";
    case WireType::kStartGroup: return "start-group";
    case WireType::kEndGroup: return "end-group";
    case WireType::kFixed32: return "fixed32";
  }
  return "invalid";
}

PbReader::PbReader(const PbSource& src, const uint8_t* begin, const uint8_t* end,
                   std::string label, PbFieldNameFn names, int depth)
    : src_(&src), pos_(begin), end_(end), label_(std::move(label)), names_(names), depth_(depth) {
  if (depth_ > src_->max_depth) {
    fail_at(offset(), str_cat("messages nested deeper than ", src_->max_depth, " levels"));
  }
}

std::string PbReader::context(size_t off, bool with_field) const {
  std::string s = str_cat(src_->name, " ", hex_offset(off), ": ", label_);
  if (with_field && has_field_) {
    s += str_cat(" field ", field_);
    const char* n = names_ ? names_(field_) : nullptr;
    if (n) s += str_cat(" (", n, ")");
  }
  return s;
}

void PbReader::fail(const std::string& msg) const {
  // "... TensorProto 'w' field 9 (raw_data) declares ..." but "... TensorProto 'w': has no ...".
  facet::fail(str_cat(context(has_field_ ? value_off_ : offset(), true), has_field_ ? " " : ": ",
                      msg));
}

void PbReader::fail_at(size_t off, const std::string& msg) const {
  facet::fail(str_cat(context(off, false), ": ", msg));
}

uint64_t PbReader::read_varint(const uint8_t*& p, const uint8_t* end) const {
  const uint8_t* start = p;
  const size_t start_off = static_cast<size_t>(start - src_->base);
  uint64_t v = 0;
  for (int i = 0; i < 10; ++i) {
    if (p == end) {
      facet::fail(str_cat(context(start_off, has_field_), has_field_ ? " " : ": ",
                          "truncated varint (", i,
                          " bytes, end of message)"));
    }
    const uint8_t b = *p++;
    if (i == 9) {
      if (b & 0x80) {
        facet::fail(str_cat(context(start_off, has_field_), has_field_ ? " " : ": ",
                            "varint longer than 10 bytes"));
      }
      if (b > 1) {
        facet::fail(str_cat(context(start_off, has_field_), has_field_ ? " " : ": ",
                            "varint overflows 64 bits (10th byte carries more than 1 bit)"));
      }
    }
    v |= uint64_t(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) return v;
  }
  return v;  // not reached
}

bool PbReader::next() {
  has_field_ = false;
  if (pos_ == end_) return false;
  tag_off_ = offset();
  const uint64_t tag = read_varint(pos_, end_);
  const uint64_t number = tag >> 3;
  const uint32_t wt = static_cast<uint32_t>(tag & 7);
  if (number == 0 || number > kMaxFieldNumber) {
    fail_at(tag_off_, str_cat("invalid field number ", number));
  }
  field_ = static_cast<uint32_t>(number);
  wire_ = static_cast<WireType>(wt);
  has_field_ = true;
  value_off_ = offset();
  const uint64_t remain = static_cast<uint64_t>(end_ - pos_);
  switch (wt) {
    case 0:
      scalar_ = read_varint(pos_, end_);
      break;
    case 1:
      if (remain < 8) fail(str_cat("fixed64 needs 8 bytes, ", remain, " remain"));
      scalar_ = load_le64(pos_);
      pos_ += 8;
      break;
    case 5:
      if (remain < 4) fail(str_cat("fixed32 needs 4 bytes, ", remain, " remain"));
      scalar_ = load_le32(pos_);
      pos_ += 4;
      break;
    case 2: {
      const uint64_t len = read_varint(pos_, end_);
      const uint64_t left = static_cast<uint64_t>(end_ - pos_);
      if (len > left) fail(str_cat("declares ", len, " bytes, ", left, " remain"));
      len_data_ = pos_;
      len_size_ = static_cast<size_t>(len);
      pos_ += len_size_;
      break;
    }
    case 3:
    case 4:
      value_off_ = tag_off_;
      fail(str_cat("wire type ", wt, " (group) is not supported"));
    default:
      value_off_ = tag_off_;
      fail(str_cat("invalid wire type ", wt));
  }
  return true;
}

void PbReader::expect_wire(WireType w) const {
  if (wire_ != w) {
    fail(str_cat("has wire type ", static_cast<int>(wire_), " (", wire_type_name(wire_),
                 "), expected ", static_cast<int>(w), " (", wire_type_name(w), ")"));
  }
}

uint64_t PbReader::as_uint64() const {
  expect_wire(WireType::kVarint);
  return scalar_;
}

int64_t PbReader::as_int64() const { return static_cast<int64_t>(as_uint64()); }

int32_t PbReader::as_int32() const {
  return static_cast<int32_t>(static_cast<uint32_t>(as_uint64()));
}

bool PbReader::as_bool() const { return as_uint64() != 0; }

uint32_t PbReader::as_fixed32() const {
  expect_wire(WireType::kFixed32);
  return static_cast<uint32_t>(scalar_);
}

uint64_t PbReader::as_fixed64() const {
  expect_wire(WireType::kFixed64);
  return scalar_;
}

float PbReader::as_float() const {
  uint32_t bits = as_fixed32();
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

double PbReader::as_double() const {
  uint64_t bits = as_fixed64();
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}

const uint8_t* PbReader::bytes_data() const {
  expect_wire(WireType::kLen);
  return len_data_;
}

size_t PbReader::bytes_size() const {
  expect_wire(WireType::kLen);
  return len_size_;
}

std::string PbReader::as_string() const {
  expect_wire(WireType::kLen);
  return std::string(reinterpret_cast<const char*>(len_data_), len_size_);
}

PbReader PbReader::sub_reader(std::string label, PbFieldNameFn names) const {
  expect_wire(WireType::kLen);
  if (depth_ + 1 > src_->max_depth) {
    fail(str_cat("messages nested deeper than ", src_->max_depth, " levels"));
  }
  return PbReader(*src_, len_data_, len_data_ + len_size_, std::move(label), names, depth_ + 1);
}

void PbReader::append_int64s(std::vector<int64_t>& out) const {
  if (wire_ == WireType::kLen) {
    const uint8_t* p = len_data_;
    const uint8_t* e = len_data_ + len_size_;
    while (p != e) out.push_back(static_cast<int64_t>(read_varint(p, e)));
    return;
  }
  out.push_back(as_int64());
}

void PbReader::append_uint64s(std::vector<uint64_t>& out) const {
  if (wire_ == WireType::kLen) {
    const uint8_t* p = len_data_;
    const uint8_t* e = len_data_ + len_size_;
    while (p != e) out.push_back(read_varint(p, e));
    return;
  }
  out.push_back(as_uint64());
}

void PbReader::append_int32s(std::vector<int32_t>& out) const {
  if (wire_ == WireType::kLen) {
    const uint8_t* p = len_data_;
    const uint8_t* e = len_data_ + len_size_;
    while (p != e) {
      out.push_back(static_cast<int32_t>(static_cast<uint32_t>(read_varint(p, e))));
    }
    return;
  }
  out.push_back(as_int32());
}

void PbReader::append_floats(std::vector<float>& out) const {
  if (wire_ == WireType::kLen) {
    if (len_size_ % 4 != 0) {
      fail(str_cat("packed float field has ", len_size_, " bytes, not a multiple of 4"));
    }
    const size_t n = len_size_ / 4;
    const size_t old = out.size();
    out.resize(old + n);  // the n * 4 bytes exist, so this is bounded by the input
    if (n) std::memcpy(out.data() + old, len_data_, len_size_);
    return;
  }
  out.push_back(as_float());
}

void PbReader::append_doubles(std::vector<double>& out) const {
  if (wire_ == WireType::kLen) {
    if (len_size_ % 8 != 0) {
      fail(str_cat("packed double field has ", len_size_, " bytes, not a multiple of 8"));
    }
    const size_t n = len_size_ / 8;
    const size_t old = out.size();
    out.resize(old + n);
    if (n) std::memcpy(out.data() + old, len_data_, len_size_);
    return;
  }
  out.push_back(as_double());
}

}  // namespace facet::loaders
