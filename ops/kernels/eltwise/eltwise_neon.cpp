// Element-wise kernels, NEON (aarch64 only). 8 elements per main-loop step, then 4, then the
// last 1-3 elements go through a small stack buffer so they get the same vector math.
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "ops/kernels/eltwise/eltwise.h"
#include "ops/kernels/eltwise/vecmath_neon.h"

namespace facet::ops::kernels {
namespace {

template <class F>
inline void unary_loop(const float* x, float* out, int64_t begin, int64_t end, F f) {
  int64_t i = begin;
  for (; i + 8 <= end; i += 8) {
    float32x4_t a = vld1q_f32(x + i), b = vld1q_f32(x + i + 4);
    vst1q_f32(out + i, f(a));
    vst1q_f32(out + i + 4, f(b));
  }
  for (; i + 4 <= end; i += 4) vst1q_f32(out + i, f(vld1q_f32(x + i)));
  if (i < end) {
    float buf[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    const int64_t n = end - i;
    for (int64_t k = 0; k < n; ++k) buf[k] = x[i + k];
    vst1q_f32(buf, f(vld1q_f32(buf)));
    for (int64_t k = 0; k < n; ++k) out[i + k] = buf[k];
  }
}

template <class F>
inline void binary_loop(const float* a, int64_t sa, const float* b, int64_t sb, float* out,
                        int64_t begin, int64_t end, F f) {
  int64_t i = begin;
  auto load = [](const float* p, int64_t s, int64_t idx) {
    return s == 0 ? vdupq_n_f32(p[0]) : vld1q_f32(p + idx);
  };
  for (; i + 4 <= end; i += 4) vst1q_f32(out + i, f(load(a, sa, i), load(b, sb, i)));
  if (i < end) {
    float ba[4] = {0.0f, 0.0f, 0.0f, 0.0f}, bb[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    const int64_t n = end - i;
    for (int64_t k = 0; k < n; ++k) {
      ba[k] = a[(i + k) * sa];
      bb[k] = b[(i + k) * sb];
    }
    vst1q_f32(ba, f(vld1q_f32(ba), vld1q_f32(bb)));
    for (int64_t k = 0; k < n; ++k) out[i + k] = ba[k];
  }
}

}  // namespace

void relu_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  unary_loop(x, out, begin, end, [](float32x4_t v) { return vmaxq_f32(v, vdupq_n_f32(0.0f)); });
}

void leaky_relu_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float alpha,
                         float) {
  unary_loop(x, out, begin, end, [alpha](float32x4_t v) {
    return vbslq_f32(vcltq_f32(v, vdupq_n_f32(0.0f)), vmulq_n_f32(v, alpha), v);
  });
}

void sigmoid_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  unary_loop(x, out, begin, end, [](float32x4_t v) { return vec_neon::sigmoid_neon(v); });
}

void tanh_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  unary_loop(x, out, begin, end, [](float32x4_t v) { return vec_neon::tanh_neon(v); });
}

void exp_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  unary_loop(x, out, begin, end, [](float32x4_t v) { return vec_neon::exp_neon(v); });
}

void hard_sigmoid_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float alpha,
                           float beta) {
  unary_loop(x, out, begin, end, [alpha, beta](float32x4_t v) {
    float32x4_t t = vaddq_f32(vmulq_n_f32(v, alpha), vdupq_n_f32(beta));
    return vminq_f32(vmaxq_f32(t, vdupq_n_f32(0.0f)), vdupq_n_f32(1.0f));
  });
}

void hard_swish_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  unary_loop(x, out, begin, end, [](float32x4_t v) {
    float32x4_t t = vaddq_f32(vmulq_n_f32(v, 1.0f / 6.0f), vdupq_n_f32(0.5f));
    return vmulq_f32(v, vminq_f32(vmaxq_f32(t, vdupq_n_f32(0.0f)), vdupq_n_f32(1.0f)));
  });
}

