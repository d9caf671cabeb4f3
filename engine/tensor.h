// Tensor: dtype + shape + a pointer to row-major (C order) data.
//
// A Tensor either owns its storage (64-byte aligned, shared between copies of the Tensor object)
// or views memory owned by someone else (the executor's arena, a caller's buffer). Copying a
// Tensor never copies data; use clone() for a deep copy. A view of nullptr carries only dtype
// and shape (a shape-only value, or an initializer whose data was released after packing, see
// Value::data_released); clone() and to_*_vector() refuse such a tensor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace facet {

// Element types. The numbers are ONNX's TensorProto.DataType values, for convenience.
enum class DType : int32_t {
  kUndefined = 0,
  kF32 = 1,
  kU8 = 2,
  kI8 = 3,
  kI32 = 6,
  kI64 = 7,
  kBool = 9,
  kF16 = 10,
  kF64 = 11,
};

size_t dtype_size(DType t);       // bytes per element; 0 for kUndefined
const char* dtype_name(DType t);  // "float32", "int64", ...

using Shape = std::vector<int64_t>;

// Product of dims; throws facet::Error if a dim is negative or the product overflows int64.
int64_t shape_numel(const Shape& s);
std::string shape_str(const Shape& s);  // "[1,3,224,224]"

// Alignment of every buffer facet allocates.
constexpr size_t kAlignment = 64;

// Allocates zeroed, kAlignment-aligned memory; throws facet::Error if the allocation fails.
// Large buffers are mapped directly from the OS (pages become resident when first touched and
// go back to the OS when freed); small ones come from the heap.
std::shared_ptr<void> aligned_alloc_shared(size_t bytes);

class Tensor {
 public:
  Tensor() = default;

  // Owned, zero-initialised storage.
  static Tensor empty(DType dtype, Shape shape);
  // Non-owning view of data (must outlive every use of the view).
  static Tensor view(DType dtype, Shape shape, void* data);
  // Owned copies of given values.
  static Tensor from_f32(Shape shape, const std::vector<float>& values);
  static Tensor from_i64(Shape shape, const std::vector<int64_t>& values);
  static Tensor scalar_f32(float v);
  static Tensor scalar_i64(int64_t v);

  bool defined() const { return dtype_ != DType::kUndefined; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const { return shape_[static_cast<size_t>(i)]; }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }

  void* raw() { return data_; }
  const void* raw() const { return data_; }
  template <class T>
  T* data() {
    return static_cast<T*>(data_);
  }
  template <class T>
  const T* data() const {
    return static_cast<const T*>(data_);
  }

  // Makes this tensor a non-owning view of src's data with src's dtype and shape, reusing this
  // object's shape storage (no allocation when the rank does not grow).
  void assign_view(const Tensor& src);
  // Points a non-owning tensor at other data of the same size (the executor rebinding views).
  void set_data(void* data) { data_ = data; }

  // Same storage, another shape with the same element count.
  Tensor reshaped(Shape shape) const;
  // Deep copy into owned storage.
  Tensor clone() const;
  bool owns_storage() const { return owner_ != nullptr; }
  // True when this Tensor object is the only one holding its storage.
  bool storage_unique() const { return owner_ != nullptr && owner_.use_count() == 1; }

  // Values converted to float / int64 (for small tensors: tests, shape arithmetic, printing).
  std::vector<float> to_f32_vector() const;
  std::vector<int64_t> to_i64_vector() const;

 private:
  DType dtype_ = DType::kUndefined;
  Shape shape_;
  int64_t numel_ = 0;
  void* data_ = nullptr;
  std::shared_ptr<void> owner_;
};

// A float buffer zero-filled like std::vector<float>(n), for the weights ops pack in
// prepare(). Large ones are fresh anonymous mappings (aligned_alloc_shared): their pages become
// resident only as they are written, so packing a weight that is handed back page by page
// (prepare_consumed in engine/graph.h) never holds both copies whole.
class FloatBuffer {
 public:
  void zeros(size_t n);
  void clear() {
    storage_.reset();
    size_ = 0;
  }
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  float* data() { return static_cast<float*>(storage_.get()); }
  const float* data() const { return static_cast<const float*>(storage_.get()); }

 private:
  std::shared_ptr<void> storage_;
  size_t size_ = 0;
};

// Hands the whole memory pages inside [data, data + bytes) back to the system (madvise
// MADV_DONTNEED; a no-op where there is none). Anonymous private pages read as zeros afterwards,
// pages of a read-only file mapping read the file again.
void discard_pages(const void* data, size_t bytes);

// Hands the whole memory pages inside the first `bytes` bytes of t's data back to the system
// (madvise MADV_DONTNEED where buffers are mapped; a no-op elsewhere). Those bytes read as
// zeros afterwards: only for storage nothing will read again, such as a weight being packed
// whose Tensor is dropped right after (see prepare_consumed in engine/graph.h).
void discard_tensor_pages(const Tensor& t, size_t bytes);

}  // namespace facet
