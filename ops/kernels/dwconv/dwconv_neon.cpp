// Depthwise convolution, NEON (aarch64 only).
//
// Same structure as dwconv_avx2.cpp with 4-wide vectors: per output row, the valid input rows
// are gathered once and the row kernel is instantiated per count of valid rows; columns split
// into left border (scalar), interior (8 then 4 outputs per step), tail and right border
// (scalar). Stride 2 uses vld2q_f32 (hardware de-interleave).
#include <arm_neon.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "ops/kernels/dwconv/dwconv.h"
#include "ops/kernels/eltwise/vecmath_neon.h"

namespace facet::ops {
namespace {

struct PlaneAct {
  DwActKind kind;
  float lo, hi, alpha;
};

PlaneAct make_act(const DwActivation& a, int64_t c) {
  PlaneAct r{a.kind, a.alpha, a.beta, a.alpha};
  if (a.kind == DwActKind::kPRelu) {
    r.kind = DwActKind::kLeakyRelu;
    r.alpha = a.slope[c];
  }
  return r;
}

inline float act_scalar(const PlaneAct& a, float v) {
  switch (a.kind) {
    case DwActKind::kRelu: return v < 0.0f ? 0.0f : v;
    case DwActKind::kClip: {
      float t = v < a.lo ? a.lo : v;
      return t > a.hi ? a.hi : t;
    }
    case DwActKind::kLeakyRelu:
    case DwActKind::kPRelu: return v < 0.0f ? a.alpha * v : v;
    case DwActKind::kHardSwish: {
      float t = v / 6.0f + 0.5f;
      t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
      return v * t;
    }
    case DwActKind::kSigmoid: return 1.0f / (1.0f + std::exp(-v));
    default: return v;
  }
}

inline float32x4_t act_vec(const PlaneAct& a, float32x4_t v) {
  switch (a.kind) {
    case DwActKind::kRelu: return vmaxq_f32(v, vdupq_n_f32(0.0f));
    case DwActKind::kClip: return vminq_f32(vmaxq_f32(v, vdupq_n_f32(a.lo)), vdupq_n_f32(a.hi));
    case DwActKind::kLeakyRelu:
    case DwActKind::kPRelu:
      return vbslq_f32(vcltq_f32(v, vdupq_n_f32(0.0f)), vmulq_n_f32(v, a.alpha), v);
    case DwActKind::kHardSwish: {
      float32x4_t t = vfmaq_f32(vdupq_n_f32(0.5f), v, vdupq_n_f32(1.0f / 6.0f));
      t = vminq_f32(vmaxq_f32(t, vdupq_n_f32(0.0f)), vdupq_n_f32(1.0f));
      return vmulq_f32(v, t);
    }
    case DwActKind::kSigmoid: return vec_neon::sigmoid_neon(v);
    default: return v;
  }
}

template <int S>
inline float tap3_scalar(const float* const* rows, const float* const* wrows, int nr, int64_t ox,
                         int64_t pl, int64_t in_w, float bias) {
  float acc = bias;
  const int64_t ix0 = ox * S - pl;
  for (int r = 0; r < nr; ++r) {
    for (int kw = 0; kw < 3; ++kw) {
      const int64_t ix = ix0 + kw;
      if (ix >= 0 && ix < in_w) acc += rows[r][ix] * wrows[r][kw];
    }
  }
  return acc;
}

template <int S>
inline void interior3(int64_t pl, int64_t in_w, int64_t out_w, int64_t* x0, int64_t* x1) {
  int64_t a = (pl + S - 1) / S;
  int64_t b = in_w - 3 + pl >= 0 ? (in_w - 3 + pl) / S + 1 : 0;
  if (b > out_w) b = out_w;
  if (a > b) a = b;
  *x0 = a;
  *x1 = b;
}

// 4 outputs at input column ix (stride 1).
template <int NR>
inline float32x4_t s1_vec(const float* const* rows, const float32x4_t (*w)[3], int64_t ix,
                          float32x4_t vb) {
  float32x4_t acc[NR];
  for (int r = 0; r < NR; ++r) {
    const float* s = rows[r] + ix;
    float32x4_t t = vmulq_f32(vld1q_f32(s), w[r][0]);
    t = vfmaq_f32(t, vld1q_f32(s + 1), w[r][1]);
    acc[r] = vfmaq_f32(t, vld1q_f32(s + 2), w[r][2]);
  }
  float32x4_t sum = vaddq_f32(vb, acc[0]);
  for (int r = 1; r < NR; ++r) sum = vaddq_f32(sum, acc[r]);
  return sum;
}

// 4 outputs at input column ix (stride 2); reads ix .. ix+9.
template <int NR>
inline float32x4_t s2_vec(const float* const* rows, const float32x4_t (*w)[3], int64_t ix,
                          float32x4_t vb) {
  float32x4_t acc[NR];
  for (int r = 0; r < NR; ++r) {
    const float* s = rows[r] + ix;
    float32x4x2_t a = vld2q_f32(s);      // evens x0..x6, odds x1..x7
    float32x4x2_t b = vld2q_f32(s + 2);  // evens x2..x8
    float32x4_t t = vmulq_f32(a.val[0], w[r][0]);
    t = vfmaq_f32(t, a.val[1], w[r][1]);
    acc[r] = vfmaq_f32(t, b.val[0], w[r][2]);
  }
  float32x4_t sum = vaddq_f32(vb, acc[0]);
  for (int r = 1; r < NR; ++r) sum = vaddq_f32(sum, acc[r]);
  return sum;
}

template <int S, int NR>
void row3(const float* const* rows, const float* const* wrows, float* dst, int64_t out_w,
          int64_t in_w, int64_t pl, float bias, const PlaneAct& act) {
  int64_t x0, x1;
  interior3<S>(pl, in_w, out_w, &x0, &x1);
  for (int64_t ox = 0; ox < x0; ++ox)
    dst[ox] = act_scalar(act, tap3_scalar<S>(rows, wrows, NR, ox, pl, in_w, bias));
  float32x4_t w[3][3];
  for (int r = 0; r < NR; ++r)
    for (int k = 0; k < 3; ++k) w[r][k] = vdupq_n_f32(wrows[r][k]);
  const float32x4_t vb = vdupq_n_f32(bias);
  int64_t ox = x0;
  if (S == 1) {
    for (; ox + 8 <= x1; ox += 8) {
      float32x4_t v0 = s1_vec<NR>(rows, w, ox - pl, vb);
      float32x4_t v1 = s1_vec<NR>(rows, w, ox + 4 - pl, vb);
      vst1q_f32(dst + ox, act_vec(act, v0));
      vst1q_f32(dst + ox + 4, act_vec(act, v1));
    }
    for (; ox + 4 <= x1; ox += 4) vst1q_f32(dst + ox, act_vec(act, s1_vec<NR>(rows, w, ox - pl, vb)));
  } else {
    // The second vld2q reads one float past the last tap: require ix + 10 <= in_w.
    for (; ox + 4 <= x1 && 2 * ox - pl + 10 <= in_w; ox += 4)
      vst1q_f32(dst + ox, act_vec(act, s2_vec<NR>(rows, w, 2 * ox - pl, vb)));
  }
  for (; ox < out_w; ++ox)
    dst[ox] = act_scalar(act, tap3_scalar<S>(rows, wrows, NR, ox, pl, in_w, bias));
}

template <int S>
void dw3x3(const DwConvParams& p, const float* input, const float* weight, const float* bias,
           float* output, int64_t begin, int64_t end) {
  const int64_t in_plane = p.in_h * p.in_w;
  const int64_t out_plane = p.out_h * p.out_w;
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t c = plane % p.channels;
    const float* src = input + plane * in_plane;
    const float* w = weight + c * 9;
    float* dst = output + plane * out_plane;
    const float b = bias != nullptr ? bias[c] : 0.0f;
    const PlaneAct act = make_act(p.act, c);
    for (int64_t oy = 0; oy < p.out_h; ++oy) {
      const float* rows[3];
      const float* wrows[3];
      int nr = 0;
      for (int kh = 0; kh < 3; ++kh) {
        const int64_t iy = oy * S - p.pad_top + kh;
        if (iy < 0 || iy >= p.in_h) continue;
        rows[nr] = src + iy * p.in_w;
        wrows[nr] = w + kh * 3;
        ++nr;
      }
      float* drow = dst + oy * p.out_w;
      switch (nr) {
        case 3: row3<S, 3>(rows, wrows, drow, p.out_w, p.in_w, p.pad_left, b, act); break;
        case 2: row3<S, 2>(rows, wrows, drow, p.out_w, p.in_w, p.pad_left, b, act); break;
        case 1: row3<S, 1>(rows, wrows, drow, p.out_w, p.in_w, p.pad_left, b, act); break;
        default: {
          const float v = act_scalar(act, b);
          for (int64_t ox = 0; ox < p.out_w; ++ox) drow[ox] = v;
        }
      }
    }
  }
}

}  // namespace