void clip_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float lo, float hi) {
  // vmaxq/vminq propagate NaN; lo > hi gives hi (min applied last), like the ref.
  unary_loop(x, out, begin, end, [lo, hi](float32x4_t v) {
    return vminq_f32(vmaxq_f32(v, vdupq_n_f32(lo)), vdupq_n_f32(hi));
  });
}

void add_f32_neon(const float* a, int64_t sa, const float* b, int64_t sb, float* out,
                  int64_t begin, int64_t end) {
  binary_loop(a, sa, b, sb, out, begin, end, [](float32x4_t x, float32x4_t y) { return vaddq_f32(x, y); });
}

void sub_f32_neon(const float* a, int64_t sa, const float* b, int64_t sb, float* out,
                  int64_t begin, int64_t end) {
  binary_loop(a, sa, b, sb, out, begin, end, [](float32x4_t x, float32x4_t y) { return vsubq_f32(x, y); });
}

void mul_f32_neon(const float* a, int64_t sa, const float* b, int64_t sb, float* out,
                  int64_t begin, int64_t end) {
  binary_loop(a, sa, b, sb, out, begin, end, [](float32x4_t x, float32x4_t y) { return vmulq_f32(x, y); });
}

void div_f32_neon(const float* a, int64_t sa, const float* b, int64_t sb, float* out,
                  int64_t begin, int64_t end) {
  binary_loop(a, sa, b, sb, out, begin, end, [](float32x4_t x, float32x4_t y) { return vdivq_f32(x, y); });
}

void prelu_f32_neon(const float* a, int64_t sa, const float* b, int64_t sb, float* out,
                    int64_t begin, int64_t end) {
  binary_loop(a, sa, b, sb, out, begin, end, [](float32x4_t x, float32x4_t s) {
    return vbslq_f32(vcltq_f32(x, vdupq_n_f32(0.0f)), vmulq_f32(x, s), x);
  });
}

void softmax_rows_f32_neon(const float* x, float* out, int64_t n, int64_t row_begin,
                           int64_t row_end) {
  for (int64_t r = row_begin; r < row_end; ++r) {
    const float* xr = x + r * n;
    float* yr = out + r * n;
    float32x4_t vmax = vdupq_n_f32(-__builtin_inff());
    uint32x4_t vnum = vdupq_n_u32(0xffffffffu);  // all lanes "ordered" so far
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
      const float32x4_t v = vld1q_f32(xr + i);
      vmax = vmaxnmq_f32(vmax, v);
      vnum = vandq_u32(vnum, vceqq_f32(v, v));
    }
    float mx = vmaxvq_f32(vmax);
    bool has_nan = vminvq_u32(vnum) == 0;
    for (; i < n; ++i) {
      mx = xr[i] > mx ? xr[i] : mx;
      has_nan = has_nan || xr[i] != xr[i];
    }
    if (has_nan) mx = __builtin_nanf("");
    const float32x4_t vm = vdupq_n_f32(mx);
    float32x4_t vsum = vdupq_n_f32(0.0f);
    i = 0;
    for (; i + 4 <= n; i += 4) {
      float32x4_t e = vec_neon::exp_neon(vsubq_f32(vld1q_f32(xr + i), vm));
      vst1q_f32(yr + i, e);
      vsum = vaddq_f32(vsum, e);
    }
    float sum = vaddvq_f32(vsum);
    if (i < n) {
      float buf[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      for (int64_t k = 0; i + k < n; ++k) buf[k] = xr[i + k];
      float32x4_t e = vec_neon::exp_neon(vsubq_f32(vld1q_f32(buf), vm));
      vst1q_f32(buf, e);
      for (int64_t k = 0; i + k < n; ++k) {
        yr[i + k] = buf[k];
        sum += buf[k];
      }
    }
    const float inv = 1.0f / sum;
    unary_loop(yr, yr, 0, n, [inv](float32x4_t v) { return vmulq_n_f32(v, inv); });
  }
}

}  // namespace facet::ops::kernels
