// Normalization, AVX2+FMA (x86-64 only).
//
// Both kernels end in one pass y = act((x - m) * a + b): 32 floats per step, then 8, then a
// masked tail (vmaskmovps: masked lanes neither fault nor store, so there is no overread).
// Instance norm first takes the plane's statistics in one read pass: sums of d = x - pivot and
// d*d in float vectors over blocks of 1024 elements, each block folded into double. The pivot
// (mean of the first up to 16 elements) keeps E[d^2] - E[d]^2 free of cancellation when the mean
// is large against the spread.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "ops/kernels/eltwise/vecmath_avx2.h"
#include "ops/kernels/norm/norm.h"

namespace facet::ops {
namespace {

alignas(32) const int32_t kTailMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                           0,  0,  0,  0,  0,  0,  0,  0};

// Lanes [0, n) set, n in [0, 8].
__m256i tail_mask(int64_t n) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kTailMask + 8 - n));
}

template <NormActKind K>
__m256 activate(__m256 v, __m256 s) {
  if (K == NormActKind::kRelu) return _mm256_max_ps(_mm256_setzero_ps(), v);  // NaN: returns v
  if (K == NormActKind::kLeakyRelu || K == NormActKind::kPRelu) {
    return _mm256_blendv_ps(v, _mm256_mul_ps(v, s), v);  // sign bit picks the slope
  }
  (void)s;
  return v;
}

template <NormActKind K>
void affine(const float* in, float* out, int64_t n, float m, float a, float b, float s) {
  const __m256 vm = _mm256_set1_ps(m), va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b),
               vs = _mm256_set1_ps(s);
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256 v0 = _mm256_loadu_ps(in + i), v1 = _mm256_loadu_ps(in + i + 8);
    __m256 v2 = _mm256_loadu_ps(in + i + 16), v3 = _mm256_loadu_ps(in + i + 24);
    v0 = activate<K>(_mm256_fmadd_ps(_mm256_sub_ps(v0, vm), va, vb), vs);
    v1 = activate<K>(_mm256_fmadd_ps(_mm256_sub_ps(v1, vm), va, vb), vs);
    v2 = activate<K>(_mm256_fmadd_ps(_mm256_sub_ps(v2, vm), va, vb), vs);
    v3 = activate<K>(_mm256_fmadd_ps(_mm256_sub_ps(v3, vm), va, vb), vs);
    _mm256_storeu_ps(out + i, v0);
    _mm256_storeu_ps(out + i + 8, v1);
    _mm256_storeu_ps(out + i + 16, v2);
    _mm256_storeu_ps(out + i + 24, v3);
  }
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(in + i);
    _mm256_storeu_ps(out + i, activate<K>(_mm256_fmadd_ps(_mm256_sub_ps(v, vm), va, vb), vs));
  }
  if (i < n) {
    const __m256i mask = tail_mask(n - i);
    const __m256 v = _mm256_maskload_ps(in + i, mask);
    vec_avx2::store_first_n(out + i,
                            activate<K>(_mm256_fmadd_ps(_mm256_sub_ps(v, vm), va, vb), vs), n - i);
  }
}

void affine_act(const float* in, float* out, int64_t n, float m, float a, float b,
                const NormAct& act, int64_t c) {
  switch (act.kind) {
    case NormActKind::kNone:
      return affine<NormActKind::kNone>(in, out, n, m, a, b, 0.f);
    case NormActKind::kRelu:
      return affine<NormActKind::kRelu>(in, out, n, m, a, b, 0.f);
    case NormActKind::kLeakyRelu:
      return affine<NormActKind::kLeakyRelu>(in, out, n, m, a, b, act.alpha);
    case NormActKind::kPRelu:
      return affine<NormActKind::kPRelu>(in, out, n, m, a, b, act.slope[c]);
  }
}

double hsum(__m256 v) {
  const __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128d d = _mm_add_pd(_mm_cvtps_pd(h), _mm_cvtps_pd(_mm_movehl_ps(h, h)));
  return _mm_cvtsd_f64(_mm_add_sd(d, _mm_unpackhi_pd(d, d)));
}

// Sums of d = x - k and d*d over n elements.
void shifted_sums(const float* in, int64_t n, float k, double* sum, double* sumsq) {
  constexpr int64_t kBlock = 1024;
  const __m256 vk = _mm256_set1_ps(k);
  double s = 0.0, q = 0.0;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t stop = start + kBlock < n ? start + kBlock : n;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    __m256 q0 = s0, q1 = s0, q2 = s0, q3 = s0;
    int64_t i = start;
    for (; i + 32 <= stop; i += 32) {
      const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(in + i), vk);
      const __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(in + i + 8), vk);
      const __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(in + i + 16), vk);
      const __m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(in + i + 24), vk);
      s0 = _mm256_add_ps(s0, d0);
      s1 = _mm256_add_ps(s1, d1);
      s2 = _mm256_add_ps(s2, d2);
      s3 = _mm256_add_ps(s3, d3);
      q0 = _mm256_fmadd_ps(d0, d0, q0);
      q1 = _mm256_fmadd_ps(d1, d1, q1);
      q2 = _mm256_fmadd_ps(d2, d2, q2);
      q3 = _mm256_fmadd_ps(d3, d3, q3);
    }
    for (; i + 8 <= stop; i += 8) {
      const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(in + i), vk);
      s0 = _mm256_add_ps(s0, d);
      q0 = _mm256_fmadd_ps(d, d, q0);
    }
    if (i < stop) {
      const __m256i mask = tail_mask(stop - i);
      const __m256 d = _mm256_and_ps(_mm256_sub_ps(_mm256_maskload_ps(in + i, mask), vk),
                                     _mm256_castsi256_ps(mask));
      s1 = _mm256_add_ps(s1, d);
      q1 = _mm256_fmadd_ps(d, d, q1);
    }
    s += hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    q += hsum(_mm256_add_ps(_mm256_add_ps(q0, q1), _mm256_add_ps(q2, q3)));
  }
  *sum = s;
  *sumsq = q;
}

}  // namespace

void batch_norm_f32_avx2(const float* x, float* y, int64_t channels, int64_t spatial,
                         const float* scale, const float* bias, const float* mean,
                         const float* var, float epsilon, const NormAct& act, int64_t begin,
                         int64_t end) {
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t c = plane % channels;
    const float a = scale[c] / __builtin_sqrtf(var[c] + epsilon);
    affine_act(x + plane * spatial, y + plane * spatial, spatial, mean[c], a, bias[c], act, c);
  }
}

void instance_norm_f32_avx2(const float* x, float* y, int64_t channels, int64_t spatial,
                            const float* scale, const float* bias, float epsilon,
                            const NormAct& act, int64_t begin, int64_t end) {
  if (spatial == 0) return;
  const double n = static_cast<double>(spatial);
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t c = plane % channels;
    const float* in = x + plane * spatial;
    const int64_t head = spatial < 16 ? spatial : 16;
    double pivot = 0.0;
    for (int64_t i = 0; i < head; ++i) pivot += in[i];
    const float k = static_cast<float>(pivot / static_cast<double>(head));
    double s = 0.0, q = 0.0;
    shifted_sums(in, spatial, k, &s, &q);
    const double dm = s / n;
    double var = q / n - dm * dm;
    if (var < 0.0) var = 0.0;
    const double mu = static_cast<double>(k) + dm;
    const double a = static_cast<double>(scale[c]) / __builtin_sqrt(var + epsilon);
    affine_act(in, y + plane * spatial, spatial, static_cast<float>(mu), static_cast<float>(a),
               bias[c], act, c);
  }
}

}  // namespace facet::ops
