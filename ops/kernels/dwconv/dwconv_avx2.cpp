// Depthwise convolution, AVX2+FMA. Compiled with -mavx2 -mfma on x86-64 only.
//
// 3x3 fast paths (stride 1 and 2): vertical strips 8 outputs wide, sliding down the rows; every
// input row is loaded once per strip and feeds all output rows that use it (see strip()).
// 9 weights stay in registers; bias and the activation (a template parameter) are fused into
// the store. No scalar borders or tails: border strips use masked loads (masked-out lanes read
// 0 = the zero padding; masks precomputed once per call) and the last strip of a row overlaps
// the previous one (details in the comment block below).
// General path: per output row, dst = bias, then one pass per valid (kh, kw) tap over the
// interior columns (contiguous loads for stride_w 1, gathers otherwise), then the activation.
#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "ops/kernels/dwconv/dwconv.h"
#include "ops/kernels/dwconv/dwconv_act.h"
#include "ops/kernels/eltwise/vecmath_avx2.h"

namespace facet::ops {
namespace {

using vec_avx2::first_n_mask;

// Activation resolved for one plane (PRelu becomes leaky with the channel's slope).
struct PlaneAct {
  DwActKind kind;
  float lo, hi, alpha;
  __m256 vlo, vhi, valpha;
};

PlaneAct make_act(const DwActivation& a, int64_t c) {
  PlaneAct r;
  r.kind = a.kind;
  r.lo = a.alpha;
  r.hi = a.beta;
  r.alpha = a.alpha;
  if (a.kind == DwActKind::kPRelu) {
    r.kind = DwActKind::kLeakyRelu;
    r.alpha = a.slope[c];
  }
  r.vlo = _mm256_set1_ps(r.lo);
  r.vhi = _mm256_set1_ps(r.hi);
  r.valpha = _mm256_set1_ps(r.alpha);
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

inline __m256 act_vec(const PlaneAct& a, __m256 v) {
  switch (a.kind) {
    case DwActKind::kRelu: return _mm256_max_ps(_mm256_setzero_ps(), v);
    case DwActKind::kClip: return _mm256_min_ps(a.vhi, _mm256_max_ps(a.vlo, v));
    case DwActKind::kLeakyRelu:
    case DwActKind::kPRelu:
      return _mm256_blendv_ps(v, _mm256_mul_ps(v, a.valpha),
                              _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
    case DwActKind::kHardSwish: {
      __m256 t = _mm256_fmadd_ps(v, _mm256_set1_ps(1.0f / 6.0f), _mm256_set1_ps(0.5f));
      t = _mm256_min_ps(_mm256_set1_ps(1.0f), _mm256_max_ps(_mm256_setzero_ps(), t));
      return _mm256_mul_ps(v, t);
    }
    case DwActKind::kSigmoid: return vec_avx2::sigmoid_avx2(v);
    default: return v;
  }
}

// ------------------------------------------------------------------------------ 3x3 fast paths
//
// Vector positions along an output row: x_v = 8v for v < nvec - 1 and the last one at
// out_w - 8 (overlapping the previous vector) when out_w >= 8, so every store is a full vector
// inside the row. A row narrower than 8 has one vector at x = 0; its surplus lanes spill into
// the following rows of the same plane, which are written later (the store at the plane end is
// masked). Loads: a vector is "interior" when every lane of every load lies inside the input row
// (plain unaligned loads); border vectors use masked loads (masked-out lanes read as 0, which is
// exactly the zero padding), so there is no scalar path and no copy. Per input row the loads
// are, relative to xin = S*x - pad_left:  S=1: +0, +1, +2 (the three taps);
// S=2: +0, +8, +1, +9 (16 floats and the same shifted by one, de-interleaved with vshufps into
// taps 0/1/2 in the lane order [0 1 4 5 | 2 3 6 7], undone by one vpermpd before the store).

constexpr int kMaskTable = 16;  // border vectors whose masks are precomputed per call

template <int S>
constexpr int kLoads = S == 1 ? 3 : 4;

template <int S>
inline int64_t load_off(int k) {
  return S == 1 ? k : (k == 0 ? 0 : k == 1 ? 8 : k == 2 ? 1 : 9);
}

struct Masks {
  __m256i m[4];
};

// Masks for the loads of the vector whose first input column is xin.
template <int S>
inline void make_masks(int64_t xin, int64_t in_w, Masks* out) {
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i minus1 = _mm256_set1_epi32(-1);
  const __m256i w = _mm256_set1_epi32(static_cast<int>(in_w));
  for (int k = 0; k < kLoads<S>; ++k) {
    const int64_t st = xin + load_off<S>(k);
    // Clamp so the 32-bit lane arithmetic cannot overflow for absurd pads.
    const int64_t c = st < -16 ? -16 : (st > in_w + 16 ? in_w + 16 : st);
    const __m256i idx = _mm256_add_epi32(iota, _mm256_set1_epi32(static_cast<int>(c)));
    out->m[k] = _mm256_and_si256(_mm256_cmpgt_epi32(idx, minus1), _mm256_cmpgt_epi32(w, idx));
  }
}

struct ActV {
  __m256 lo, hi, alpha;
};

template <DwActKind K>
inline __m256 act_k(__m256 v, const ActV& a) {
  if (K == DwActKind::kRelu) return _mm256_max_ps(v, _mm256_setzero_ps());
  if (K == DwActKind::kClip) return _mm256_min_ps(_mm256_max_ps(v, a.lo), a.hi);
  if (K == DwActKind::kLeakyRelu)
    return _mm256_blendv_ps(v, _mm256_mul_ps(v, a.alpha),
                            _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
  if (K == DwActKind::kHardSwish) {
    __m256 t = _mm256_fmadd_ps(v, _mm256_set1_ps(1.0f / 6.0f), _mm256_set1_ps(0.5f));
    t = _mm256_min_ps(_mm256_max_ps(t, _mm256_setzero_ps()), _mm256_set1_ps(1.0f));
    return _mm256_mul_ps(v, t);
  }
  if (K == DwActKind::kSigmoid) return vec_avx2::sigmoid_avx2(v);
  return v;
}

// The three taps (columns xin + kw*1 for S=1, xin + kw + 2j for S=2) of one input row.
template <int S, bool M>
inline void load_taps(const float* s, const Masks* m, __m256* t0, __m256* t1, __m256* t2) {
  if (S == 1) {
    if (M) {
      *t0 = _mm256_maskload_ps(s, m->m[0]);
      *t1 = _mm256_maskload_ps(s + 1, m->m[1]);
      *t2 = _mm256_maskload_ps(s + 2, m->m[2]);
    } else {
      *t0 = _mm256_loadu_ps(s);
      *t1 = _mm256_loadu_ps(s + 1);
      *t2 = _mm256_loadu_ps(s + 2);
    }
  } else {
    __m256 l0, l1, m0, m1;
    if (M) {
      l0 = _mm256_maskload_ps(s, m->m[0]);
      l1 = _mm256_maskload_ps(s + 8, m->m[1]);
      m0 = _mm256_maskload_ps(s + 1, m->m[2]);
      m1 = _mm256_maskload_ps(s + 9, m->m[3]);
    } else {
      l0 = _mm256_loadu_ps(s);
      l1 = _mm256_loadu_ps(s + 8);
      m0 = _mm256_loadu_ps(s + 1);
      m1 = _mm256_loadu_ps(s + 9);
    }
    *t0 = _mm256_shuffle_ps(l0, l1, _MM_SHUFFLE(2, 0, 2, 0));
    *t1 = _mm256_shuffle_ps(l0, l1, _MM_SHUFFLE(3, 1, 3, 1));
    *t2 = _mm256_shuffle_ps(m0, m1, _MM_SHUFFLE(3, 1, 3, 1));
  }
}

// Stores 8 outputs at d unless that would cross the plane end (then only the part inside).
inline void store_out(float* d, __m256 v, const float* plane_end) {
  if (d + 8 <= plane_end) {
    _mm256_storeu_ps(d, v);
  } else {
    vec_avx2::store_first_n(d, v, plane_end - d);
  }
}

// Geometry shared by every plane of a call.
template <int S>
struct Geo {
  int64_t in_h, in_w, out_h, out_w, pt, pl;
  int64_t nvec;    // vectors per output row
  int64_t nleft;   // vectors [0, nleft) need masks
  int64_t nright;  // vectors [nright, nvec) need masks (nright >= nleft)
  // Bands of output rows whose input rows (about 16 KB) stay in L1 while the strips of the band
  // pass over them; each band re-reads the 2 (S=1) or 1 (S=2) input rows it shares with the
  // previous one. Computed once per call (not per plane: it costs a division).
  int64_t band;
  Masks tab[kMaskTable];  // masks of vectors v < kMaskTable/2 and v >= nvec - kMaskTable/2

  int64_t pos(int64_t v) const {
    const int64_t x = 8 * v;
    return out_w >= 8 && x + 8 > out_w ? out_w - 8 : x;
  }
  bool interior(int64_t v) const {
    const int64_t xin = S * pos(v) - pl;
    return xin >= 0 && xin + (S == 1 ? 2 : 9) + 7 < in_w;
  }
  // Masks of border vector v: from the table, or computed into *scratch (huge pads only).
  const Masks* masks(int64_t v, Masks* scratch) const {
    constexpr int64_t half = kMaskTable / 2;
    if (v < half) return &tab[v];
    if (v >= nvec - half) return &tab[half + (nvec - 1 - v)];
    return masks_slow(v, scratch);
  }
  __attribute__((noinline)) const Masks* masks_slow(int64_t v, Masks* scratch) const {
    make_masks<S>(S * pos(v) - pl, in_w, scratch);
    return scratch;
  }

  explicit Geo(const DwConvParams& p)
      : in_h(p.in_h), in_w(p.in_w), out_h(p.out_h), out_w(p.out_w), pt(p.pad_top),
        pl(p.pad_left) {
    nvec = (out_w + 7) / 8;
    // Per-call setup matters: the fused pointwise+depthwise op calls once per plane, so skip
    // the division when the whole plane is one band (same result: 4096 / (S*in_w) >= out_h).
    if (S * in_w * S * out_h <= 4096) {
      band = out_h;
    } else {
      band = 4096 / (S * in_w);
      if (band < 8) band = 8;
    }
    nleft = 0;
    while (nleft < nvec && !interior(nleft)) ++nleft;
    nright = nvec;
    while (nright > nleft && !interior(nright - 1)) --nright;
    constexpr int64_t half = kMaskTable / 2;
    for (int64_t v = 0; v < half && v < nvec; ++v) {
      if (v < nleft || v >= nright) make_masks<S>(S * pos(v) - pl, in_w, &tab[v]);
    }
    // Vectors v < half are served from tab[v] (masks() checks that first): only the others.
    for (int64_t i = 0; i < half && nvec - 1 - i >= half; ++i) {
      const int64_t v = nvec - 1 - i;
      if (v < nleft || v >= nright) make_masks<S>(S * pos(v) - pl, in_w, &tab[half + i]);
    }
  }
};

// acc + (t0 w0 + t1 w1 + t2 w2). Only the add depends on acc: an output's chain across its
// three input rows is three adds, not nine FMAs (36 cycles at 4 per FMA), which kept a strip
// at about 12 cycles per row step however many FMA units were free. MobileNetV1-224's
// 128 x 56 x 56 layer: 0.21 -> 0.13 ms in bench_conv on Zen 4; 512 x 14 x 14: 75 -> 34 us.
inline __m256 fma3(__m256 t0, __m256 t1, __m256 t2, const __m256* w, __m256 acc) {
  const __m256 row = _mm256_fmadd_ps(t2, w[2], _mm256_fmadd_ps(t1, w[1], _mm256_mul_ps(t0, w[0])));
  return _mm256_add_ps(acc, row);
}

// One vertical strip (8 output columns at x, output rows [oy0, oy1)) of a plane. Sliding window down
// the rows: each input row's taps are loaded once and feed the 3 (S=1) or 2 (S=2) output rows
// that use it; an output row is stored as soon as its last kernel row is added. Input rows
// outside [0, in_h) (top/bottom padding) contribute nothing.
template <int S, bool M, DwActKind K>
__attribute__((always_inline)) inline void strip(const Geo<S>& g, const float* src,
                                                 const __m256* w, __m256 vb, const ActV& a,
                                                 float* dst, const float* plane_end, int64_t x,
                                                 const Masks* m, int64_t oy0, int64_t oy1) {
  const float* col = src + (S * x - g.pl);
  float* out = dst + x;
  if (S == 1) {
    // Step r reads input row r - pt: kernel row 2 of output row r-2, row 1 of r-1, row 0 of r.
    __m256 acc2 = vb, acc1 = vb;
    for (int64_t r = oy0; r < oy1 + 2; ++r) {
      const int64_t iy = r - g.pt;
      __m256 acc0 = vb;
      if (iy >= 0 && iy < g.in_h) {
        __m256 t0, t1, t2;
        load_taps<S, M>(col + iy * g.in_w, m, &t0, &t1, &t2);
        acc2 = fma3(t0, t1, t2, w + 6, acc2);
        acc1 = fma3(t0, t1, t2, w + 3, acc1);
        acc0 = fma3(t0, t1, t2, w, acc0);
      }
      if (r >= oy0 + 2) store_out(out + (r - 2) * g.out_w, act_k<K>(acc2, a), plane_end);
      acc2 = acc1;
      acc1 = acc0;
    }
  } else {
    // Step oy reads input rows 2*oy - pt (kernel row 2 of output row oy-1, row 0 of oy) and
    // 2*oy - pt + 1 (kernel row 1 of oy).
    __m256 prev = vb;
    for (int64_t oy = oy0;; ++oy) {
      const int64_t iy = 2 * oy - g.pt;
      __m256 cur = vb;
      if (iy >= 0 && iy < g.in_h) {
        __m256 t0, t1, t2;
        load_taps<S, M>(col + iy * g.in_w, m, &t0, &t1, &t2);
        prev = fma3(t0, t1, t2, w + 6, prev);
        cur = fma3(t0, t1, t2, w, cur);
      }
      if (oy > oy0) {
        const __m256 v = _mm256_castpd_ps(
            _mm256_permute4x64_pd(_mm256_castps_pd(prev), _MM_SHUFFLE(3, 1, 2, 0)));
        store_out(out + (oy - 1) * g.out_w, act_k<K>(v, a), plane_end);
      }
      if (oy == oy1) break;
      if (iy + 1 >= 0 && iy + 1 < g.in_h) {
        __m256 t0, t1, t2;
        load_taps<S, M>(col + (iy + 1) * g.in_w, m, &t0, &t1, &t2);
        cur = fma3(t0, t1, t2, w + 3, cur);
      }
      prev = cur;
    }
  }
}

template <int S, DwActKind K>
void plane3x3(const Geo<S>& g, const float* src, const float* wp, float bias, const ActV& a,
              float* dst) {
  __m256 w[9];
  for (int i = 0; i < 9; ++i) w[i] = _mm256_set1_ps(wp[i]);
  const __m256 vb = _mm256_set1_ps(bias);
  const float* plane_end = dst + g.out_h * g.out_w;
  Masks scratch;
  const int64_t band = g.band;
  for (int64_t oy0 = 0; oy0 < g.out_h; oy0 += band) {
    const int64_t oy1 = oy0 + band < g.out_h ? oy0 + band : g.out_h;
    int64_t v = 0;
    for (; v < g.nleft; ++v)
      strip<S, true, K>(g, src, w, vb, a, dst, plane_end, g.pos(v), g.masks(v, &scratch), oy0,
                        oy1);
    for (; v < g.nright; ++v)
      strip<S, false, K>(g, src, w, vb, a, dst, plane_end, g.pos(v), nullptr, oy0, oy1);
    for (; v < g.nvec; ++v)
      strip<S, true, K>(g, src, w, vb, a, dst, plane_end, g.pos(v), g.masks(v, &scratch), oy0,
                        oy1);
  }
}

template <int S, DwActKind K>
void planes3x3(const DwConvParams& p, const Geo<S>& g, const float* input, const float* weight,
               const float* bias, float* output, int64_t begin, int64_t end) {
  const int64_t in_plane = p.in_plane_stride > 0 ? p.in_plane_stride : p.in_h * p.in_w;
  const int64_t out_plane = p.out_plane_stride > 0 ? p.out_plane_stride : p.out_h * p.out_w;
  ActV a;
  a.lo = _mm256_set1_ps(p.act.alpha);
  a.hi = _mm256_set1_ps(p.act.beta);
  a.alpha = _mm256_set1_ps(p.act.alpha);
  int64_t c = p.channels == 1 ? 0 : begin % p.channels;
  for (int64_t plane = begin; plane < end; ++plane) {
    if (p.act.kind == DwActKind::kPRelu) a.alpha = _mm256_set1_ps(p.act.slope[c]);
    plane3x3<S, K>(g, input + plane * in_plane, weight + c * 9,
                   bias != nullptr ? bias[c] : 0.0f, a, output + plane * out_plane);
    if (++c == p.channels) c = 0;
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

void dwconv2d_f32_3x3s1_avx2(const DwConvParams& p, const float* input, const float* weight,
                             const float* bias, float* output, int64_t begin, int64_t end) {
  dw3x3<1>(p, input, weight, bias, output, begin, end);
}

void dwconv2d_f32_3x3s2_avx2(const DwConvParams& p, const float* input, const float* weight,
                             const float* bias, float* output, int64_t begin, int64_t end) {
  dw3x3<2>(p, input, weight, bias, output, begin, end);
}

void dwconv2d_f32_general_avx2(const DwConvParams& p, const float* input, const float* weight,
                               const float* bias, float* output, int64_t begin, int64_t end) {
  const int64_t in_plane = p.in_plane_stride > 0 ? p.in_plane_stride : p.in_h * p.in_w;
  const int64_t out_plane = p.out_plane_stride > 0 ? p.out_plane_stride : p.out_h * p.out_w;
  const int64_t ksize = p.kernel_h * p.kernel_w;
  const int64_t sw = p.stride_w, dw = p.dilation_w, pl = p.pad_left;
  const __m256i vidx = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                          _mm256_set1_epi32(static_cast<int>(sw)));
  const bool can_gather = sw * 8 < (int64_t(1) << 30);
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
          const __m256 vw = _mm256_set1_ps(wv);
          const int64_t off = kw * dw - pl;  // ix = ox * sw + off
          // Columns with 0 <= ox*sw + off < in_w.
          int64_t xa = off >= 0 ? 0 : (-off + sw - 1) / sw;
          int64_t xb = (p.in_w - 1 - off) >= 0 ? (p.in_w - 1 - off) / sw + 1 : 0;
          if (xb > p.out_w) xb = p.out_w;
          if (xa > xb) xa = xb;
          int64_t ox = xa;
          if (sw == 1) {
            for (; ox + 8 <= xb; ox += 8) {
              __m256 d = _mm256_loadu_ps(drow + ox);
              _mm256_storeu_ps(drow + ox, _mm256_fmadd_ps(_mm256_loadu_ps(srow + ox + off), vw, d));
            }
          } else if (can_gather) {
            for (; ox + 8 <= xb; ox += 8) {
              __m256 d = _mm256_loadu_ps(drow + ox);
              __m256 s = _mm256_i32gather_ps(srow + ox * sw + off, vidx, 4);
              _mm256_storeu_ps(drow + ox, _mm256_fmadd_ps(s, vw, d));
            }
          }
          for (; ox < xb; ++ox) drow[ox] += srow[ox * sw + off] * wv;
        }
      }
      int64_t ox = 0;
      for (; ox + 8 <= p.out_w; ox += 8)
        _mm256_storeu_ps(drow + ox, act_vec(act, _mm256_loadu_ps(drow + ox)));
      for (; ox < p.out_w; ++ox) drow[ox] = act_scalar(act, drow[ox]);
    }
  }
}

}  // namespace facet::ops
