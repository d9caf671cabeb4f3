#include "ops/kernels/pad/pad.h"

namespace facet::kernels {

namespace {

// Source index along one axis for output index o, or -1 for a constant-filled position.
inline int64_t map_index(int64_t o, int64_t lead, int64_t begin, int64_t len, PadMode mode) {
  int64_t i = o - lead;
  if (i >= 0 && i < len) return begin + i;
  switch (mode) {
    case PadMode::kConstant:
      return -1;
    case PadMode::kEdge:
      i = i < 0 ? 0 : len - 1;
      break;
    case PadMode::kReflect: {
      if (len == 1) {
        i = 0;
        break;
      }
      const int64_t period = 2 * (len - 1);
      int64_t m = i % period;
      if (m < 0) m += period;
      i = m < len ? m : period - m;
      break;
    }
    case PadMode::kWrap: {
      int64_t m = i % len;
      if (m < 0) m += len;
      i = m;
      break;
    }
  }
  return begin + i;
}

template <class T>
void pad_rows(const T* src, T* dst, T value, PadMode mode, int rank, const int64_t* out_dims,
              const int64_t* in_strides, const int64_t* lead, const int64_t* src_begin,
              const int64_t* src_len, int64_t row_begin, int64_t row_end) {
  const int last = rank - 1;
  const int64_t width = out_dims[last];
  for (int64_t row = row_begin; row < row_end; ++row) {
    T* out = dst + row * width;
    // Source offset of this row over the leading dims; -1 marks a fully constant row.
    int64_t rem = row, offset = 0;
    bool constant_row = false;
    for (int k = last - 1; k >= 0; --k) {
      const int64_t o = rem % out_dims[k];
      rem /= out_dims[k];
      const int64_t s = map_index(o, lead[k], src_begin[k], src_len[k], mode);
      if (s < 0) {
        constant_row = true;
        break;
      }
      offset += s * in_strides[k];
    }
    if (constant_row) {
      for (int64_t i = 0; i < width; ++i) out[i] = value;
      continue;
    }
    const T* in = src + offset;
    const int64_t l = lead[last], b = src_begin[last], n = src_len[last];
    // Interior run: a straight copy.
    const int64_t interior_end = l + n < width ? l + n : width;
    for (int64_t o = 0; o < width; ++o) {
      if (o >= l && o < interior_end) {
        out[o] = in[b + (o - l)];
      } else {
        const int64_t s = map_index(o, l, b, n, mode);
        out[o] = s < 0 ? value : in[s * in_strides[last]];
      }
    }
  }
}

}  // namespace

void pad_ref(const void* src, void* dst, size_t elem_size, const void* pad_value, PadMode mode,
             int rank, const int64_t* out_dims, const int64_t* in_strides, const int64_t* lead,
             const int64_t* src_begin, const int64_t* src_len, int64_t row_begin,
             int64_t row_end) {
  if (rank < 1 || row_begin >= row_end) return;
  if (elem_size == 4) {
    pad_rows(static_cast<const uint32_t*>(src), static_cast<uint32_t*>(dst),
             *static_cast<const uint32_t*>(pad_value), mode, rank, out_dims, in_strides, lead,
             src_begin, src_len, row_begin, row_end);
  } else if (elem_size == 8) {
    pad_rows(static_cast<const uint64_t*>(src), static_cast<uint64_t*>(dst),
             *static_cast<const uint64_t*>(pad_value), mode, rank, out_dims, in_strides, lead,
             src_begin, src_len, row_begin, row_end);
  } else if (elem_size == 1) {
    pad_rows(static_cast<const uint8_t*>(src), static_cast<uint8_t*>(dst),
             *static_cast<const uint8_t*>(pad_value), mode, rank, out_dims, in_strides, lead,
             src_begin, src_len, row_begin, row_end);
  } else if (elem_size == 2) {
    pad_rows(static_cast<const uint16_t*>(src), static_cast<uint16_t*>(dst),
             *static_cast<const uint16_t*>(pad_value), mode, rank, out_dims, in_strides, lead,
             src_begin, src_len, row_begin, row_end);
  }
}

}  // namespace facet::kernels
