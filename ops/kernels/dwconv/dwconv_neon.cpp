// Depthwise convolution, NEON (aarch64 only).
//
// Same structure as dwconv_avx2.cpp with 4-wide vectors (3x3: vertical strips sliding down the
// rows, no scalar borders or tails; border strips read through a zero-filled stack window).
// Stride 2 uses vld2q_f32 (hardware de-interleave). The general path is per tap and per row.
#include <arm_neon.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "ops/kernels/dwconv/dwconv.h"
#include "ops/kernels/dwconv/dwconv_act.h"
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

// ------------------------------------------------------------------------------ 3x3 fast paths
//
// Vector positions along an output row: x_v = 4v, the last one at out_w - 4 (overlapping the
// previous vector) when out_w >= 4, so every store is a full vector inside the row; a row
// narrower than 4 has one vector at x = 0 whose surplus lanes spill into the following rows of
// the same plane (written later; the store at the plane end is partial). A vector is interior
// when every float its loads touch lies inside the input row (xin = S*x - pad_left; S=1 reads
// xin .. xin+5, S=2 reads xin .. xin+9 with vld2q de-interleaving); border vectors first copy
// that window into a zero-filled stack array (the zero padding), so there is no scalar path.

template <int S>
constexpr int kSpan = S == 1 ? 6 : 10;  // floats read per input row per vector

template <DwActKind K>
inline float32x4_t act_k(float32x4_t v, float lo, float hi, float alpha) {
  if (K == DwActKind::kRelu) return vmaxq_f32(v, vdupq_n_f32(0.0f));
  if (K == DwActKind::kClip) return vminq_f32(vmaxq_f32(v, vdupq_n_f32(lo)), vdupq_n_f32(hi));
  if (K == DwActKind::kLeakyRelu)
    return vbslq_f32(vcltq_f32(v, vdupq_n_f32(0.0f)), vmulq_n_f32(v, alpha), v);
  if (K == DwActKind::kHardSwish) {
    float32x4_t t = vfmaq_f32(vdupq_n_f32(0.5f), v, vdupq_n_f32(1.0f / 6.0f));
    t = vminq_f32(vmaxq_f32(t, vdupq_n_f32(0.0f)), vdupq_n_f32(1.0f));
    return vmulq_f32(v, t);
  }
  if (K == DwActKind::kSigmoid) return vec_neon::sigmoid_neon(v);
  return v;
}

struct ActS {
  float lo, hi, alpha;
};

// Taps of one input row for the vector whose first input column is xin (s points at it).
// B: border vector, copy columns [xin, xin + span) into a zero-filled array first.
template <int S, bool B>
inline void load_taps(const float* row, int64_t xin, int64_t in_w, float32x4_t* t0,
                      float32x4_t* t1, float32x4_t* t2) {
  const float* s = row + xin;
  float tmp[12];
  if (B) {
    for (int i = 0; i < 12; ++i) tmp[i] = 0.0f;
    const int64_t a = xin < 0 ? -xin : 0;
    const int64_t b = in_w - xin < kSpan<S> ? in_w - xin : kSpan<S>;
    for (int64_t i = a; i < b; ++i) tmp[i] = row[xin + i];
    s = tmp;
  }
  if (S == 1) {
    *t0 = vld1q_f32(s);
    *t1 = vld1q_f32(s + 1);
    *t2 = vld1q_f32(s + 2);
  } else {
    const float32x4x2_t a = vld2q_f32(s);      // evens, odds
    const float32x4x2_t b = vld2q_f32(s + 2);  // evens shifted by one
    *t0 = a.val[0];
    *t1 = a.val[1];
    *t2 = b.val[0];
  }
}

inline void store_out(float* d, float32x4_t v, const float* plane_end) {
  if (d + 4 <= plane_end) {
    vst1q_f32(d, v);
  } else {
    float tmp[4];
    vst1q_f32(tmp, v);
    for (int64_t i = 0; i < plane_end - d; ++i) d[i] = tmp[i];
  }
}

template <int S>
struct Geo {
  int64_t in_h, in_w, out_h, out_w, pt, pl;
  int64_t nvec, nleft, nright;  // vectors [0, nleft) and [nright, nvec) are border vectors

  int64_t pos(int64_t v) const {
    const int64_t x = 4 * v;
    return out_w >= 4 && x + 4 > out_w ? out_w - 4 : x;
  }
  bool interior(int64_t v) const {
    const int64_t xin = S * pos(v) - pl;
    return xin >= 0 && xin + kSpan<S> <= in_w;
  }
  explicit Geo(const DwConvParams& p)
      : in_h(p.in_h), in_w(p.in_w), out_h(p.out_h), out_w(p.out_w), pt(p.pad_top),
        pl(p.pad_left) {
    nvec = (out_w + 3) / 4;
    nleft = 0;
    while (nleft < nvec && !interior(nleft)) ++nleft;
    nright = nvec;
    while (nright > nleft && !interior(nright - 1)) --nright;
  }
};

