#include "loaders/tensor_io.h"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <new>
#include <vector>

#include "engine/status.h"
#include "loaders/onnx_writer.h"
#include "loaders/pb_reader.h"
#include "loaders/tensor_proto.h"

namespace facet::loaders {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Files

std::string read_file_bytes(const std::string& path, uint64_t max_bytes) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) fail(str_cat(path, ": is a directory, not a file"));
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(str_cat(path, ": cannot open (", std::strerror(errno), ")"));
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  if (end < 0) fail(str_cat(path, ": cannot determine the file size"));
  const uint64_t size = static_cast<uint64_t>(end);
  if (size > max_bytes) {
    fail(str_cat(path, ": file is ", size, " bytes, more than the limit of ", max_bytes));
  }
  in.seekg(0, std::ios::beg);
  std::string out;
  try {
    out.resize(static_cast<size_t>(size));
  } catch (const std::bad_alloc&) {
    fail(str_cat(path, ": out of memory reading ", size, " bytes"));
  }
  if (size) in.read(&out[0], static_cast<std::streamsize>(size));
  if (!in || static_cast<uint64_t>(in.gcount()) != size) {
    fail(str_cat(path, ": read error (file changed while reading?)"));
  }
  return out;
}

void write_file_atomic(const std::string& path, const void* data, size_t size) {
  static std::atomic<unsigned> counter{0};
  const std::string tmp = str_cat(path, ".tmp.", static_cast<long>(::getpid()), ".", counter++);
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) fail(str_cat(path, ": cannot create temporary file '", tmp, "' (", std::strerror(errno), ")"));
  bool ok = size == 0 || std::fwrite(data, 1, size, f) == size;
  ok = (std::fflush(f) == 0) && ok;
  ok = (::fsync(::fileno(f)) == 0) && ok;
  const int saved_errno = errno;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    fail(str_cat(path, ": write failed (", std::strerror(saved_errno), ")"));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    fail(str_cat(path, ": cannot rename temporary file into place (", std::strerror(e), ")"));
  }
}

// ---------------------------------------------------------------------------------------------
// TensorProto

Tensor parse_tensor_proto(const uint8_t* data, size_t size, const std::string& where,
                          std::string* name_out) {
  static const uint8_t kEmpty = 0;
  PbSource src;
  src.base = data ? data : &kEmpty;
  src.name = where;
  PbReader r(src, src.base, src.base + (data ? size : 0), "TensorProto",
             tensor_proto_field_name);
  TensorDecodeOptions opt;  // no base_dir: external data is refused
  try {
    return decode_tensor_proto(r, opt, name_out);
  } catch (const std::bad_alloc&) {
    fail(str_cat(where, ": out of memory decoding the tensor"));
  }
}

Tensor read_tensor_pb(const std::string& path, std::string* name_out) {
  std::string bytes = read_file_bytes(path);
  return parse_tensor_proto(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path,
                            name_out);
}

std::string serialize_tensor_proto(const Tensor& t, const std::string& name) {
  FACET_CHECK(t.defined(), "serialize_tensor_proto: undefined tensor");
  return serialize_tensor(tensor_spec(name, t));
}

void write_tensor_pb(const std::string& path, const Tensor& t, const std::string& name) {
  std::string bytes = serialize_tensor_proto(t, name);
  write_file_atomic(path, bytes.data(), bytes.size());
}

// ---------------------------------------------------------------------------------------------
// .npy

namespace {

// Minimal parser for the Python dict literal in an .npy header.
class NpyHeader {
 public:
  NpyHeader(const std::string& text, const std::string& path) : s_(text), path_(path) {}

  void parse(std::string* descr, bool* fortran, Shape* shape) {
    bool got_descr = false, got_fortran = false, got_shape = false;
    skip_ws();
    expect('{');
    while (true) {
      skip_ws();
      if (peek() == '}') break;
      const std::string key = quoted();
      skip_ws();
      expect(':');
      skip_ws();
      if (key == "descr") {
        *descr = quoted();
        got_descr = true;
      } else if (key == "fortran_order") {
        *fortran = word() == "True";
        got_fortran = true;
      } else if (key == "shape") {
        *shape = tuple();
        got_shape = true;
      } else {
        bad(str_cat("unexpected key '", key, "'"));
      }
      skip_ws();
      if (peek() == ',') ++i_;
    }
    if (!got_descr || !got_fortran || !got_shape) bad("missing descr, fortran_order or shape");
  }

