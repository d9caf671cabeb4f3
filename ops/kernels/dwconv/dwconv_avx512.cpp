// Depthwise convolution 3x3 (stride 1 and 2), AVX-512F. Compiled with -mavx512f -mavx2 -mfma on
// x86-64 only; the general geometry stays on the AVX2 kernel (dwconv2d_kernels).
//
// Same scheme as dwconv_avx2.cpp (vertical strips sliding down the rows, each input row loaded
// once per strip, the three taps of a row summed apart from the carried accumulator, bias and
// activation fused into the store), with strips 16 outputs wide. Why a second x86 variant:
// the 14 x 14 and 7 x 7 planes of MobileNet-style networks are one zmm strip instead of two (or
// one half-empty) ymm strips, 28 / 56 / 112-wide rows take 2 / 4 / 7 strips instead of 4 / 7 /
// 14, so the FMA, load and loop instructions per output halve; border strips use AVX-512 mask
// registers (masked-out lanes read 0, never fault), where AVX2 needs vmaskmovps (slow on AMD).
// Stride 2 de-interleaves 32 loaded floats with one two-source permute per tap (vpermt2ps) in
// natural lane order, so nothing is undone before the store.
#include "ops/kernels/eltwise/vecmath_avx512.h"  // first: it includes <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "ops/kernels/dwconv/dwconv.h"
#include "ops/kernels/dwconv/dwconv_act.h"

namespace facet::ops {
namespace {

constexpr int64_t kW = 16;          // outputs per strip
constexpr int kMaskTable = 16;      // border strips whose masks are precomputed per call

template <int S>
constexpr int kLoads = S == 1 ? 3 : 4;

// Load offsets relative to xin = S * x - pad_left. S=1: the three taps. S=2: 32 floats at +0
// and the same shifted by one at +1 (taps 0 and 1 are the even / odd lanes of the first pair,
// tap 2 the odd lanes of the shifted pair).
template <int S>
inline int64_t load_off(int k) {
  return S == 1 ? k : (k == 0 ? 0 : k == 1 ? 16 : k == 2 ? 1 : 17);
}

struct Masks {
  __mmask16 m[4];
};

// Lanes i of a 16-float load starting at input column st with 0 <= st + i < in_w.
inline __mmask16 row_mask(int64_t st, int64_t in_w) {
  return vec_avx512::first_n_lanes(in_w - st) & ~vec_avx512::first_n_lanes(-st);
}

template <int S>
inline void make_masks(int64_t xin, int64_t in_w, Masks* out) {
  for (int k = 0; k < kLoads<S>; ++k) out->m[k] = row_mask(xin + load_off<S>(k), in_w);
}

struct ActV {
  __m512 lo, hi, alpha;
};

// The activation's constants as vectors (kPRelu: alpha is reloaded per channel by the caller).
inline ActV act_vectors(const DwActivation& act) {
  ActV a;
  a.lo = _mm512_set1_ps(act.alpha);
  a.hi = _mm512_set1_ps(act.beta);
  a.alpha = _mm512_set1_ps(act.alpha);
  return a;
}

template <DwActKind K>
__attribute__((always_inline)) inline __m512 act_k(__m512 v, const ActV& a) {
  if (K == DwActKind::kRelu) return _mm512_max_ps(v, _mm512_setzero_ps());
  if (K == DwActKind::kClip) return _mm512_min_ps(_mm512_max_ps(v, a.lo), a.hi);
  if (K == DwActKind::kLeakyRelu) {
    const __mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_mul_ps(v, neg, v, a.alpha);
  }
  if (K == DwActKind::kHardSwish) {
    __m512 t = _mm512_fmadd_ps(v, _mm512_set1_ps(1.0f / 6.0f), _mm512_set1_ps(0.5f));
    t = _mm512_min_ps(_mm512_max_ps(t, _mm512_setzero_ps()), _mm512_set1_ps(1.0f));
    return _mm512_mul_ps(v, t);
  }
  if (K == DwActKind::kSigmoid) return vec_avx512::sigmoid_avx512(v);
  return v;
}

template <int S, bool M>
__attribute__((always_inline)) inline void load_taps(const float* s, const Masks* m, __m512* t0,
                                                     __m512* t1, __m512* t2) {
  if (S == 1) {
    if (M) {
      *t0 = _mm512_maskz_loadu_ps(m->m[0], s);
      *t1 = _mm512_maskz_loadu_ps(m->m[1], s + 1);
      *t2 = _mm512_maskz_loadu_ps(m->m[2], s + 2);
    } else {
      *t0 = _mm512_loadu_ps(s);
      *t1 = _mm512_loadu_ps(s + 1);
      *t2 = _mm512_loadu_ps(s + 2);
    }
  } else {
    __m512 l0, l1, m0, m1;
    if (M) {
      l0 = _mm512_maskz_loadu_ps(m->m[0], s);
      l1 = _mm512_maskz_loadu_ps(m->m[1], s + 16);
      m0 = _mm512_maskz_loadu_ps(m->m[2], s + 1);
      m1 = _mm512_maskz_loadu_ps(m->m[3], s + 17);
    } else {
      l0 = _mm512_loadu_ps(s);
      l1 = _mm512_loadu_ps(s + 16);
      m0 = _mm512_loadu_ps(s + 1);
      m1 = _mm512_loadu_ps(s + 17);
    }
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    *t0 = _mm512_permutex2var_ps(l0, even, l1);
    *t1 = _mm512_permutex2var_ps(l0, odd, l1);
    *t2 = _mm512_permutex2var_ps(m0, odd, m1);
  }
}

// Stores 16 outputs at d unless that would cross the plane end (then only the part inside).
__attribute__((always_inline)) inline void store_out(float* d, __m512 v, const float* plane_end) {
  if (d + kW <= plane_end) {
    _mm512_storeu_ps(d, v);
  } else {
    _mm512_mask_storeu_ps(d, vec_avx512::first_n_lanes(plane_end - d), v);
  }
}

// Geometry shared by every plane of a call (as Geo in dwconv_avx2.cpp, 16-wide strips: the
// last strip of a row at out_w - 16 overlapping the previous one when out_w >= 16; a row
// narrower than 16 is one strip at 0 whose surplus lanes spill into the next rows of the
// plane, written later, and are masked at the plane end).
template <int S>
struct Geo {
  int64_t in_h, in_w, out_h, out_w, pt, pl;
  int64_t nvec, nleft, nright, band;
  Masks tab[kMaskTable];

