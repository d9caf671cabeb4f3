#include "ops/kernels/gemm/gemm.h"

#include <cstddef>
#include <cstdint>

namespace facet::ops {

void sgemm_ref(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
               const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
               int64_t ldc, int64_t m_begin, int64_t m_end) {
  (void)m;
  const int64_t a_row = trans_a ? 1 : lda;  // step to the next row i of op(A)
  const int64_t a_col = trans_a ? lda : 1;  // step to the next k of op(A)
  const int64_t b_row = trans_b ? 1 : ldb;  // step to the next k of op(B)
  const int64_t b_col = trans_b ? ldb : 1;  // step to the next column j of op(B)
  for (int64_t i = m_begin; i < m_end; ++i) {
    float* c_row = c + i * ldc;
    const float* a_i = a + i * a_row;
    for (int64_t j = 0; j < n; ++j) {
      const float* b_j = b + j * b_col;
      float acc = 0.f;
      for (int64_t kk = 0; kk < k; ++kk) acc += a_i[kk * a_col] * b_j[kk * b_row];
      c_row[j] = beta == 0.f ? alpha * acc : alpha * acc + beta * c_row[j];
    }
  }
}

}  // namespace facet::ops