 private:
  [[noreturn]] void bad(const std::string& msg) const {
    fail(str_cat(path_, ": bad .npy header at character ", i_, ": ", msg));
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n')) ++i_;
  }
  void expect(char c) {
    if (peek() != c) bad(str_cat("expected '", c, "'"));
    ++i_;
  }
  std::string quoted() {
    const char q = peek();
    if (q != '\'' && q != '"') bad("expected a quoted string");
    const size_t close = s_.find(q, i_ + 1);
    if (close == std::string::npos) bad("unterminated string");
    std::string out = s_.substr(i_ + 1, close - i_ - 1);
    i_ = close + 1;
    return out;
  }
  std::string word() {
    size_t b = i_;
    while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) ++i_;
    std::string w = s_.substr(b, i_ - b);
    if (w != "True" && w != "False") bad("expected True or False");
    return w;
  }
  Shape tuple() {
    Shape out;
    expect('(');
    while (true) {
      skip_ws();
      if (peek() == ')') {
        ++i_;
        return out;
      }
      if (!std::isdigit(static_cast<unsigned char>(peek()))) bad("expected a dimension");
      int64_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        const int64_t d = s_[i_++] - '0';
        if (v > (std::numeric_limits<int64_t>::max() - d) / 10) bad("dimension too large");
        v = v * 10 + d;
      }
      if (out.size() >= 32) bad("more than 32 dimensions");
      out.push_back(v);
      skip_ws();
      if (peek() == ',') ++i_;
    }
  }

  const std::string& s_;
  const std::string& path_;
  size_t i_ = 0;
};

}  // namespace

Tensor read_npy(const std::string& path) {
  const std::string bytes = read_file_bytes(path);
  return parse_npy(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path);
}

Tensor parse_npy(const uint8_t* data, size_t size, const std::string& path) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const auto* p = data;
  const size_t n = size;
  if (n < 10 || std::memcmp(p, "\x93NUMPY", 6) != 0) fail(str_cat(path, ": not an .npy file"));
  const int major = p[6];
  size_t header_len, header_start;
  if (major == 1) {
    header_len = size_t(p[8]) | size_t(p[9]) << 8;
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (n < 12) fail(str_cat(path, ": truncated .npy header"));
    header_len = size_t(p[8]) | size_t(p[9]) << 8 | size_t(p[10]) << 16 | size_t(p[11]) << 24;
    header_start = 12;
  } else {
    fail(str_cat(path, ": unsupported .npy version ", major));
  }
  if (header_len > n - header_start) fail(str_cat(path, ": truncated .npy header"));
  const std::string header = bytes.substr(header_start, header_len);
  std::string descr;
  bool fortran = false;
  Shape shape;
  NpyHeader(header, path).parse(&descr, &fortran, &shape);
  if (fortran) fail(str_cat(path, ": Fortran-order .npy arrays are not supported"));
  // '<' little-endian, '|' not applicable, '=' native (little-endian hosts only).
  if (descr.size() < 3 || (descr[0] != '<' && descr[0] != '|' && descr[0] != '=')) {
    fail(str_cat(path, ": unsupported .npy dtype '", descr, "' (big-endian or unknown)"));
  }
  const std::string kind = descr.substr(1);
  int64_t onnx_type = 0;
  if (kind == "f4") onnx_type = 1;
  else if (kind == "f8") onnx_type = 11;
  else if (kind == "i8") onnx_type = 7;
  else if (kind == "i4") onnx_type = 6;
  else if (kind == "u1") onnx_type = 2;
  else if (kind == "i1") onnx_type = 3;
  else if (kind == "b1") onnx_type = 9;
  else if (kind == "f2") onnx_type = 10;
  else fail(str_cat(path, ": unsupported .npy dtype '", descr, "'"));

  int64_t numel = 1;
  for (int64_t d : shape) {
    if (d != 0 && numel > std::numeric_limits<int64_t>::max() / d) {
      fail(str_cat(path, ": .npy shape ", shape_str(shape), " overflows int64"));
    }
    numel *= d;
  }
  const size_t data_start = header_start + header_len;
  const uint64_t have = n - data_start;
  const size_t esize = onnx_type == 1 || onnx_type == 6 ? 4 : onnx_type == 7 || onnx_type == 11 ? 8
                       : onnx_type == 10 ? 2 : 1;
  if (static_cast<uint64_t>(numel) > std::numeric_limits<uint64_t>::max() / esize ||
      have != static_cast<uint64_t>(numel) * esize) {
    fail(str_cat(path, ": .npy data has ", have, " bytes, expected ", numel, " x ", esize,
                 " for shape ", shape_str(shape)));
  }
  // Reuse the TensorProto conversion: wrap the payload as raw_data.
  TensorSpec spec;
  spec.data_type = static_cast<int32_t>(onnx_type);
  spec.dims = shape;
  spec.has_raw_data = true;
  spec.raw_data = bytes.substr(data_start);
  const std::string pb = serialize_tensor(spec);
  return parse_tensor_proto(reinterpret_cast<const uint8_t*>(pb.data()), pb.size(), path);
}

