#include "models/image_ops.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <vector>

#include "engine/status.h"

namespace facet::models {

Image to_three_channels(const Image& src) {
  if (src.channels == 3) return src;
  FACET_CHECK(src.channels == 1, "to_three_channels: unsupported channel count ", src.channels);
  Image out = Image::blank(src.width, src.height, 3);
  for (size_t i = 0; i < src.pixels.size(); ++i) {
    out.pixels[3 * i] = out.pixels[3 * i + 1] = out.pixels[3 * i + 2] = src.pixels[i];
  }
  return out;
}

Image swap_red_blue(const Image& src) {
  FACET_CHECK(src.channels == 3, "swap_red_blue: need 3 channels, got ", src.channels);
  Image out = src;
  for (size_t i = 0; i + 2 < out.pixels.size(); i += 3) std::swap(out.pixels[i], out.pixels[i + 2]);
  return out;
}

const Image& as_three_channels(const Image& src, Image* storage) {
  if (src.channels == 3) return src;
  FACET_CHECK(src.channels == 1, "to_three_channels: unsupported channel count ", src.channels);
  reshape_image(storage, src.width, src.height, 3);
  const size_t n = static_cast<size_t>(src.width) * static_cast<size_t>(src.height);
  for (size_t i = 0; i < n; ++i) {
    storage->pixels[3 * i] = storage->pixels[3 * i + 1] = storage->pixels[3 * i + 2] = src.pixels[i];
  }
  return *storage;
}

void reshape_image(Image* image, int width, int height, int channels) {
  FACET_CHECK(width >= 0 && height >= 0 && channels >= 0, "reshape_image: bad size ", width, "x",
              height, "x", channels);
  image->width = width;
  image->height = height;
  image->channels = channels;
  image->pixels.resize(static_cast<size_t>(width) * static_cast<size_t>(height) *
                       static_cast<size_t>(channels));
}

namespace {

constexpr int kCoefBits = 11;
constexpr int kCoefScale = 1 << kCoefBits;  // 2048

// One output coordinate of OpenCV's linear resize, written as 4 ints into `taps`: the two
// source indices (absolute in src, -1 when outside [0, src_size)) and the two 11-bit weights.
// OpenCV computes fx in float from a double scale, clamps at both edges (weight 1 on the edge
// sample) and rounds 1-fx and fx to 11-bit integers independently (saturate_cast<short>).
// Indices are computed over the region [begin, begin + in_size) as if it had been cropped.
void linear_taps(int begin, int in_size, int src_size, int out_size, int32_t* taps) {
  const double scale = static_cast<double>(in_size) / out_size;
  for (int d = 0; d < out_size; ++d) {
    float f = static_cast<float>((d + 0.5) * scale - 0.5);
    int s = static_cast<int>(std::floor(f));
    f -= static_cast<float>(s);
    if (s < 0) {
      s = 0;
      f = 0.f;
    }
    if (s >= in_size - 1) {
      s = in_size - 1;
      f = 0.f;
    }
    const int i0 = begin + s, i1 = begin + std::min(s + 1, in_size - 1);
    int32_t* t = taps + 4 * d;
    t[0] = (i0 >= 0 && i0 < src_size) ? i0 : -1;
    t[1] = (i1 >= 0 && i1 < src_size) ? i1 : -1;
    t[2] = static_cast<int16_t>(std::lrint((1.f - f) * kCoefScale));
    t[3] = static_cast<int16_t>(std::lrint(f * kCoefScale));
  }
}

}  // namespace

Image resize_bilinear(const Image& src, int out_w, int out_h) {
  FACET_CHECK(!src.empty(), "resize_bilinear: empty source image");
  Image out;
  ResizeScratch scratch;
  resize_region_into(src, 0, 0, src.width, src.height, out_w, out_h, &out, &scratch);
  return out;
}

void resize_region_into(const Image& src, int x0, int y0, int x1, int y1, int out_w, int out_h,
                        Image* out, ResizeScratch* scratch) {
  FACET_CHECK(src.channels > 0, "resize_bilinear: source image has no channels");
  FACET_CHECK(out_w > 0 && out_h > 0, "resize_bilinear: bad output size ", out_w, "x", out_h);
  FACET_CHECK(x1 > x0 && y1 > y0, "resize_bilinear: empty region [", x0, ",", x1, ")x[", y0, ",",
              y1, ")");
  FACET_CHECK(out != &src, "resize_bilinear: output aliases the source");
  const int cn = src.channels;
  scratch->taps.resize(4 * (static_cast<size_t>(out_w) + static_cast<size_t>(out_h)));
  int32_t* xt = scratch->taps.data();
  int32_t* yt = xt + 4 * static_cast<size_t>(out_w);
  linear_taps(x0, x1 - x0, src.width, out_w, xt);
  linear_taps(y0, y1 - y0, src.height, out_h, yt);
  reshape_image(out, out_w, out_h, cn);
  const size_t row_len = static_cast<size_t>(out_w) * static_cast<size_t>(cn);

  // Horizontal pass into int rows scaled by 2048 (exact), cached for the two source rows in use.
  // Source samples outside the image are 0, as in a zero-padded crop.
  scratch->rows.resize(2 * row_len);
  int32_t* rows[2] = {scratch->rows.data(), scratch->rows.data() + row_len};
  int cached[2] = {INT32_MIN, INT32_MIN};
  auto hpass = [&](int sy, int32_t* dst) {
    if (sy < 0) {
      std::fill(dst, dst + row_len, 0);
      return;
    }
    const uint8_t* s = src.row(sy);
    for (int x = 0; x < out_w; ++x) {
      const int32_t* t = xt + 4 * x;
      for (int c = 0; c < cn; ++c) {
        const int a = t[0] >= 0 ? s[t[0] * cn + c] : 0;
        const int b = t[1] >= 0 ? s[t[1] * cn + c] : 0;
        dst[x * cn + c] = a * t[2] + b * t[3];
      }
    }
  };
  // Rows are keyed by their absolute source index; every row outside the image is zero, so they
  // all share the key -1.
  auto find = [&](int key) { return cached[0] == key ? 0 : (cached[1] == key ? 1 : -1); };

  for (int y = 0; y < out_h; ++y) {
    const int32_t* t = yt + 4 * y;
    const int key0 = t[0], key1 = t[1];
    int s0 = find(key0);
    if (s0 < 0) {
      s0 = find(key1) == 0 ? 1 : 0;
      hpass(t[0], rows[s0]);
      cached[s0] = key0;
    }
    int s1 = find(key1);
    if (s1 < 0) {
      s1 = 1 - s0;
      hpass(t[1], rows[s1]);
      cached[s1] = key1;
    }
    const int32_t* p0 = rows[s0];
    const int32_t* p1 = rows[s1];
    const int w0 = t[2], w1 = t[3];
    uint8_t* d = out->row(y);
    for (size_t i = 0; i < row_len; ++i) {
      // OpenCV's SIMD vertical pass: drop 4 bits to fit int16, multiply-high by the 11-bit
      // weight (>> 16), add both, then round away the last 2 bits: 4 + 16 + 2 = 22 = 2 * 11.
      const int a = ((p0[i] >> 4) * w0) >> 16;
      const int b = ((p1[i] >> 4) * w1) >> 16;
      const int v = (a + b + 2) >> 2;
      d[i] = static_cast<uint8_t>(std::clamp(v, 0, 255));
    }
  }
}

Image crop_zero_pad(const Image& src, int x0, int y0, int x1, int y1) {
  FACET_CHECK(x1 > x0 && y1 > y0, "crop_zero_pad: empty region [", x0, ",", x1, ")x[", y0, ",",
              y1, ")");
  const int cn = src.channels;
  Image out = Image::blank(x1 - x0, y1 - y0, cn);
  const int sx0 = std::max(x0, 0), sx1 = std::min(x1, src.width);
  const int sy0 = std::max(y0, 0), sy1 = std::min(y1, src.height);
  if (sx1 <= sx0 || sy1 <= sy0) return out;
  const size_t n = static_cast<size_t>(sx1 - sx0) * static_cast<size_t>(cn);
  for (int y = sy0; y < sy1; ++y) {
    std::memcpy(out.row(y - y0) + static_cast<size_t>(sx0 - x0) * static_cast<size_t>(cn),
                src.row(y) + static_cast<size_t>(sx0) * static_cast<size_t>(cn), n);
  }
  return out;
}

Image flip_horizontal(const Image& src) {
  Image out = Image::blank(src.width, src.height, src.channels);
  const int cn = src.channels;
  for (int y = 0; y < src.height; ++y) {
    const uint8_t* s = src.row(y);
    uint8_t* d = out.row(y);
    for (int x = 0; x < src.width; ++x) {
      std::memcpy(d + static_cast<size_t>(x * cn), s + static_cast<size_t>((src.width - 1 - x) * cn),
                  static_cast<size_t>(cn));
    }
  }
  return out;
}

void rotate_point(double degrees, int width, int height, double x, double y, double* out_x,
                  double* out_y) {
  // y points down, so a counter-clockwise turn on screen is x' = c*dx + s*dy, y' = -s*dx + c*dy.
  const double a = degrees * M_PI / 180.0;
  const double c = std::cos(a), s = std::sin(a);
  const double cx = (width - 1) * 0.5, cy = (height - 1) * 0.5;
  const double dx = x - cx, dy = y - cy;
  *out_x = cx + c * dx + s * dy;
  *out_y = cy - s * dx + c * dy;
}

Image rotate_image(const Image& src, double degrees) {
  Image out = Image::blank(src.width, src.height, src.channels);
  const int cn = src.channels;
  for (int y = 0; y < src.height; ++y) {
    uint8_t* d = out.row(y);
    for (int x = 0; x < src.width; ++x) {
      // Inverse map: rotate the destination point back by -degrees.
      double sx, sy;
      rotate_point(-degrees, src.width, src.height, x, y, &sx, &sy);
      const int ix = static_cast<int>(std::floor(sx)), iy = static_cast<int>(std::floor(sy));
      const double fx = sx - ix, fy = sy - iy;
      for (int c = 0; c < cn; ++c) {
        double acc = 0.0;
        for (int k = 0; k < 4; ++k) {
          const int px = ix + (k & 1), py = iy + (k >> 1);
          if (px < 0 || py < 0 || px >= src.width || py >= src.height) continue;
          const double w = ((k & 1) ? fx : 1.0 - fx) * ((k >> 1) ? fy : 1.0 - fy);
          acc += w * src.row(py)[px * cn + c];
        }
        d[x * cn + c] = static_cast<uint8_t>(std::clamp(std::lround(acc), 0L, 255L));
      }
    }
  }
  return out;
}

Tensor image_to_nchw(const Image& src, const Normalization& norm) {
  FACET_CHECK(src.channels == 3, "image_to_nchw: need 3 channels, got ", src.channels);
  Tensor t = Tensor::empty(DType::kF32, {1, 3, src.height, src.width});
  image_to_nchw_into(src, norm, src.width, src.height, t.data<float>());
  return t;
}

void image_to_nchw_into(const Image& src, const Normalization& norm, int out_w, int out_h,
                        float* out) {
  FACET_CHECK(src.channels == 3, "image_to_nchw: need 3 channels, got ", src.channels);
  FACET_CHECK(out_w >= src.width && out_h >= src.height, "image_to_nchw: output ", out_w, "x",
              out_h, " is smaller than the image ", src.width, "x", src.height);
  const size_t plane = static_cast<size_t>(out_w) * static_cast<size_t>(out_h);
  for (int c = 0; c < 3; ++c) {
    const size_t sc = static_cast<size_t>(norm.swap_red_blue ? 2 - c : c);
    const float mean = norm.mean[static_cast<size_t>(c)];
    const float inv_std = 1.f / norm.std[static_cast<size_t>(c)];
    const float pad = (0.f - mean) * inv_std;
    float* o = out + static_cast<size_t>(c) * plane;
    for (int y = 0; y < src.height; ++y) {
      const uint8_t* s = src.row(y);
      float* orow = o + static_cast<size_t>(y) * static_cast<size_t>(out_w);
      for (int x = 0; x < src.width; ++x) orow[x] = (s[3 * static_cast<size_t>(x) + sc] - mean) * inv_std;
      std::fill(orow + src.width, orow + out_w, pad);
    }
    std::fill(o + static_cast<size_t>(src.height) * static_cast<size_t>(out_w), o + plane, pad);
  }
}

void ensure_nchw_f32(Tensor* t, int64_t c, int64_t h, int64_t w) {
  if (t->dtype() == DType::kF32 && t->rank() == 4 && t->dim(0) == 1 && t->dim(1) == c &&
      t->dim(2) == h && t->dim(3) == w && t->raw() != nullptr)
    return;
  *t = Tensor::empty(DType::kF32, {1, c, h, w});
}

int round_half_even(double v) { return static_cast<int>(std::nearbyint(v)); }

}  // namespace facet::models
