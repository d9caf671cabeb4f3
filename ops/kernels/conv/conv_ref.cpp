#include "ops/kernels/conv/conv.h"

#include <cstddef>
#include <cstdint>

namespace facet::ops {
namespace {

// The positions i in [0, count) with 0 <= i*stride + offset < limit form the range [*lo, *hi).
void valid_range(int64_t offset, int64_t stride, int64_t limit, int64_t count, int64_t* lo,
                 int64_t* hi) {
  int64_t l = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t h = limit - 1 - offset < 0 ? 0 : (limit - 1 - offset) / stride + 1;
  if (h > count) h = count;
  if (l > h) l = h;
  *lo = l;
  *hi = h;
}

}  // namespace

void conv_f32_ref(const ConvParams& p, const float* input, const float* weight, const float* bias,
                  float* output, int64_t begin, int64_t end) {
  const int64_t in_plane = p.in_size[0] * p.in_size[1] * p.in_size[2];
  const int64_t out_plane = p.out_size[0] * p.out_size[1] * p.out_size[2];
  const int64_t kernel_size = p.kernel[0] * p.kernel[1] * p.kernel[2];
  const int64_t in_per_group = p.in_channels / p.group;
  const int64_t out_per_group = p.out_channels / p.group;
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t n = plane / p.out_channels;
    const int64_t oc = plane % p.out_channels;
    const int64_t g = oc / out_per_group;
    float* out = output + plane * out_plane;
    const float b = bias ? bias[oc] : 0.f;
    for (int64_t i = 0; i < out_plane; ++i) out[i] = b;
    for (int64_t icg = 0; icg < in_per_group; ++icg) {
      const float* in = input + (n * p.in_channels + g * in_per_group + icg) * in_plane;
      const float* w = weight + (oc * in_per_group + icg) * kernel_size;
      for (int64_t kd = 0; kd < p.kernel[0]; ++kd) {
        const int64_t off_d = kd * p.dilation[0] - p.pad_begin[0];
        int64_t od_lo, od_hi;
        valid_range(off_d, p.stride[0], p.in_size[0], p.out_size[0], &od_lo, &od_hi);
        for (int64_t kh = 0; kh < p.kernel[1]; ++kh) {
          const int64_t off_h = kh * p.dilation[1] - p.pad_begin[1];
          int64_t oh_lo, oh_hi;
          valid_range(off_h, p.stride[1], p.in_size[1], p.out_size[1], &oh_lo, &oh_hi);
          for (int64_t kw = 0; kw < p.kernel[2]; ++kw) {
            const int64_t off_w = kw * p.dilation[2] - p.pad_begin[2];
            int64_t ow_lo, ow_hi;
            valid_range(off_w, p.stride[2], p.in_size[2], p.out_size[2], &ow_lo, &ow_hi);
            const float wv = w[(kd * p.kernel[1] + kh) * p.kernel[2] + kw];
            for (int64_t od = od_lo; od < od_hi; ++od) {
              const int64_t id = od * p.stride[0] + off_d;
              for (int64_t oh = oh_lo; oh < oh_hi; ++oh) {
                const int64_t ih = oh * p.stride[1] + off_h;
                float* out_row = out + (od * p.out_size[1] + oh) * p.out_size[2];
                const float* in_row = in + (id * p.in_size[1] + ih) * p.in_size[2];
                if (p.stride[2] == 1) {
                  // Same sum; the unit stride lets the compiler vectorize.
                  const float* src = in_row + off_w;
                  for (int64_t ow = ow_lo; ow < ow_hi; ++ow) out_row[ow] += wv * src[ow];
                } else {
                  for (int64_t ow = ow_lo; ow < ow_hi; ++ow) {
                    out_row[ow] += wv * in_row[ow * p.stride[2] + off_w];
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

void conv_transpose_f32_ref(const ConvParams& p, const float* input, const float* weight,
                            const float* bias, float* output, int64_t begin, int64_t end) {
  const int64_t in_plane = p.in_size[0] * p.in_size[1] * p.in_size[2];
  const int64_t out_plane = p.out_size[0] * p.out_size[1] * p.out_size[2];
  const int64_t kernel_size = p.kernel[0] * p.kernel[1] * p.kernel[2];
  const int64_t in_per_group = p.in_channels / p.group;
  const int64_t out_per_group = p.out_channels / p.group;
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t n = plane / p.out_channels;
    const int64_t oc = plane % p.out_channels;
    const int64_t g = oc / out_per_group;
    const int64_t ocg = oc % out_per_group;
    float* out = output + plane * out_plane;
    const float b = bias ? bias[oc] : 0.f;
    for (int64_t i = 0; i < out_plane; ++i) out[i] = b;
    for (int64_t icg = 0; icg < in_per_group; ++icg) {
      const int64_t ic = g * in_per_group + icg;
      const float* in = input + (n * p.in_channels + ic) * in_plane;
      const float* w = weight + (ic * out_per_group + ocg) * kernel_size;
      for (int64_t kd = 0; kd < p.kernel[0]; ++kd) {
        const int64_t off_d = kd * p.dilation[0] - p.pad_begin[0];
        int64_t id_lo, id_hi;
        valid_range(off_d, p.stride[0], p.out_size[0], p.in_size[0], &id_lo, &id_hi);
        for (int64_t kh = 0; kh < p.kernel[1]; ++kh) {
          const int64_t off_h = kh * p.dilation[1] - p.pad_begin[1];
          int64_t ih_lo, ih_hi;
          valid_range(off_h, p.stride[1], p.out_size[1], p.in_size[1], &ih_lo, &ih_hi);
          for (int64_t kw = 0; kw < p.kernel[2]; ++kw) {
            const int64_t off_w = kw * p.dilation[2] - p.pad_begin[2];
            int64_t iw_lo, iw_hi;
            valid_range(off_w, p.stride[2], p.out_size[2], p.in_size[2], &iw_lo, &iw_hi);
            const float wv = w[(kd * p.kernel[1] + kh) * p.kernel[2] + kw];
            for (int64_t id = id_lo; id < id_hi; ++id) {
              const int64_t od = id * p.stride[0] + off_d;
              for (int64_t ih = ih_lo; ih < ih_hi; ++ih) {
                const int64_t oh = ih * p.stride[1] + off_h;
                float* out_row = out + (od * p.out_size[1] + oh) * p.out_size[2];
                const float* in_row = in + (id * p.in_size[1] + ih) * p.in_size[2];
                for (int64_t iw = iw_lo; iw < iw_hi; ++iw) {
                  out_row[iw * p.stride[2] + off_w] += wv * in_row[iw];
                }
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace facet::ops
