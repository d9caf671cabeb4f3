// Element-wise kernels, AVX2+FMA (x86-64 only). 16 elements per main-loop step, then one
// masked 8-wide step for the tail (masked loads never touch memory past `end`).
// exp / sigmoid / tanh use the polynomial exp of vecmath_avx2.h (documented error there).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "ops/kernels/eltwise/eltwise.h"
#include "ops/kernels/eltwise/vecmath_avx2.h"

namespace facet::ops::kernels {
namespace {

using vec_avx2::first_n_mask;

template <class F>
inline void unary_loop(const float* x, float* out, int64_t begin, int64_t end, F f) {
  int64_t i = begin;
  for (; i + 16 <= end; i += 16) {
    __m256 a = _mm256_loadu_ps(x + i);
    __m256 b = _mm256_loadu_ps(x + i + 8);
    _mm256_storeu_ps(out + i, f(a));
    _mm256_storeu_ps(out + i + 8, f(b));
  }
  for (; i < end; i += 8) {
    const int64_t n = end - i < 8 ? end - i : 8;
    const __m256i m = first_n_mask(n);
    vec_avx2::store_first_n(out + i, f(_mm256_maskload_ps(x + i, m)), n);
  }
}

template <class F>
inline void binary_loop(const float* a, int64_t sa, const float* b, int64_t sb, float* out,
                        int64_t begin, int64_t end, F f) {
  int64_t i = begin;
  if (sa == 1 && sb == 1) {
    for (; i + 16 <= end; i += 16) {
      _mm256_storeu_ps(out + i, f(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
      _mm256_storeu_ps(out + i + 8, f(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8)));
    }
    for (; i < end; i += 8) {
      const int64_t n = end - i < 8 ? end - i : 8;
      const __m256i m = first_n_mask(n);
      vec_avx2::store_first_n(out + i, f(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m)), n);
    }
  } else if (sa == 0 && sb == 1) {
    const __m256 va = _mm256_set1_ps(a[0]);
    for (; i + 16 <= end; i += 16) {
      _mm256_storeu_ps(out + i, f(va, _mm256_loadu_ps(b + i)));
      _mm256_storeu_ps(out + i + 8, f(va, _mm256_loadu_ps(b + i + 8)));
    }
    for (; i < end; i += 8) {
      const int64_t n = end - i < 8 ? end - i : 8;
      const __m256i m = first_n_mask(n);
      vec_avx2::store_first_n(out + i, f(va, _mm256_maskload_ps(b + i, m)), n);
    }
  } else if (sa == 1 && sb == 0) {
    const __m256 vb = _mm256_set1_ps(b[0]);
    for (; i + 16 <= end; i += 16) {
      _mm256_storeu_ps(out + i, f(_mm256_loadu_ps(a + i), vb));
      _mm256_storeu_ps(out + i + 8, f(_mm256_loadu_ps(a + i + 8), vb));
    }
    for (; i < end; i += 8) {
      const int64_t n = end - i < 8 ? end - i : 8;
      const __m256i m = first_n_mask(n);
      vec_avx2::store_first_n(out + i, f(_mm256_maskload_ps(a + i, m), vb), n);
    }
  } else {  // both broadcast
    const __m256 v = f(_mm256_set1_ps(a[0]), _mm256_set1_ps(b[0]));
    const float s = _mm256_cvtss_f32(v);
    for (; i < end; ++i) out[i] = s;
  }
}

}  // namespace

void relu_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  const __m256 z = _mm256_setzero_ps();
  unary_loop(x, out, begin, end, [z](__m256 v) { return _mm256_max_ps(z, v); });  // NaN kept
}

void leaky_relu_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float alpha,
                         float) {
  const __m256 z = _mm256_setzero_ps(), va = _mm256_set1_ps(alpha);
  unary_loop(x, out, begin, end, [=](__m256 v) {
    return _mm256_blendv_ps(v, _mm256_mul_ps(v, va), _mm256_cmp_ps(v, z, _CMP_LT_OQ));
  });
}

void sigmoid_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  unary_loop(x, out, begin, end, [](__m256 v) { return vec_avx2::sigmoid_avx2(v); });
}

void tanh_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  unary_loop(x, out, begin, end, [](__m256 v) { return vec_avx2::tanh_avx2(v); });
}

void exp_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  unary_loop(x, out, begin, end, [](__m256 v) { return vec_avx2::exp_avx2(v); });
}

void hard_sigmoid_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float alpha,
                           float beta) {
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  const __m256 z = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  unary_loop(x, out, begin, end, [=](__m256 v) {
    // ref: alpha*x + beta (a multiply then an add, no FMA), clamped to [0, 1].
    __m256 t = _mm256_add_ps(_mm256_mul_ps(va, v), vb);
    return _mm256_min_ps(one, _mm256_max_ps(z, t));
  });
}

