// Transpose kernel family: a strided N-d gather-copy.
//
// Contract: dst is dense row-major over out_dims[0..rank). Element (i_0, ..., i_{rank-1}) of dst is
// read from src + sum_k i_k * src_strides[k]. Strides are in ELEMENTS and may be zero (broadcast,
// Expand/Tile) or negative (Slice with negative steps; src then points at the first element read).
// This one signature serves Transpose (permuted strides), Slice (scaled strides), Expand and Tile.
//
// Work is split over "rows": all dims but the last, row-major, so rows = prod(out_dims[0..rank-1)).
// A call handles rows [row_begin, row_end); dst row r starts at element r * out_dims[rank-1].
// rank >= 1 (callers treat a scalar as shape [1]). elem_size is 1, 2, 4 or 8 bytes; other sizes
// are copied byte by byte. No alignment is assumed; src and dst must not overlap; no overread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facet::kernels {

void transpose_strided_ref(const void* src, void* dst, size_t elem_size, int rank,
                           const int64_t* out_dims, const int64_t* src_strides, int64_t row_begin,
                           int64_t row_end);

}  // namespace facet::kernels