void dwconv2d_f32_3x3s1_neon(const DwConvParams& p, const float* input, const float* weight,
                             const float* bias, float* output, int64_t begin, int64_t end) {
  dw3x3<1>(p, input, weight, bias, output, begin, end);
}

void dwconv2d_f32_3x3s2_neon(const DwConvParams& p, const float* input, const float* weight,
                             const float* bias, float* output, int64_t begin, int64_t end) {
  dw3x3<2>(p, input, weight, bias, output, begin, end);
}

void dwconv2d_f32_general_neon(const DwConvParams& p, const float* input, const float* weight,
                               const float* bias, float* output, int64_t begin, int64_t end) {
  const int64_t in_plane = p.in_h * p.in_w;
  const int64_t out_plane = p.out_h * p.out_w;
  const int64_t ksize = p.kernel_h * p.kernel_w;
  const int64_t sw = p.stride_w, dw = p.dilation_w, pl = p.pad_left;
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t c = plane % p.channels;
    const float* src = input + plane * in_plane;
    const float* w = weight + c * ksize;
    float* dst = output + plane * out_plane;
    const float b = bias != nullptr ? bias[c] : 0.0f;
    const PlaneAct act = make_act(p.act, c);
    for (int64_t oy = 0; oy < p.out_h; ++oy) {
      float* drow = dst + oy * p.out_w;
      for (int64_t ox = 0; ox < p.out_w; ++ox) drow[ox] = b;
      for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
        const int64_t iy = oy * p.stride_h - p.pad_top + kh * p.dilation_h;
        if (iy < 0 || iy >= p.in_h) continue;
        const float* srow = src + iy * p.in_w;
        for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
          const float wv = w[kh * p.kernel_w + kw];
          const int64_t off = kw * dw - pl;
          int64_t xa = off >= 0 ? 0 : (-off + sw - 1) / sw;
          int64_t xb = (p.in_w - 1 - off) >= 0 ? (p.in_w - 1 - off) / sw + 1 : 0;
          if (xb > p.out_w) xb = p.out_w;
          if (xa > xb) xa = xb;
          int64_t ox = xa;
          if (sw == 1) {
            for (; ox + 4 <= xb; ox += 4)
              vst1q_f32(drow + ox, vfmaq_n_f32(vld1q_f32(drow + ox), vld1q_f32(srow + ox + off), wv));
          } else if (sw == 2) {
            // vld2q reads 8 floats from ix: the last (ix + 7) must be inside the row.
            for (; ox + 4 <= xb && ox * 2 + off + 8 <= p.in_w; ox += 4)
              vst1q_f32(drow + ox,
                        vfmaq_n_f32(vld1q_f32(drow + ox), vld2q_f32(srow + ox * 2 + off).val[0], wv));
          }
          for (; ox < xb; ++ox) drow[ox] += srow[ox * sw + off] * wv;
        }
      }
      int64_t ox = 0;
      for (; ox + 4 <= p.out_w; ox += 4) vst1q_f32(drow + ox, act_vec(act, vld1q_f32(drow + ox)));
      for (; ox < p.out_w; ++ox) drow[ox] = act_scalar(act, drow[ox]);
    }
  }
}

}  // namespace facet::ops
