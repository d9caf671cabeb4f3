#include "ops/kernels/transpose/transpose.h"

namespace facet::kernels {

namespace {

template <class T>
void copy_rows(const T* src, T* dst, int rank, const int64_t* out_dims, const int64_t* strides,
               int64_t row_begin, int64_t row_end) {
  const int last = rank - 1;
  const int64_t width = out_dims[last];
  const int64_t inner_stride = strides[last];
  // Multi-index of row_begin over the leading rank-1 dims, and the matching source offset.
  int64_t index[64];
  int64_t offset = 0;
  int64_t rem = row_begin;
  for (int k = last - 1; k >= 0; --k) {
    index[k] = out_dims[k] > 0 ? rem % out_dims[k] : 0;
    rem = out_dims[k] > 0 ? rem / out_dims[k] : 0;
    offset += index[k] * strides[k];
  }
  for (int64_t row = row_begin; row < row_end; ++row) {
    T* out = dst + row * width;
    const T* in = src + offset;
    if (inner_stride == 1) {
      for (int64_t i = 0; i < width; ++i) out[i] = in[i];
    } else {
      for (int64_t i = 0; i < width; ++i) out[i] = in[i * inner_stride];
    }
    // Odometer increment over the leading dims.
    for (int k = last - 1; k >= 0; --k) {
      ++index[k];
      offset += strides[k];
      if (index[k] < out_dims[k]) break;
      offset -= index[k] * strides[k];
      index[k] = 0;
    }
  }
}

}  // namespace

void transpose_strided_ref(const void* src, void* dst, size_t elem_size, int rank,
                           const int64_t* out_dims, const int64_t* src_strides, int64_t row_begin,
                           int64_t row_end) {
  if (rank < 1 || rank > 64 || row_begin >= row_end) return;
  switch (elem_size) {
    case 1:
      copy_rows(static_cast<const uint8_t*>(src), static_cast<uint8_t*>(dst), rank, out_dims,
                src_strides, row_begin, row_end);
      return;
    case 2:
      copy_rows(static_cast<const uint16_t*>(src), static_cast<uint16_t*>(dst), rank, out_dims,
                src_strides, row_begin, row_end);
      return;
    case 4:
      copy_rows(static_cast<const uint32_t*>(src), static_cast<uint32_t*>(dst), rank, out_dims,
                src_strides, row_begin, row_end);
      return;
    case 8:
      copy_rows(static_cast<const uint64_t*>(src), static_cast<uint64_t*>(dst), rank, out_dims,
                src_strides, row_begin, row_end);
      return;
    default: {
      // Rare sizes: copy each element byte by byte.
      const int last = rank - 1;
      const int64_t width = out_dims[last];
      const auto* s = static_cast<const uint8_t*>(src);
      auto* d = static_cast<uint8_t*>(dst);
      const int64_t es = static_cast<int64_t>(elem_size);
      for (int64_t row = row_begin; row < row_end; ++row) {
        int64_t rem = row, offset = 0;
        for (int k = last - 1; k >= 0; --k) {
          offset += (rem % out_dims[k]) * src_strides[k];
          rem /= out_dims[k];
        }
        for (int64_t i = 0; i < width; ++i) {
          const uint8_t* from = s + (offset + i * src_strides[last]) * es;
          uint8_t* to = d + (row * width + i) * es;
          for (int64_t b = 0; b < es; ++b) to[b] = from[b];
        }
      }
      return;
    }
  }
}

}  // namespace facet::kernels
