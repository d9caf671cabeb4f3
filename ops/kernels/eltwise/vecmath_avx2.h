// AVX2+FMA vector math helpers. INCLUDE ONLY FROM *_avx2.cpp FILES (compiled with -mavx2 -mfma).
//
// Every function here has internal linkage (anonymous namespace), so each AVX2 translation unit
// gets its own copy and no symbol is shared with baseline-compiled code (no ODR hazard).
//
// exp_avx2: range reduction x = n*ln2 + r, |r| <= ln2/2, e^r by its degree-6 Taylor polynomial
// (truncation error < 1.3e-7 relative), then scaling by 2^n through the exponent bits.
// Max relative error versus std::exp measured over [-87, 88] on a 1e7-point sweep: about 3e-7
// (~3 ulp). x > 88.72 gives +inf, x < -86.6 gives a value <= 2.6e-38 (instead of a denormal or
// 0: absolute error < 2.6e-38), NaN gives NaN.
// sigmoid_avx2 = 1 / (1 + exp(-x)): absolute error < 1e-7 everywhere.
// tanh_avx2 = sign(x) * (1 - 2 / (exp(2|x|) + 1)): absolute error < 2e-7 (relative error grows
// for |x| < 1e-3 because of cancellation, but stays below the 1e-5 absolute tolerance).
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace facet::ops::vec_avx2 {
namespace {

inline __m256 exp_avx2(__m256 x) {
  const __m256 hi = _mm256_set1_ps(88.7228394f);
  const __m256 lo = _mm256_set1_ps(-86.6f);
  const __m256 log2e = _mm256_set1_ps(1.44269504088896341f);
  const __m256 ln2_hi = _mm256_set1_ps(0.693359375f);
  const __m256 ln2_lo = _mm256_set1_ps(-2.12194440e-4f);
  __m256 xc = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
  __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, ln2_hi, xc);
  r = _mm256_fnmadd_ps(n, ln2_lo, r);
  __m256 p = _mm256_set1_ps(1.0f / 720.0f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  // 2^n for n in [-125, 128] as 2^(n-1) * 2: (n - 1 + 127) << 23 stays a normal exponent.
  __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(126)), 23);
  __m256 res = _mm256_mul_ps(_mm256_mul_ps(p, _mm256_castsi256_ps(e)), _mm256_set1_ps(2.0f));
  res = _mm256_blendv_ps(res, _mm256_set1_ps(__builtin_inff()),
                         _mm256_cmp_ps(x, _mm256_set1_ps(88.7228394f), _CMP_GT_OQ));
  return _mm256_blendv_ps(res, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

inline __m256 sigmoid_avx2(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  __m256 e = exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), x));
  return _mm256_div_ps(one, _mm256_add_ps(one, e));
}

inline __m256 tanh_avx2(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 one = _mm256_set1_ps(1.0f);
  __m256 ax = _mm256_andnot_ps(sign, x);
  __m256 e = exp_avx2(_mm256_add_ps(ax, ax));
  __m256 t = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, one)));
  // exp(inf) = inf gives 1 - 0 = 1; NaN propagates through e.
  return _mm256_or_ps(t, _mm256_and_ps(sign, x));
}

// Stores lanes [0, n) of v at d (n 0..8; 8 = a plain store). Not _mm256_maskstore_ps: the
// store form of vmaskmovps is microcoded on AMD Zen, about 12 ns per store measured on Zen 4
// against 1 ns for a plain store, and it is the tail store of many rows and planes.
inline void store_first_n(float* d, __m256 v, int64_t n) {
  if (n >= 8) {
    _mm256_storeu_ps(d, v);
    return;
  }
  __m128 part = _mm256_castps256_ps128(v);
  if (n >= 4) {
    _mm_storeu_ps(d, part);
    part = _mm256_extractf128_ps(v, 1);
    d += 4;
    n -= 4;
  }
  if (n >= 2) {
    _mm_storel_pi(reinterpret_cast<__m64*>(d), part);
    part = _mm_movehl_ps(part, part);
    d += 2;
    n -= 2;
  }
  if (n >= 1) _mm_store_ss(d, part);
}

// Mask with the first n (0..8) lanes set.
inline __m256i first_n_mask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

}  // namespace
}  // namespace facet::ops::vec_avx2
