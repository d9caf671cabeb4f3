// NEON (aarch64) vector math helpers. INCLUDE ONLY FROM *_neon.cpp FILES.
//
// Internal linkage only (anonymous namespace): no symbol is shared with other translation units.
// Same algorithms and error bounds as vecmath_avx2.h:
//   exp_neon: x = n*ln2 + r, degree-6 Taylor polynomial for e^r, scale by 2^n; max relative
//   error about 3e-7 over [-87, 88]; x > 88.72 gives +inf, x < -86.6 gives <= 2.6e-38, NaN
//   stays NaN. sigmoid_neon absolute error < 1e-7; tanh_neon absolute error < 2e-7.
#pragma once

#include <arm_neon.h>

namespace facet::ops::vec_neon {
namespace {

inline float32x4_t exp_neon(float32x4_t x) {
  const float32x4_t hi = vdupq_n_f32(88.7228394f);
  const float32x4_t lo = vdupq_n_f32(-86.6f);
  float32x4_t xc = vminq_f32(vmaxq_f32(x, lo), hi);
  float32x4_t n = vrndnq_f32(vmulq_n_f32(xc, 1.44269504088896341f));
  float32x4_t r = vfmsq_f32(xc, n, vdupq_n_f32(0.693359375f));
  r = vfmsq_f32(r, n, vdupq_n_f32(-2.12194440e-4f));
  float32x4_t p = vdupq_n_f32(1.0f / 720.0f);
  p = vfmaq_f32(vdupq_n_f32(1.0f / 120.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f / 24.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f / 6.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(0.5f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
  // 2^n for n in [-125, 128] as 2^(n-1) * 2 (the exponent field stays normal).
  int32x4_t e = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(126)), 23);
  float32x4_t res = vmulq_n_f32(vmulq_f32(p, vreinterpretq_f32_s32(e)), 2.0f);
  res = vbslq_f32(vcgtq_f32(x, vdupq_n_f32(88.7228394f)), vdupq_n_f32(__builtin_inff()), res);
  // NaN: x != x.
  return vbslq_f32(vceqq_f32(x, x), res, x);
}

inline float32x4_t sigmoid_neon(float32x4_t x) {
  const float32x4_t one = vdupq_n_f32(1.0f);
  return vdivq_f32(one, vaddq_f32(one, exp_neon(vnegq_f32(x))));
}

inline float32x4_t tanh_neon(float32x4_t x) {
  const float32x4_t one = vdupq_n_f32(1.0f);
  float32x4_t ax = vabsq_f32(x);
  float32x4_t e = exp_neon(vaddq_f32(ax, ax));
  float32x4_t t = vsubq_f32(one, vdivq_f32(vdupq_n_f32(2.0f), vaddq_f32(e, one)));
  const uint32x4_t sign = vdupq_n_u32(0x80000000u);
  return vreinterpretq_f32_u32(
      vorrq_u32(vreinterpretq_u32_f32(t), vandq_u32(vreinterpretq_u32_f32(x), sign)));
}

}  // namespace
}  // namespace facet::ops::vec_neon
