// Pad kernel family: N-d padding/cropping with constant, reflect, edge and wrap modes.
//
// Index mapping, per axis a (all values in elements):
//   out_dims[a] = in_dims[a] + pad_begin[a] + pad_end[a]   (pads may be negative: cropping)
// Negative pads crop first; the remaining source window along axis a is
//   [src_begin[a], src_begin[a] + src_len[a])   with src_begin = max(0, -pad_begin),
// and it is padded by lead[a] = max(0, pad_begin[a]) elements before it. Output index o maps to
// the window position i = o - lead[a]; positions outside [0, src_len) are resolved by the mode:
//   constant: the element is pad_value;
//   edge:     i is clamped to [0, src_len - 1];
//   reflect:  mirror without repeating the edge (numpy "reflect"), period 2*(src_len - 1);
//             a window of length 1 behaves like edge;
//   wrap:     i modulo src_len.
// For modes other than constant every src_len[a] with out_dims[a] > 0 must be >= 1 (the op checks).
//
// dst is dense row-major over out_dims; src is dense row-major over in_dims (in_strides are the
// dense strides in elements). Work is split over rows (all dims but the last): a call writes rows
// [row_begin, row_end). pad_value points at one element of elem_size bytes (1, 2, 4 or 8; other
// sizes write nothing). rank >= 1. No overlap between src and dst, no overread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facet::kernels {

enum class PadMode : int { kConstant = 0, kReflect = 1, kEdge = 2, kWrap = 3 };

void pad_ref(const void* src, void* dst, size_t elem_size, const void* pad_value, PadMode mode,
             int rank, const int64_t* out_dims, const int64_t* in_strides, const int64_t* lead,
             const int64_t* src_begin, const int64_t* src_len, int64_t row_begin, int64_t row_end);

}  // namespace facet::kernels
