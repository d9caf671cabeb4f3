// AVX-512F vector math helpers. INCLUDE ONLY FROM *_avx512.cpp FILES (compiled with
// -mavx512f -mavx2 -mfma). Internal linkage, as vecmath_avx2.h.
//
// exp_avx512: range reduction x = n ln2 + r, |r| <= ln2/2, degree-6 polynomial, 2^n applied in
// two halves so n = 128 does not overflow; inputs clamped to about [-87.3, 88.4] (relative
// error < 3e-7 inside). sigmoid_avx512 = 1 / (1 + exp(-x)).
#pragma once

// GCC 12's AVX-512 intrinsics initialise results from _mm512_undefined_*(), which its
// -W(maybe-)uninitialized flags at every inlined use (a known false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>

namespace facet::ops::vec_avx512 {
namespace {

__attribute__((always_inline)) inline __m512 exp_avx512(__m512 x) {
  x = _mm512_min_ps(x, _mm512_set1_ps(88.3762626647949f));
  x = _mm512_max_ps(x, _mm512_set1_ps(-87.3365447504f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 y = _mm512_set1_ps(1.9875691500e-4f);
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.3981999507e-3f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(8.3334519073e-3f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(4.1665795894e-2f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.6666665459e-1f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(5.0000001201e-1f));
  y = _mm512_fmadd_ps(y, _mm512_mul_ps(r, r), r);
  y = _mm512_add_ps(y, _mm512_set1_ps(1.f));
  const __m512i ni = _mm512_cvtps_epi32(n);
  const __m512i h = _mm512_srai_epi32(ni, 1);
  const __m512i l = _mm512_sub_epi32(ni, h);
  const __m512i bias = _mm512_set1_epi32(127);
  const __m512 p1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(h, bias), 23));
  const __m512 p2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(l, bias), 23));
  return _mm512_mul_ps(_mm512_mul_ps(y, p1), p2);
}

__attribute__((always_inline)) inline __m512 sigmoid_avx512(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.f);
  return _mm512_div_ps(one, _mm512_add_ps(one, exp_avx512(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

// Mask with the first n lanes set (n clamped to 0..16).
inline __mmask16 first_n_lanes(int64_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF)
                 : n <= 0 ? static_cast<__mmask16>(0)
                          : static_cast<__mmask16>((1u << n) - 1u);
}

}  // namespace
}  // namespace facet::ops::vec_avx512
