// Normalization, NEON (aarch64 only). Same scheme as norm_avx2.cpp, 4 lanes: one pass
// y = act((x - m) * a + b) (16 floats per step, then 4, then scalar), and for instance norm one
// statistics pass over d = x - pivot in float blocks of 1024 elements folded into double.
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "ops/kernels/norm/norm.h"

namespace facet::ops {
namespace {

template <NormActKind K>
float32x4_t activate(float32x4_t v, float32x4_t s) {
  if (K == NormActKind::kRelu) {
    // v < 0 ? 0 : v, NaN stays.
    return vbslq_f32(vcltq_f32(v, vdupq_n_f32(0.f)), vdupq_n_f32(0.f), v);
  }
  if (K == NormActKind::kLeakyRelu || K == NormActKind::kPRelu) {
    return vbslq_f32(vcltq_f32(v, vdupq_n_f32(0.f)), vmulq_f32(v, s), v);
  }
  (void)s;
  return v;
}

template <NormActKind K>
float activate1(float v, float s) {
  if (K == NormActKind::kRelu) return v < 0.f ? 0.f : v;
  if (K == NormActKind::kLeakyRelu || K == NormActKind::kPRelu) return v < 0.f ? s * v : v;
  (void)s;
  return v;
}

template <NormActKind K>
void affine(const float* in, float* out, int64_t n, float m, float a, float b, float s) {
  const float32x4_t vm = vdupq_n_f32(m), va = vdupq_n_f32(a), vb = vdupq_n_f32(b),
                    vs = vdupq_n_f32(s);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    float32x4_t v0 = vld1q_f32(in + i), v1 = vld1q_f32(in + i + 4);
    float32x4_t v2 = vld1q_f32(in + i + 8), v3 = vld1q_f32(in + i + 12);
    v0 = activate<K>(vfmaq_f32(vb, vsubq_f32(v0, vm), va), vs);
    v1 = activate<K>(vfmaq_f32(vb, vsubq_f32(v1, vm), va), vs);
    v2 = activate<K>(vfmaq_f32(vb, vsubq_f32(v2, vm), va), vs);
    v3 = activate<K>(vfmaq_f32(vb, vsubq_f32(v3, vm), va), vs);
    vst1q_f32(out + i, v0);
    vst1q_f32(out + i + 4, v1);
    vst1q_f32(out + i + 8, v2);
    vst1q_f32(out + i + 12, v3);
  }
  for (; i + 4 <= n; i += 4) {
    const float32x4_t v = vld1q_f32(in + i);
    vst1q_f32(out + i, activate<K>(vfmaq_f32(vb, vsubq_f32(v, vm), va), vs));
  }
  for (; i < n; ++i) out[i] = activate1<K>((in[i] - m) * a + b, s);
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

void shifted_sums(const float* in, int64_t n, float k, double* sum, double* sumsq) {
  constexpr int64_t kBlock = 1024;
  const float32x4_t vk = vdupq_n_f32(k);
  double s = 0.0, q = 0.0;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t stop = start + kBlock < n ? start + kBlock : n;
    float32x4_t s0 = vdupq_n_f32(0.f), s1 = s0, s2 = s0, s3 = s0;
    float32x4_t q0 = s0, q1 = s0, q2 = s0, q3 = s0;
    int64_t i = start;
    for (; i + 16 <= stop; i += 16) {
      const float32x4_t d0 = vsubq_f32(vld1q_f32(in + i), vk);
      const float32x4_t d1 = vsubq_f32(vld1q_f32(in + i + 4), vk);
      const float32x4_t d2 = vsubq_f32(vld1q_f32(in + i + 8), vk);
      const float32x4_t d3 = vsubq_f32(vld1q_f32(in + i + 12), vk);
      s0 = vaddq_f32(s0, d0);
      s1 = vaddq_f32(s1, d1);
      s2 = vaddq_f32(s2, d2);
      s3 = vaddq_f32(s3, d3);
      q0 = vfmaq_f32(q0, d0, d0);
      q1 = vfmaq_f32(q1, d1, d1);
      q2 = vfmaq_f32(q2, d2, d2);
      q3 = vfmaq_f32(q3, d3, d3);
    }
    for (; i + 4 <= stop; i += 4) {
      const float32x4_t d = vsubq_f32(vld1q_f32(in + i), vk);
      s0 = vaddq_f32(s0, d);
      q0 = vfmaq_f32(q0, d, d);
    }
    float ts = 0.f, tq = 0.f;
    for (; i < stop; ++i) {
      const float d = in[i] - k;
      ts += d;
      tq += d * d;
    }
    const float32x4_t sv = vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3));
    const float32x4_t qv = vaddq_f32(vaddq_f32(q0, q1), vaddq_f32(q2, q3));
    s += vaddvq_f64(vaddq_f64(vcvt_f64_f32(vget_low_f32(sv)), vcvt_high_f64_f32(sv))) + ts;
    q += vaddvq_f64(vaddq_f64(vcvt_f64_f32(vget_low_f32(qv)), vcvt_high_f64_f32(qv))) + tq;
  }
  *sum = s;
  *sumsq = q;
}

}  // namespace

void batch_norm_f32_neon(const float* x, float* y, int64_t channels, int64_t spatial,
                         const float* scale, const float* bias, const float* mean,
                         const float* var, float epsilon, const NormAct& act, int64_t begin,
                         int64_t end) {
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t c = plane % channels;
    const float a = scale[c] / __builtin_sqrtf(var[c] + epsilon);
    affine_act(x + plane * spatial, y + plane * spatial, spatial, mean[c], a, bias[c], act, c);
  }
}

void instance_norm_f32_neon(const float* x, float* y, int64_t channels, int64_t spatial,
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