  int64_t pos(int64_t v) const {
    const int64_t x = kW * v;
    return out_w >= kW && x + kW > out_w ? out_w - kW : x;
  }
  bool interior(int64_t v) const {
    const int64_t xin = S * pos(v) - pl;
    return xin >= 0 && xin + (S == 1 ? 2 : 17) + (kW - 1) < in_w;
  }
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
    nvec = (out_w + kW - 1) / kW;
    // Bands of output rows whose input rows (about 16 KB) stay in L1 while the strips pass.
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
    for (int64_t i = 0; i < half && nvec - 1 - i >= half; ++i) {
      const int64_t v = nvec - 1 - i;
      if (v < nleft || v >= nright) make_masks<S>(S * pos(v) - pl, in_w, &tab[half + i]);
    }
  }
};

// acc + (t0 w0 + t1 w1 + t2 w2): only the add depends on acc (see fma3 in dwconv_avx2.cpp).
__attribute__((always_inline)) inline __m512 fma3(__m512 t0, __m512 t1, __m512 t2,
                                                  const __m512* w, __m512 acc) {
  const __m512 row = _mm512_fmadd_ps(t2, w[2], _mm512_fmadd_ps(t1, w[1], _mm512_mul_ps(t0, w[0])));
  return _mm512_add_ps(acc, row);
}

// One vertical strip (16 output columns at x, output rows [oy0, oy1)) of a plane.
template <int S, bool M, DwActKind K>
__attribute__((always_inline)) inline void strip(const Geo<S>& g, const float* src,
                                                 const __m512* w, __m512 vb, const ActV& a,
                                                 float* dst, const float* plane_end, int64_t x,
                                                 const Masks* m, int64_t oy0, int64_t oy1,
                                                 const float*& pf, const float* pf_end) {
  const float* col = src + (S * x - g.pl);
  float* out = dst + x;
  if (S == 1) {
    __m512 acc2 = vb, acc1 = vb;
    for (int64_t r = oy0; r < oy1 + 2; ++r) {
      if (pf < pf_end) {
        _mm_prefetch(reinterpret_cast<const char*>(pf), _MM_HINT_T0);
        pf += 16;
      }
      const int64_t iy = r - g.pt;
      __m512 acc0 = vb;
      if (iy >= 0 && iy < g.in_h) {
        __m512 t0, t1, t2;
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
    __m512 prev = vb;
    for (int64_t oy = oy0;; ++oy) {
      if (pf < pf_end) {  // four input lines per output row step (stride 2: 4x the input)
        _mm_prefetch(reinterpret_cast<const char*>(pf), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(pf + 16), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(pf + 32), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(pf + 48), _MM_HINT_T0);
        pf += 64;
      }
      const int64_t iy = 2 * oy - g.pt;
      __m512 cur = vb;
      if (iy >= 0 && iy < g.in_h) {
        __m512 t0, t1, t2;
        load_taps<S, M>(col + iy * g.in_w, m, &t0, &t1, &t2);
        prev = fma3(t0, t1, t2, w + 6, prev);
        cur = fma3(t0, t1, t2, w, cur);
      }
      if (oy > oy0) store_out(out + (oy - 1) * g.out_w, act_k<K>(prev, a), plane_end);
      if (oy == oy1) break;
      if (iy + 1 >= 0 && iy + 1 < g.in_h) {
        __m512 t0, t1, t2;
        load_taps<S, M>(col + (iy + 1) * g.in_w, m, &t0, &t1, &t2);
        cur = fma3(t0, t1, t2, w + 3, cur);
      }
      prev = cur;
    }
  }
}

template <int S, DwActKind K>
void plane3x3(const Geo<S>& g, const float* src, const float* wp, float bias, const ActV& a,
              float* dst, const float* next, int64_t next_floats) {
  const float* pf = next;
  const float* const pf_end = next != nullptr ? next + next_floats : nullptr;
  __m512 w[9];
  for (int i = 0; i < 9; ++i) w[i] = _mm512_set1_ps(wp[i]);
  const __m512 vb = _mm512_set1_ps(bias);
  const float* plane_end = dst + g.out_h * g.out_w;
  Masks scratch;
  for (int64_t oy0 = 0; oy0 < g.out_h; oy0 += g.band) {
    const int64_t oy1 = oy0 + g.band < g.out_h ? oy0 + g.band : g.out_h;
    int64_t v = 0;
    for (; v < g.nleft; ++v)
      strip<S, true, K>(g, src, w, vb, a, dst, plane_end, g.pos(v), g.masks(v, &scratch), oy0,
                        oy1, pf, pf_end);
    for (; v < g.nright; ++v)
      strip<S, false, K>(g, src, w, vb, a, dst, plane_end, g.pos(v), nullptr, oy0, oy1, pf,
                         pf_end);
    for (; v < g.nvec; ++v)
      strip<S, true, K>(g, src, w, vb, a, dst, plane_end, g.pos(v), g.masks(v, &scratch), oy0,
                        oy1, pf, pf_end);
  }
}

template <int S, DwActKind K>
void planes3x3(const DwConvParams& p, const Geo<S>& g, const float* input, const float* weight,
               const float* bias, float* output, int64_t begin, int64_t end) {
  const int64_t in_plane = p.in_plane_stride > 0 ? p.in_plane_stride : p.in_h * p.in_w;
  const int64_t out_plane = p.out_plane_stride > 0 ? p.out_plane_stride : p.out_h * p.out_w;
  ActV a = act_vectors(p.act);
  int64_t c = p.channels == 1 ? 0 : begin % p.channels;
  for (int64_t plane = begin; plane < end; ++plane) {
    if (p.act.kind == DwActKind::kPRelu) a.alpha = _mm512_set1_ps(p.act.slope[c]);
    // The next plane's input is prefetched while this one runs (one line per row step of a
    // strip, four with stride 2): the planes of the larger layers come from L3. bench_conv on
    // Zen 5, min of 3 alternating runs, without -> with: 128 x 56 x 56 s1 84.7 -> 78.0 us, s2
    // 39.4 -> 34.2; 256 x 28 x 28 s1 35.3 -> 33.8, s2 21.8 -> 17.9; 512 x 14 x 14 s1 21.2 ->
    // 19.2; 64 x 112 x 112 s2 77.0 -> 72.4; planes that stay in L2 (32 x 60 x 60) within noise.
    const float* next = plane + 1 < end ? input + (plane + 1) * in_plane : p.prefetch_after;
    plane3x3<S, K>(g, input + plane * in_plane, weight + c * 9,
                   bias != nullptr ? bias[c] : 0.0f, a, output + plane * out_plane, next,
                   p.in_h * p.in_w);
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

// Tiny "same" planes (3x3, stride 1, every pad 1, at most kFlatMaxVec * 16 outputs): the
// plane is walked as one flat array of 16-lane vectors across row boundaries. Output lane
// (y, x) of tap (dy, dx) reads flat input index (y + dy) * w + x + dx, so each tap of a vector
// is one masked load at a fixed offset: lanes whose column x + dx leaves the row are masked
// (the wrap into the neighbouring row), and the range check 0 <= index < h * w masks the rows
// above and below the plane (and never reads outside it). The masks depend only on the plane
// geometry: computed once per call. 9 masked loads and 9 FMAs per 16 outputs, where an 8-wide
// AVX2 strip down a 4-column plane runs 6 row steps of 12 vector ops at half the lanes.
// Standalone on Zen 4 (512 planes, hot caches, 1 thread, min of 30 x 1000 calls), flat ->
// strips: 2x2 4.3 / 6.3 us, 3x3 4.1 / 7.3, 4x4 3.8-5.6 / 8.2, 5x5 6.8 / 9.2, 6x6 10.6 / 10.7;
// from three vectors on the strips win (8x8 8.1 / 5.8, 7x7 27 / 22 for 1024 planes, 14x14 47 /
// 28): the masked loads cost more than the strips' unmasked row loads.
constexpr int64_t kFlatMaxVec = 2;

struct FlatGeo {
  int64_t w, hw, nvec;
  __mmask16 m[kFlatMaxVec][9];  // [vector][(dy + 1) * 3 + dx + 1]
};

bool flat_ok(const DwConvParams& p) {
  return p.pad_top == 1 && p.pad_left == 1 && p.out_h == p.in_h && p.out_w == p.in_w &&
         p.in_h * p.in_w <= kFlatMaxVec * kW;
}

void make_flat(const DwConvParams& p, FlatGeo* f) {
  f->w = p.in_w;
  f->hw = p.in_h * p.in_w;
  f->nvec = (f->hw + kW - 1) / kW;
  for (int64_t v = 0; v < f->nvec; ++v) {
    __mmask16 left = 0, right = 0;  // lanes whose output column has a left / right neighbour
    for (int i = 0; i < kW; ++i) {
      const int64_t x = (kW * v + i) % f->w;
      if (x > 0) left = static_cast<__mmask16>(left | (1u << i));
      if (x < f->w - 1) right = static_cast<__mmask16>(right | (1u << i));
    }
    for (int dy = -1; dy <= 1; ++dy) {
      for (int dx = -1; dx <= 1; ++dx) {
        __mmask16 m = row_mask(kW * v + dy * f->w + dx, f->hw);
        if (dx < 0) m &= left;
        if (dx > 0) m &= right;
        f->m[v][(dy + 1) * 3 + dx + 1] = m;
      }
    }
  }
}

template <DwActKind K>
void flat_planes(const DwConvParams& p, const FlatGeo& f, const float* input, const float* weight,
                 const float* bias, float* output, int64_t begin, int64_t end) {
  const int64_t in_plane = p.in_plane_stride > 0 ? p.in_plane_stride : f.hw;
  const int64_t out_plane = p.out_plane_stride > 0 ? p.out_plane_stride : f.hw;
  const int64_t w = f.w;
  ActV a = act_vectors(p.act);
  int64_t c = p.channels == 1 ? 0 : begin % p.channels;
  for (int64_t plane = begin; plane < end; ++plane) {
    if (p.act.kind == DwActKind::kPRelu) a.alpha = _mm512_set1_ps(p.act.slope[c]);
    const float* wp = weight + c * 9;
    __m512 wv[9];
    for (int i = 0; i < 9; ++i) wv[i] = _mm512_set1_ps(wp[i]);
    const __m512 vb = _mm512_set1_ps(bias != nullptr ? bias[c] : 0.0f);
    const float* src = input + plane * in_plane;
    float* dst = output + plane * out_plane;
    for (int64_t v = 0; v < f.nvec; ++v) {
      const __mmask16* m = f.m[v];
      const float* s = src + kW * v;
      // One partial sum per input row (dy), each a chain of three.
      __m512 r[3];
      for (int dy = 0; dy < 3; ++dy) {
        const float* row = s + (dy - 1) * w;
        __m512 acc = dy == 0 ? vb : _mm512_setzero_ps();
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m[dy * 3], row - 1), wv[dy * 3], acc);
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m[dy * 3 + 1], row), wv[dy * 3 + 1], acc);
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m[dy * 3 + 2], row + 1), wv[dy * 3 + 2], acc);
        r[dy] = acc;
      }
      const __m512 y = act_k<K>(_mm512_add_ps(_mm512_add_ps(r[0], r[1]), r[2]), a);
      if (kW * v + kW <= f.hw) {
        _mm512_storeu_ps(dst + kW * v, y);
      } else {
        _mm512_mask_storeu_ps(dst + kW * v, vec_avx512::first_n_lanes(f.hw - kW * v), y);
      }
    }
    if (++c == p.channels) c = 0;
  }
}