// acc + (t0 w0 + t1 w1 + t2 w2): the three products form their own short chain and only the
// add depends on acc, as in the AVX2 variant (there a fully serial chain of nine FMAs per
// output made the strips latency-bound; the NEON form follows it, not measured on hardware).
inline float32x4_t fma3(float32x4_t t0, float32x4_t t1, float32x4_t t2, const float32x4_t* w,
                        float32x4_t acc) {
  return vaddq_f32(acc, vfmaq_f32(vfmaq_f32(vmulq_f32(t0, w[0]), t1, w[1]), t2, w[2]));
}

// One vertical strip (4 output columns at x, every output row), sliding down the rows: each
// input row is loaded once and feeds every output row that uses it (as in dwconv_avx2.cpp).
template <int S, bool B, DwActKind K>
inline void strip(const Geo<S>& g, const float* src, const float32x4_t* w, float32x4_t vb,
                  const ActS& a, float* dst, const float* plane_end, int64_t x) {
  const int64_t xin = S * x - g.pl;
  float* out = dst + x;
  if (S == 1) {
    float32x4_t acc2 = vb, acc1 = vb;
    for (int64_t r = 0; r < g.out_h + 2; ++r) {
      const int64_t iy = r - g.pt;
      float32x4_t acc0 = vb;
      if (iy >= 0 && iy < g.in_h) {
        float32x4_t t0, t1, t2;
        load_taps<S, B>(src + iy * g.in_w, xin, g.in_w, &t0, &t1, &t2);
        acc2 = fma3(t0, t1, t2, w + 6, acc2);
        acc1 = fma3(t0, t1, t2, w + 3, acc1);
        acc0 = fma3(t0, t1, t2, w, acc0);
      }
      if (r >= 2)
        store_out(out + (r - 2) * g.out_w, act_k<K>(acc2, a.lo, a.hi, a.alpha), plane_end);
      acc2 = acc1;
      acc1 = acc0;
    }
  } else {
    float32x4_t prev = vb;
    for (int64_t oy = 0;; ++oy) {
      const int64_t iy = 2 * oy - g.pt;
      float32x4_t cur = vb;
      if (iy >= 0 && iy < g.in_h) {
        float32x4_t t0, t1, t2;
        load_taps<S, B>(src + iy * g.in_w, xin, g.in_w, &t0, &t1, &t2);
        prev = fma3(t0, t1, t2, w + 6, prev);
        cur = fma3(t0, t1, t2, w, cur);
      }
      if (oy >= 1)
        store_out(out + (oy - 1) * g.out_w, act_k<K>(prev, a.lo, a.hi, a.alpha), plane_end);
      if (oy == g.out_h) break;
      if (iy + 1 >= 0 && iy + 1 < g.in_h) {
        float32x4_t t0, t1, t2;
        load_taps<S, B>(src + (iy + 1) * g.in_w, xin, g.in_w, &t0, &t1, &t2);
        cur = fma3(t0, t1, t2, w + 3, cur);
      }
      prev = cur;
    }
  }
}

template <int S, DwActKind K>
void plane3x3(const Geo<S>& g, const float* src, const float* wp, float bias, const ActS& a,
              float* dst) {
  float32x4_t w[9];
  for (int i = 0; i < 9; ++i) w[i] = vdupq_n_f32(wp[i]);
  const float32x4_t vb = vdupq_n_f32(bias);
  const float* plane_end = dst + g.out_h * g.out_w;
  int64_t v = 0;
  for (; v < g.nleft; ++v) strip<S, true, K>(g, src, w, vb, a, dst, plane_end, g.pos(v));
  for (; v < g.nright; ++v) strip<S, false, K>(g, src, w, vb, a, dst, plane_end, g.pos(v));
  for (; v < g.nvec; ++v) strip<S, true, K>(g, src, w, vb, a, dst, plane_end, g.pos(v));
}

template <int S, DwActKind K>
void planes3x3(const DwConvParams& p, const Geo<S>& g, const float* input, const float* weight,
               const float* bias, float* output, int64_t begin, int64_t end) {
  const int64_t in_plane = p.in_plane_stride > 0 ? p.in_plane_stride : p.in_h * p.in_w;
  const int64_t out_plane = p.out_plane_stride > 0 ? p.out_plane_stride : p.out_h * p.out_w;
  ActS a{p.act.alpha, p.act.beta, p.act.alpha};
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t c = plane % p.channels;
    if (p.act.kind == DwActKind::kPRelu) a.alpha = p.act.slope[c];
    plane3x3<S, K>(g, input + plane * in_plane, weight + c * 9,
                   bias != nullptr ? bias[c] : 0.0f, a, output + plane * out_plane);
  }
}

template <int S>
void dw3x3(const DwConvParams& p, const float* input, const float* weight, const float* bias,
           float* output, int64_t begin, int64_t end) {
  if (begin >= end) return;
  const Geo<S> g(p);
  with_dw_act(p.act.kind, [&](auto k) {
    planes3x3<S, decltype(k)::value>(p, g, input, weight, bias, output, begin, end);
  });
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
  const int64_t in_plane = p.in_plane_stride > 0 ? p.in_plane_stride : p.in_h * p.in_w;
  const int64_t out_plane = p.out_plane_stride > 0 ? p.out_plane_stride : p.out_h * p.out_w;
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