void write_npy(const std::string& path, const Tensor& t) {
  const char* descr = nullptr;
  if (t.dtype() == DType::kF32) descr = "<f4";
  else if (t.dtype() == DType::kI64) descr = "<i8";
  else fail(str_cat(path, ": write_npy supports float32 and int64, not ", dtype_name(t.dtype())));
  std::string shape = "(";
  for (size_t i = 0; i < t.shape().size(); ++i) {
    shape += std::to_string(t.shape()[i]);
    shape += (t.shape().size() == 1) ? "," : (i + 1 < t.shape().size() ? ", " : "");
  }
  shape += ")";
  std::string header =
      str_cat("{'descr': '", descr, "', 'fortran_order': False, 'shape': ", shape, ", }");
  // Pad with spaces so that magic + version + length + header is a multiple of 64, ending in \n.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  FACET_CHECK(header.size() <= 65535, path, ": .npy header too long");
  std::string out = "\x93NUMPY";
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  if (t.nbytes()) out.append(static_cast<const char*>(t.raw()), t.nbytes());
  write_file_atomic(path, out.data(), out.size());
}

// ---------------------------------------------------------------------------------------------
// Raw float32

Tensor read_raw_f32(const std::string& path, const Shape& shape) {
  const int64_t numel = shape_numel(shape);
  const std::string bytes = read_file_bytes(path);
  if (static_cast<uint64_t>(bytes.size()) != static_cast<uint64_t>(numel) * 4) {
    fail(str_cat(path, ": file has ", bytes.size(), " bytes, expected ", numel, " float32 (",
                 static_cast<uint64_t>(numel) * 4, " bytes) for shape ", shape_str(shape)));
  }
  Tensor t = Tensor::empty(DType::kF32, shape);
  if (!bytes.empty()) std::memcpy(t.raw(), bytes.data(), bytes.size());
  return t;
}

void write_raw_f32(const std::string& path, const Tensor& t) {
  FACET_CHECK(t.dtype() == DType::kF32, path, ": write_raw_f32 needs float32, got ",
              dtype_name(t.dtype()));
  write_file_atomic(path, t.raw(), t.nbytes());
}

Tensor read_tensor_file(const std::string& path, const Shape* shape) {
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".pb") return read_tensor_pb(path);
  if (ext == ".npy") return read_npy(path);
  if (ext == ".f32" || ext == ".bin" || ext == ".raw") {
    if (!shape) fail(str_cat(path, ": raw float32 file needs a shape"));
    return read_raw_f32(path, *shape);
  }
  fail(str_cat(path, ": unknown tensor file extension '", ext, "' (expected .pb, .npy, .f32)"));
}

}  // namespace facet::loaders
