#include "models/image_ops.h"

#include <algorithm>
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

namespace {

// One output coordinate of OpenCV's linear resize: source index and the two 11-bit weights.
struct LinearTap {
  int i0, i1;
  int16_t w0, w1;
};

constexpr int kCoefBits = 11;
constexpr int kCoefScale = 1 << kCoefBits;  // 2048

// OpenCV computes fx in float from a double scale, clamps at both edges (weight 1 on the edge
// sample) and rounds 1-fx and fx to 11-bit integers independently (saturate_cast<short>).
std::vector<LinearTap> linear_taps(int in_size, int out_size) {
  std::vector<LinearTap> taps(static_cast<size_t>(out_size));
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
    LinearTap& t = taps[static_cast<size_t>(d)];
    t.i0 = s;
    t.i1 = std::min(s + 1, in_size - 1);
    t.w0 = static_cast<int16_t>(std::lrint((1.f - f) * kCoefScale));
    t.w1 = static_cast<int16_t>(std::lrint(f * kCoefScale));
  }
  return taps;
}

}  // namespace

Image resize_bilinear(const Image& src, int out_w, int out_h) {
  FACET_CHECK(!src.empty(), "resize_bilinear: empty source image");
  FACET_CHECK(out_w > 0 && out_h > 0, "resize_bilinear: bad output size ", out_w, "x", out_h);
  const int cn = src.channels;
  const std::vector<LinearTap> xt = linear_taps(src.width, out_w);
  const std::vector<LinearTap> yt = linear_taps(src.height, out_h);
  Image out = Image::blank(out_w, out_h, cn);
  const size_t row_len = static_cast<size_t>(out_w) * static_cast<size_t>(cn);

  // Horizontal pass into int rows scaled by 2048 (exact), cached for the two source rows in use.
  std::vector<int> rows[2] = {std::vector<int>(row_len), std::vector<int>(row_len)};
  int cached[2] = {-1, -1};
  auto hpass = [&](int sy, std::vector<int>& dst) {
    const uint8_t* s = src.row(sy);
    for (int x = 0; x < out_w; ++x) {
      const LinearTap& t = xt[static_cast<size_t>(x)];
      for (int c = 0; c < cn; ++c) {
        dst[static_cast<size_t>(x * cn + c)] =
            s[t.i0 * cn + c] * t.w0 + s[t.i1 * cn + c] * t.w1;
      }
    }
  };
  auto find = [&](int sy) { return cached[0] == sy ? 0 : (cached[1] == sy ? 1 : -1); };

  for (int y = 0; y < out_h; ++y) {
    const LinearTap& t = yt[static_cast<size_t>(y)];
    // Rows advance monotonically, so each source row is computed once (twice at most).
    int s0 = find(t.i0);
    if (s0 < 0) {
      s0 = find(t.i1) == 0 ? 1 : 0;
      hpass(t.i0, rows[s0]);
      cached[s0] = t.i0;
    }
    int s1 = find(t.i1);
    if (s1 < 0) {
      s1 = 1 - s0;
      hpass(t.i1, rows[s1]);
      cached[s1] = t.i1;
    }
    const int* p0 = rows[s0].data();
    const int* p1 = rows[s1].data();
    uint8_t* d = out.row(y);
    for (size_t i = 0; i < row_len; ++i) {
      // OpenCV's SIMD vertical pass: drop 4 bits to fit int16, multiply-high by the 11-bit
      // weight (>> 16), add both, then round away the last 2 bits: 4 + 16 + 2 = 22 = 2 * 11.
      const int a = ((p0[i] >> 4) * t.w0) >> 16;
      const int b = ((p1[i] >> 4) * t.w1) >> 16;
      const int v = (a + b + 2) >> 2;
      d[i] = static_cast<uint8_t>(std::clamp(v, 0, 255));
    }
  }
  return out;
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
  const int64_t h = src.height, w = src.width;
  Tensor t = Tensor::empty(DType::kF32, {1, 3, h, w});
  float* out = t.data<float>();
  const size_t plane = static_cast<size_t>(h * w);
  for (int c = 0; c < 3; ++c) {
    const int sc = norm.swap_red_blue ? 2 - c : c;
    const float mean = norm.mean[static_cast<size_t>(c)];
    const float inv_std = 1.f / norm.std[static_cast<size_t>(c)];
    float* o = out + static_cast<size_t>(c) * plane;
    for (size_t i = 0; i < plane; ++i) o[i] = (src.pixels[3 * i + static_cast<size_t>(sc)] - mean) * inv_std;
  }
  return t;
}

int round_half_even(double v) { return static_cast<int>(std::nearbyint(v)); }

}  // namespace facet::models