void dw3x3_flat(const DwConvParams& p, const float* input, const float* weight,
                const float* bias, float* output, int64_t begin, int64_t end) {
  if (begin >= end) return;
  FlatGeo f;
  make_flat(p, &f);
  with_dw_act(p.act.kind, [&](auto k) {
    flat_planes<decltype(k)::value>(p, f, input, weight, bias, output, begin, end);
  });
}

}  // namespace

// Output rows of at most 8 columns stay on the 8-wide AVX2 strips: a 16-wide strip there
// computes and stores twice the lanes for the same number of row steps (bench_conv on Zen 5:
// 512 x 8 x 8 s1 18 -> 21 us, 1024 x 7 x 7 s1 34 -> 42 us, 512 x 14 x 14 s2 25 -> 35 us).
constexpr int64_t kNarrowOut = 8;

void dwconv2d_f32_3x3s1_avx512(const DwConvParams& p, const float* input, const float* weight,
                               const float* bias, float* output, int64_t begin, int64_t end) {
  if (flat_ok(p)) {
    dw3x3_flat(p, input, weight, bias, output, begin, end);
    return;
  }
  if (p.out_w <= kNarrowOut) {
    dwconv2d_f32_3x3s1_avx2(p, input, weight, bias, output, begin, end);
    return;
  }
  dw3x3<1>(p, input, weight, bias, output, begin, end);
}

void dwconv2d_f32_3x3s2_avx512(const DwConvParams& p, const float* input, const float* weight,
                               const float* bias, float* output, int64_t begin, int64_t end) {
  if (p.out_w <= kNarrowOut) {
    dwconv2d_f32_3x3s2_avx2(p, input, weight, bias, output, begin, end);
    return;
  }
  dw3x3<2>(p, input, weight, bias, output, begin, end);
}

}  // namespace facet::ops
