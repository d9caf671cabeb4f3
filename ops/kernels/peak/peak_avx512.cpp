// FMA-throughput probe, AVX-512F: 12 independent 16-wide FMA chains in zmm registers. On CPUs
// that execute 512-bit FMAs on two 256-bit halves (AMD Zen 4) this measures the same FLOP/s as
// the AVX2 probe; on CPUs with 512-bit FMA units it measures their higher peak.
// GCC 12's AVX-512 intrinsics initialise results from _mm512_undefined_*(), which its
// -W(maybe-)uninitialized flags at every inlined use (a known false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "ops/kernels/peak/peak.h"

namespace facet::ops {

int64_t fma_peak_loop_avx512(int64_t iters, float* sink) {
  const __m512 b = _mm512_set1_ps(0.9999999f);
  const __m512 c = _mm512_set1_ps(1e-7f);
  __m512 a[12];
#pragma GCC unroll 12
  for (int j = 0; j < 12; ++j) a[j] = _mm512_set1_ps(1.0f + 0.01f * static_cast<float>(j));
  for (int64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 12
    for (int j = 0; j < 12; ++j) a[j] = _mm512_fmadd_ps(a[j], b, c);
  }
  __m512 s = a[0];
#pragma GCC unroll 12
  for (int j = 1; j < 12; ++j) s = _mm512_add_ps(s, a[j]);
  *sink = _mm512_reduce_add_ps(s);
  return iters * 12 * 16 * 2;
}

}  // namespace facet::ops
