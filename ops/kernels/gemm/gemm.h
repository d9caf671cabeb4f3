// GEMM kernel family, f32:  C = alpha * op(A) * op(B) + beta * C
//
// op(A) is M x K: A itself (row-major, row stride lda) or, with trans_a, the transpose of a
// row-major K x M matrix A (row stride lda). Likewise op(B) is K x N: B (row stride ldb) or,
// with trans_b, the transpose of a row-major N x K matrix. C is M x N, row-major, row stride ldc.
// Strides are in elements, each >= the row length it describes. No alignment needed, zero
// overread.
//
// When beta == 0, C is write-only (not read, so NaN/Inf already in C do not propagate), as in
// BLAS. A and B must not alias C.
//
// Work split: rows [m_begin, m_end) of C; different row ranges may run on different threads.
//
// Accumulation order (ref): for each C element, the K products are summed in order k = 0..K-1
// into a float accumulator, then alpha * acc + beta * C.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facet::ops {

void sgemm_ref(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
               const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
               int64_t ldc, int64_t m_begin, int64_t m_end);

}  // namespace facet::ops