void hard_swish_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  const __m256 sixth = _mm256_set1_ps(1.0f / 6.0f), half = _mm256_set1_ps(0.5f);
  const __m256 z = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  unary_loop(x, out, begin, end, [=](__m256 v) {
    __m256 t = _mm256_add_ps(_mm256_mul_ps(v, sixth), half);
    return _mm256_mul_ps(v, _mm256_min_ps(one, _mm256_max_ps(z, t)));
  });
}

void clip_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float lo, float hi) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  // max(lo, v) / min(hi, t) return the second operand for NaN: NaN stays NaN; lo > hi gives hi.
  unary_loop(x, out, begin, end,
             [=](__m256 v) { return _mm256_min_ps(vhi, _mm256_max_ps(vlo, v)); });
}

void add_f32_avx2(const float* a, int64_t sa, const float* b, int64_t sb, float* out,
                  int64_t begin, int64_t end) {
  binary_loop(a, sa, b, sb, out, begin, end, [](__m256 x, __m256 y) { return _mm256_add_ps(x, y); });
}

void sub_f32_avx2(const float* a, int64_t sa, const float* b, int64_t sb, float* out,
                  int64_t begin, int64_t end) {
  binary_loop(a, sa, b, sb, out, begin, end, [](__m256 x, __m256 y) { return _mm256_sub_ps(x, y); });
}

void mul_f32_avx2(const float* a, int64_t sa, const float* b, int64_t sb, float* out,
                  int64_t begin, int64_t end) {
  binary_loop(a, sa, b, sb, out, begin, end, [](__m256 x, __m256 y) { return _mm256_mul_ps(x, y); });
}

void div_f32_avx2(const float* a, int64_t sa, const float* b, int64_t sb, float* out,
                  int64_t begin, int64_t end) {
  binary_loop(a, sa, b, sb, out, begin, end, [](__m256 x, __m256 y) { return _mm256_div_ps(x, y); });
}

void prelu_f32_avx2(const float* a, int64_t sa, const float* b, int64_t sb, float* out,
                    int64_t begin, int64_t end) {
  const __m256 z = _mm256_setzero_ps();
  binary_loop(a, sa, b, sb, out, begin, end, [z](__m256 x, __m256 s) {
    return _mm256_blendv_ps(x, _mm256_mul_ps(x, s), _mm256_cmp_ps(x, z, _CMP_LT_OQ));
  });
}

// Softmax rows: see eltwise.h.
void softmax_rows_f32_avx2(const float* x, float* out, int64_t n, int64_t row_begin,
                           int64_t row_end) {
  for (int64_t r = row_begin; r < row_end; ++r) {
    const float* xr = x + r * n;
    float* yr = out + r * n;
    __m256 vmax = _mm256_set1_ps(-__builtin_inff());
    __m256 vnan = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const __m256 v = _mm256_loadu_ps(xr + i);
      vmax = _mm256_max_ps(vmax, v);
      vnan = _mm256_or_ps(vnan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    }
    bool has_nan = _mm256_movemask_ps(vnan) != 0;
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(vmax), _mm256_extractf128_ps(vmax, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
    float mx = _mm_cvtss_f32(m4);
    for (; i < n; ++i) {
      mx = xr[i] > mx ? xr[i] : mx;
      has_nan = has_nan || xr[i] != xr[i];
    }
    if (has_nan) mx = __builtin_nanf("");  // like the ref: a NaN anywhere makes the row NaN
    const __m256 vm = _mm256_set1_ps(mx);
    __m256 vsum = _mm256_setzero_ps();
    i = 0;
    for (; i + 8 <= n; i += 8) {
      __m256 e = vec_avx2::exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(xr + i), vm));
      _mm256_storeu_ps(yr + i, e);
      vsum = _mm256_add_ps(vsum, e);
    }
    if (i < n) {
      const __m256i m = first_n_mask(n - i);
      __m256 e = vec_avx2::exp_avx2(_mm256_sub_ps(_mm256_maskload_ps(xr + i, m), vm));
      e = _mm256_and_ps(e, _mm256_castsi256_ps(m));
      vec_avx2::store_first_n(yr + i, e, n - i);
      vsum = _mm256_add_ps(vsum, e);
    }
    __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(vsum), _mm256_extractf128_ps(vsum, 1));
    s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    s4 = _mm_add_ss(s4, _mm_shuffle_ps(s4, s4, 1));
    const __m256 inv = _mm256_set1_ps(1.0f / _mm_cvtss_f32(s4));
    unary_loop(yr, yr, 0, n, [inv](__m256 v) { return _mm256_mul_ps(v, inv); });
  }
}

}  // namespace facet::ops::kernels
