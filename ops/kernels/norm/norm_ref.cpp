#include "ops/kernels/norm/norm.h"

#include <cstddef>
#include <cstdint>

namespace facet::ops {

// Kernel files include no <cmath>; __builtin_sqrt{f,} are the compiler's correctly rounded roots.
void batch_norm_f32_ref(const float* x, float* y, int64_t channels, int64_t spatial,
                        const float* scale, const float* bias, const float* mean,
                        const float* var, float epsilon, int64_t begin, int64_t end) {
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t c = plane % channels;
    const float a = scale[c] / __builtin_sqrtf(var[c] + epsilon);
    const float m = mean[c];
    const float b = bias[c];
    const float* in = x + plane * spatial;
    float* out = y + plane * spatial;
    for (int64_t i = 0; i < spatial; ++i) out[i] = (in[i] - m) * a + b;
  }
}

void instance_norm_f32_ref(const float* x, float* y, int64_t channels, int64_t spatial,
                           const float* scale, const float* bias, float epsilon, int64_t begin,
                           int64_t end) {
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t c = plane % channels;
    const float* in = x + plane * spatial;
    float* out = y + plane * spatial;
    if (spatial == 0) continue;
    double sum = 0.0;
    for (int64_t i = 0; i < spatial; ++i) sum += in[i];
    const double mu = sum / static_cast<double>(spatial);
    double sq = 0.0;
    for (int64_t i = 0; i < spatial; ++i) {
      const double d = in[i] - mu;
      sq += d * d;
    }
    const double var = sq / static_cast<double>(spatial);
    const double a = static_cast<double>(scale[c]) / __builtin_sqrt(var + epsilon);
    const double b = bias[c];
    for (int64_t i = 0; i < spatial; ++i) out[i] = static_cast<float>((in[i] - mu) * a + b);
  }
}

}  // namespace facet::ops
