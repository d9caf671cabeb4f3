#include "engine/tensor.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#include "engine/status.h"

// Sanitizer builds keep every buffer on the heap, where AddressSanitizer guards its bounds.
#if defined(__SANITIZE_ADDRESS__)
#define FACET_TENSOR_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FACET_TENSOR_ASAN 1
#endif
#endif
#if defined(__unix__) || defined(__APPLE__)
#define FACET_HAVE_MADVISE 1
#include <sys/mman.h>
#include <unistd.h>
#if !defined(FACET_TENSOR_ASAN)
#define FACET_TENSOR_MMAP 1
#endif
#endif

namespace facet {

#ifdef FACET_TENSOR_MMAP
namespace {
// Buffers from this size on are mapped directly (glibc's initial mmap threshold).
constexpr size_t kMapThreshold = size_t(128) << 10;
}  // namespace
#endif

size_t dtype_size(DType t) {
  switch (t) {
    case DType::kF32: return 4;
    case DType::kU8: return 1;
    case DType::kI8: return 1;
    case DType::kI32: return 4;
    case DType::kI64: return 8;
    case DType::kBool: return 1;
    case DType::kF16: return 2;
    case DType::kF64: return 8;
    default: return 0;
  }
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::kF32: return "float32";
    case DType::kU8: return "uint8";
    case DType::kI8: return "int8";
    case DType::kI32: return "int32";
    case DType::kI64: return "int64";
    case DType::kBool: return "bool";
    case DType::kF16: return "float16";
    case DType::kF64: return "float64";
    default: return "undefined";
  }
}

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) {
    FACET_CHECK(d >= 0, "negative dimension ", d, " in shape ", shape_str(s));
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) {
      fail(str_cat("element count of shape ", shape_str(s), " overflows int64"));
    }
    n *= d;
  }
  return n;
}

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ",";
    out += std::to_string(s[i]);
  }
  return out + "]";
}

std::shared_ptr<void> aligned_alloc_shared(size_t bytes) {
  size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded == 0) rounded = kAlignment;
#ifdef FACET_TENSOR_MMAP
  // Large buffers (weights, arenas) get their own anonymous mapping: it comes zeroed, its pages
  // become resident only when first written (an arena's unused tail costs nothing), and freeing
  // it returns the memory at once. Through malloc, a freed weight would usually stay in the
  // heap (glibc raises its mmap threshold after the first large free), so a graph that swaps
  // weights for packed copies would keep both resident.
  if (rounded >= kMapThreshold) {
    void* m = mmap(nullptr, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) fail(str_cat("out of memory allocating ", bytes, " bytes"));
    return std::shared_ptr<void>(m, [rounded](void* q) { munmap(q, rounded); });
  }
#endif
  void* p = std::aligned_alloc(kAlignment, rounded);
  if (!p) fail(str_cat("out of memory allocating ", bytes, " bytes"));
  std::memset(p, 0, rounded);
  return std::shared_ptr<void>(p, [](void* q) { std::free(q); });
}

void FloatBuffer::zeros(size_t n) {
  FACET_CHECK(n <= std::numeric_limits<size_t>::max() / 8, "buffer of ", n,
              " floats is too large");
  storage_ = n ? aligned_alloc_shared(n * sizeof(float)) : nullptr;
  size_ = n;
}

void discard_pages(const void* data, size_t bytes) {
#ifdef FACET_HAVE_MADVISE
  static const uintptr_t page = [] {
    const long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? static_cast<uintptr_t>(p) : uintptr_t{4096};
  }();
  const uintptr_t p = reinterpret_cast<uintptr_t>(data);
  const uintptr_t begin = (p + page - 1) / page * page;
  const uintptr_t end = (p + bytes) / page * page;
  if (data != nullptr && end > begin)
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
#else
  (void)data;
  (void)bytes;
#endif
}

void discard_tensor_pages(const Tensor& t, size_t bytes) {
#ifdef FACET_TENSOR_MMAP
  const size_t total = static_cast<size_t>(t.numel()) * dtype_size(t.dtype());
  discard_pages(t.raw(), bytes < total ? bytes : total);
#else
  (void)t;
  (void)bytes;
#endif
}

