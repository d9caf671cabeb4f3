#include "loaders/tensor_proto.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <system_error>
#include <vector>

#include "engine/status.h"

namespace facet::loaders {

namespace fs = std::filesystem;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "facet's tensor decoding assumes a little-endian host (protobuf/raw_data are little-endian)"
#endif

DType runtime_dtype(int64_t t) {
  switch (t) {
    case 1:   // FLOAT
    case 2:   // UINT8
    case 3:   // INT8
    case 9:   // BOOL
    case 10:  // FLOAT16
    case 11:  // DOUBLE
      return DType::kF32;
    case 6:  // INT32
    case 7:  // INT64
      return DType::kI64;
    default:
      return DType::kUndefined;
  }
}

std::string onnx_dtype_name(int64_t t) {
  static const char* const names[] = {"undefined", "float",  "uint8",   "int8",      "uint16",
                                      "int16",     "int32",  "int64",   "string",    "bool",
                                      "float16",   "double", "uint32",  "uint64",    "complex64",
                                      "complex128", "bfloat16"};
  if (t >= 0 && t < static_cast<int64_t>(sizeof(names) / sizeof(names[0]))) return names[t];
  return str_cat("type ", t);
}

const char* tensor_proto_field_name(uint32_t f) {
  switch (f) {
    case 1: return "dims";
    case 2: return "data_type";
    case 3: return "segment";
    case 4: return "float_data";
    case 5: return "int32_data";
    case 6: return "string_data";
    case 7: return "int64_data";
    case 8: return "name";
    case 9: return "raw_data";
    case 10: return "double_data";
    case 11: return "uint64_data";
    case 12: return "doc_string";
    case 13: return "external_data";
    case 14: return "data_location";
    default: return nullptr;
  }
}

namespace {

const char* entry_field_name(uint32_t f) {
  return f == 1 ? "key" : f == 2 ? "value" : nullptr;
}

// Bytes per element as stored in raw_data / external data, for the types we convert.
size_t stored_size(int64_t t) {
  switch (t) {
    case 1: case 6: return 4;
    case 2: case 3: case 9: return 1;
    case 7: case 11: return 8;
    case 10: return 2;
    default: return 0;
  }
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3ff;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Converts n stored elements of ONNX type t at `src` (little-endian) into `dst_raw`, n elements
// of the runtime type.
void convert_raw(int64_t t, const uint8_t* src, int64_t n, void* dst_raw) {
  const size_t count = static_cast<size_t>(n);
  switch (t) {
    case 1:
    case 7:
      if (count) std::memcpy(dst_raw, src, count * stored_size(t));
      return;
    case 6: {
      int64_t* out = static_cast<int64_t*>(dst_raw);
      for (size_t i = 0; i < count; ++i) {
        int32_t v;
        std::memcpy(&v, src + 4 * i, 4);
        out[i] = v;
      }
      return;
    }
    case 2:
    case 9: {
      float* out = static_cast<float*>(dst_raw);
      for (size_t i = 0; i < count; ++i) out[i] = (t == 9) ? (src[i] != 0 ? 1.f : 0.f) : src[i];
      return;
    }
    case 3: {
      float* out = static_cast<float*>(dst_raw);
      for (size_t i = 0; i < count; ++i) out[i] = static_cast<int8_t>(src[i]);
      return;
    }
    case 10: {
      float* out = static_cast<float*>(dst_raw);
      for (size_t i = 0; i < count; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        out[i] = half_to_float(h);
      }
      return;
    }
    case 11: {
      float* out = static_cast<float*>(dst_raw);
      for (size_t i = 0; i < count; ++i) {
        double d;
        std::memcpy(&d, src + 8 * i, 8);
        out[i] = static_cast<float>(d);
      }
      return;
    }
    default:
      fail("internal: convert_raw on unsupported type");
  }
}

// convert_raw over the whole tensor, in steps of about 1 MiB of source bytes, reporting each
// converted span to opt.consumed (a mapped model file drops those pages as it goes, so a large
// tensor is not resident twice).
void convert_raw_streaming(int64_t t, const uint8_t* src, int64_t n, Tensor& dst,
                           const TensorDecodeOptions& opt) {
  const int64_t in_size = static_cast<int64_t>(stored_size(t));
  const int64_t out_size = static_cast<int64_t>(dtype_size(dst.dtype()));
  const int64_t step = opt.consumed ? std::max<int64_t>(1, (int64_t(1) << 20) / in_size) : n;
  for (int64_t i = 0; i < n; i += step) {
    const int64_t count = std::min(step, n - i);
    convert_raw(t, src + i * in_size, count, static_cast<uint8_t*>(dst.raw()) + i * out_size);
    if (opt.consumed) opt.consumed(src + i * in_size, static_cast<size_t>(count * in_size));
  }
}

// Converts int32_data values (which hold int32, uint8, int8, bool and float16 bits).
void convert_int32_data(int64_t t, const std::vector<int32_t>& v, Tensor& dst) {
  const size_t n = v.size();
  if (t == 6) {
    int64_t* out = dst.data<int64_t>();
    for (size_t i = 0; i < n; ++i) out[i] = v[i];
    return;
  }
  float* out = dst.data<float>();
  for (size_t i = 0; i < n; ++i) {
    switch (t) {
      case 2: out[i] = static_cast<float>(static_cast<uint8_t>(v[i])); break;
      case 3: out[i] = static_cast<float>(static_cast<int8_t>(v[i])); break;
      case 9: out[i] = v[i] != 0 ? 1.f : 0.f; break;
      case 10: out[i] = half_to_float(static_cast<uint16_t>(v[i])); break;
      default: fail("internal: int32_data for unsupported type");
    }
  }
}

bool parse_u64(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

// Resolves an external-data location strictly inside base_dir and reads [offset, offset+length)
// (which must be expected_bytes long) into the buffer alloc(expected_bytes) returns, called only
// once the file and the range are known to be good.
template <class Alloc>
void read_external(const PbReader& r, size_t at, const std::string& base_dir,
                   const std::string& location, const std::string* offset_str,
                   const std::string* length_str, uint64_t expected_bytes, Alloc alloc) {
  if (base_dir.empty()) r.fail_at(at, "external data is not allowed here (no model folder)");
  if (location.empty()) r.fail_at(at, "external data has no 'location'");
  if (location.find('\0') != std::string::npos) r.fail_at(at, "external data location has a NUL");
  if (location[0] == '/' || location[0] == '\\' || location.find(':') != std::string::npos) {
    r.fail_at(at, str_cat("external data location '", location, "' is not a relative path"));
  }
  for (const fs::path& part : fs::path(location)) {
    if (part == "..") {
      r.fail_at(at, str_cat("external data location '", location, "' contains '..'"));
    }
  }
  if (location.find('\\') != std::string::npos) {
    r.fail_at(at, str_cat("external data location '", location, "' contains a backslash"));
  }
  std::error_code ec;
  const fs::path base = fs::canonical(fs::path(base_dir), ec);
  if (ec) r.fail_at(at, str_cat("model folder '", base_dir, "': ", ec.message()));
  const fs::path full = fs::canonical(base / location, ec);
  if (ec) r.fail_at(at, str_cat("external data file '", location, "': ", ec.message()));
  // The resolved path (symlinks followed) must still be inside the model folder.
  auto bi = base.begin(), fi = full.begin();
  for (; bi != base.end(); ++bi, ++fi) {
    if (fi == full.end() || *fi != *bi) {
      r.fail_at(at, str_cat("external data file '", location, "' resolves to '", full.string(),
                            "', outside the model folder"));
    }
  }
  if (!fs::is_regular_file(full, ec)) {
    r.fail_at(at, str_cat("external data file '", location, "' is not a regular file"));
  }
  const uint64_t file_size = fs::file_size(full, ec);
  if (ec) r.fail_at(at, str_cat("external data file '", location, "': ", ec.message()));
  uint64_t offset = 0, length = 0;
  if (offset_str && !parse_u64(*offset_str, &offset)) {
    r.fail_at(at, str_cat("external data offset '", *offset_str, "' is not a number"));
  }
  if (offset > file_size) {
    r.fail_at(at, str_cat("external data offset ", offset, " is past the end of '", location,
                          "' (", file_size, " bytes)"));
  }
  if (length_str) {
    if (!parse_u64(*length_str, &length)) {
      r.fail_at(at, str_cat("external data length '", *length_str, "' is not a number"));
    }
    if (length > file_size - offset) {
      r.fail_at(at, str_cat("external data [", offset, ", +", length, ") is past the end of '",
                            location, "' (", file_size, " bytes)"));
    }
  } else {
    length = file_size - offset;
  }
  if (length != expected_bytes) {
    r.fail_at(at, str_cat("external data has ", length, " bytes, expected ", expected_bytes));
  }
  std::ifstream in(full, std::ios::binary);
  if (!in) r.fail_at(at, str_cat("cannot open external data file '", location, "'"));
  char* buf = static_cast<char*>(alloc(static_cast<size_t>(length)));
  in.seekg(static_cast<std::streamoff>(offset));
  if (length) in.read(buf, static_cast<std::streamsize>(length));
  if (!in) r.fail_at(at, str_cat("cannot read external data from '", location, "'"));
}

}  // namespace

Tensor decode_tensor_proto(PbReader& r, const TensorDecodeOptions& opt, std::string* name_out) {
  const size_t start = r.offset();
  Shape dims;
  int64_t data_type = 0;
  bool has_data_type = false;
  std::string name;
  const uint8_t* raw = nullptr;
  size_t raw_size = 0;
  bool has_raw = false;
  size_t raw_off = start;
  std::vector<float> float_data;
  std::vector<int32_t> int32_data;
  std::vector<int64_t> int64_data;
  std::vector<double> double_data;
  std::vector<uint64_t> uint64_data;
  size_t string_count = 0;
  int64_t data_location = 0;
  std::vector<std::pair<std::string, std::string>> external;
  size_t ext_off = start;

  r.set_label("TensorProto");
  while (r.next()) {
    switch (r.field()) {
      case 1:
        r.append_int64s(dims);
        if (dims.size() > static_cast<size_t>(opt.limits.max_rank)) {
          r.fail(str_cat("rank exceeds the limit of ", opt.limits.max_rank));
        }
        break;
      case 2: data_type = r.as_int64(); has_data_type = true; break;
      case 3: r.fail("segmented tensors are not supported");
      case 4: r.append_floats(float_data); break;
      case 5: r.append_int32s(int32_data); break;
      case 6: r.as_string(); ++string_count; break;
      case 7: r.append_int64s(int64_data); break;
      case 8:
        name = r.as_string();
        r.set_label(str_cat("TensorProto '", name, "'"));
        break;
      case 9:
        raw = r.bytes_data();
        raw_size = r.bytes_size();
        has_raw = true;
        raw_off = r.field_offset();
        break;
      case 10: r.append_doubles(double_data); break;
      case 11: r.append_uint64s(uint64_data); break;
      case 13: {
        PbReader e = r.sub_reader("StringStringEntryProto", entry_field_name);
        std::pair<std::string, std::string> kv;
        while (e.next()) {
          if (e.field() == 1) kv.first = e.as_string();
          if (e.field() == 2) kv.second = e.as_string();
        }
        external.push_back(std::move(kv));
        ext_off = r.field_offset();
        break;
      }
      case 14: data_location = r.as_int64(); break;
      default: break;
    }
  }
  if (name_out) *name_out = name;

  if (!has_data_type) r.fail_at(start, "has no data_type");
  const DType out_type = runtime_dtype(data_type);
  if (out_type == DType::kUndefined) {
    r.fail_at(start, str_cat("has unsupported data type ", onnx_dtype_name(data_type)));
  }
  int64_t numel = 1;
  for (int64_t d : dims) {
    if (d < 0) r.fail_at(start, str_cat("has negative dimension ", d, " in ", shape_str(dims)));
    if (d != 0 && numel > std::numeric_limits<int64_t>::max() / d) {
      r.fail_at(start, str_cat("element count of ", shape_str(dims), " overflows int64"));
    }
    numel *= d;
  }
  if (numel > opt.limits.max_tensor_elements) {
    r.fail_at(start, str_cat("has ", numel, " elements (shape ", shape_str(dims),
                             "), more than the limit of ", opt.limits.max_tensor_elements));
  }
  const uint64_t expected_bytes = static_cast<uint64_t>(numel) * stored_size(data_type);

  // Which typed field should carry the values for this data type.
  size_t typed_fields = (float_data.empty() ? 0 : 1) + (int32_data.empty() ? 0 : 1) +
                        (int64_data.empty() ? 0 : 1) + (double_data.empty() ? 0 : 1) +
                        (uint64_data.empty() ? 0 : 1) + (string_count ? 1 : 0);
  size_t typed_count = 0;
  const char* expected_field = "";
  switch (data_type) {
    case 1: typed_count = float_data.size(); expected_field = "float_data"; break;
    case 7: typed_count = int64_data.size(); expected_field = "int64_data"; break;
    case 11: typed_count = double_data.size(); expected_field = "double_data"; break;
    default: typed_count = int32_data.size(); expected_field = "int32_data"; break;
  }
  if (typed_fields > 1 || (typed_fields == 1 && typed_count == 0)) {
    r.fail_at(start, str_cat("carries typed data in fields other than ", expected_field,
                             " for data type ", onnx_dtype_name(data_type)));
  }

  // The output is allocated only after the bytes for it are known to exist.
  Tensor out;
  const bool external_loc = data_location == 1;
  if (data_location != 0 && data_location != 1) {
    r.fail_at(start, str_cat("has unknown data_location ", data_location));
  }
  if (external_loc) {
    if (has_raw || typed_fields) {
      r.fail_at(ext_off, "has both external data and inline data");
    }
    const std::string* location = nullptr;
    const std::string* offset = nullptr;
    const std::string* length = nullptr;
    for (const auto& kv : external) {
      if (kv.first == "location") location = &kv.second;
      if (kv.first == "offset") offset = &kv.second;
      if (kv.first == "length") length = &kv.second;
    }
    if (!location) r.fail_at(ext_off, "external data has no 'location' entry");
    if (data_type == 1 || data_type == 7) {
      // Stored as the runtime type: read straight into the tensor (no second copy).
      read_external(r, ext_off, opt.base_dir, *location, offset, length, expected_bytes,
                    [&](size_t) {
                      out = Tensor::empty(out_type, dims);
                      return out.raw();
                    });
    } else {
      std::string bytes;
      read_external(r, ext_off, opt.base_dir, *location, offset, length, expected_bytes,
                    [&](size_t n) {
                      bytes.assign(n, '\0');
                      return static_cast<void*>(&bytes[0]);
                    });
      out = Tensor::empty(out_type, dims);
      convert_raw(data_type, reinterpret_cast<const uint8_t*>(bytes.data()), numel, out.raw());
    }
  } else if (has_raw) {
    if (typed_fields) r.fail_at(raw_off, "has both raw_data and typed data fields");
    if (static_cast<uint64_t>(raw_size) != expected_bytes) {
      r.fail_at(raw_off, str_cat("raw_data has ", raw_size, " bytes, expected ", expected_bytes,
                                 " for ", onnx_dtype_name(data_type), " ", shape_str(dims)));
    }
    out = Tensor::empty(out_type, dims);
    convert_raw_streaming(data_type, raw, numel, out, opt);
  } else {
    if (static_cast<uint64_t>(typed_count) != static_cast<uint64_t>(numel)) {
      r.fail_at(start, str_cat(expected_field, " has ", typed_count, " values, expected ", numel,
                               " for shape ", shape_str(dims)));
    }
    out = Tensor::empty(out_type, dims);
    switch (data_type) {
      case 1:
        if (numel) std::memcpy(out.raw(), float_data.data(), float_data.size() * 4);
        break;
      case 7:
        if (numel) std::memcpy(out.raw(), int64_data.data(), int64_data.size() * 8);
        break;
      case 11: {
        float* o = out.data<float>();
        for (size_t i = 0; i < double_data.size(); ++i) o[i] = static_cast<float>(double_data[i]);
        break;
      }
      default:
        convert_int32_data(data_type, int32_data, out);
        break;
    }
  }
  return out;
}

}  // namespace facet::loaders