Tensor Tensor::empty(DType dtype, Shape shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.numel_ = shape_numel(shape);
  t.shape_ = std::move(shape);
  size_t es = dtype_size(dtype);
  FACET_CHECK(es != 0, "cannot allocate a tensor of dtype ", dtype_name(dtype));
  FACET_CHECK(static_cast<uint64_t>(t.numel_) <= std::numeric_limits<size_t>::max() / es / 2,
              "tensor of shape ", shape_str(t.shape_), " is too large");
  t.owner_ = aligned_alloc_shared(static_cast<size_t>(t.numel_) * es);
  t.data_ = t.owner_.get();
  return t;
}

Tensor Tensor::view(DType dtype, Shape shape, void* data) {
  Tensor t;
  t.dtype_ = dtype;
  t.numel_ = shape_numel(shape);
  t.shape_ = std::move(shape);
  t.data_ = data;
  return t;
}

Tensor Tensor::from_f32(Shape shape, const std::vector<float>& values) {
  Tensor t = empty(DType::kF32, std::move(shape));
  FACET_CHECK(static_cast<int64_t>(values.size()) == t.numel_, "from_f32: ", values.size(),
              " values for shape ", shape_str(t.shape_));
  if (!values.empty()) std::memcpy(t.data_, values.data(), values.size() * 4);
  return t;
}

Tensor Tensor::from_i64(Shape shape, const std::vector<int64_t>& values) {
  Tensor t = empty(DType::kI64, std::move(shape));
  FACET_CHECK(static_cast<int64_t>(values.size()) == t.numel_, "from_i64: ", values.size(),
              " values for shape ", shape_str(t.shape_));
  if (!values.empty()) std::memcpy(t.data_, values.data(), values.size() * 8);
  return t;
}

Tensor Tensor::scalar_f32(float v) { return from_f32({}, {v}); }
Tensor Tensor::scalar_i64(int64_t v) { return from_i64({}, {v}); }

void Tensor::assign_view(const Tensor& src) {
  dtype_ = src.dtype_;
  shape_.assign(src.shape_.begin(), src.shape_.end());
  numel_ = src.numel_;
  data_ = src.data_;
  owner_.reset();
}

Tensor Tensor::reshaped(Shape shape) const {
  Tensor t = *this;
  int64_t n = shape_numel(shape);
  FACET_CHECK(n == numel_, "cannot reshape ", shape_str(shape_), " to ", shape_str(shape));
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::clone() const {
  if (!defined()) return Tensor();
  FACET_CHECK(data_ != nullptr || numel_ == 0, "clone: tensor ", shape_str(shape_),
              " has no data (a released initializer?)");
  Tensor t = empty(dtype_, shape_);
  if (nbytes()) std::memcpy(t.data_, data_, nbytes());
  return t;
}

std::vector<float> Tensor::to_f32_vector() const {
  FACET_CHECK(data_ != nullptr || numel_ == 0, "to_f32_vector: tensor ", shape_str(shape_),
              " has no data (a released initializer?)");
  std::vector<float> out(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) {
    switch (dtype_) {
      case DType::kF32: out[i] = data<float>()[i]; break;
      case DType::kI64: out[i] = static_cast<float>(data<int64_t>()[i]); break;
      case DType::kI32: out[i] = static_cast<float>(data<int32_t>()[i]); break;
      case DType::kF64: out[i] = static_cast<float>(data<double>()[i]); break;
      case DType::kU8:
      case DType::kBool: out[i] = data<uint8_t>()[i]; break;
      case DType::kI8: out[i] = data<int8_t>()[i]; break;
      default: fail(str_cat("to_f32_vector: unsupported dtype ", dtype_name(dtype_)));
    }
  }
  return out;
}

std::vector<int64_t> Tensor::to_i64_vector() const {
  FACET_CHECK(data_ != nullptr || numel_ == 0, "to_i64_vector: tensor ", shape_str(shape_),
              " has no data (a released initializer?)");
  std::vector<int64_t> out(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) {
    switch (dtype_) {
      case DType::kI64: out[i] = data<int64_t>()[i]; break;
      case DType::kI32: out[i] = data<int32_t>()[i]; break;
      case DType::kF32: out[i] = static_cast<int64_t>(data<float>()[i]); break;
      case DType::kF64: out[i] = static_cast<int64_t>(data<double>()[i]); break;
      case DType::kU8:
      case DType::kBool: out[i] = data<uint8_t>()[i]; break;
      case DType::kI8: out[i] = data<int8_t>()[i]; break;
      default: fail(str_cat("to_i64_vector: unsupported dtype ", dtype_name(dtype_)));
    }
  }
  return out;
}

}  // namespace facet
