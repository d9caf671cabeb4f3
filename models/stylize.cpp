#include "models/stylize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/session.h"
#include "engine/status.h"
#include "loaders/onnx_loader.h"
#include "models/image_ops.h"
#include "models/segmentation.h"

namespace facet::models {

namespace {

int round_up4(int v) { return (v + 3) / 4 * 4; }

// numpy 'reflect' index for i in [0, 2n-1) (n >= 2): mirror about the last sample.
int reflect_index(int i, int n) { return i < n ? i : 2 * (n - 1) - i; }

// Area weights of one axis: for each output index, the source indices it covers and weights
// (overlap / scale), in source order.
struct AreaTaps {
  std::vector<int> begin;   // per output: first entry in idx/weight
  std::vector<int> idx;
  std::vector<float> weight;
};

AreaTaps area_taps(int in_size, int out_size) {
  AreaTaps t;
  const double scale = static_cast<double>(in_size) / out_size;
  for (int d = 0; d < out_size; ++d) {
    t.begin.push_back(static_cast<int>(t.idx.size()));
    const double f0 = d * scale, f1 = f0 + scale;
    const int s0 = static_cast<int>(std::floor(f0));
    const int s1 = std::min(static_cast<int>(std::ceil(f1)), in_size);
    for (int s = s0; s < s1; ++s) {
      const double overlap = std::min(f1, s + 1.0) - std::max(f0, static_cast<double>(s));
      if (overlap <= 1e-9) continue;
      t.idx.push_back(s);
      t.weight.push_back(static_cast<float>(overlap / scale));
    }
  }
  t.begin.push_back(static_cast<int>(t.idx.size()));
  return t;
}

// Exact squared Euclidean distance transform of one line (Felzenszwalb & Huttenlocher):
// d[q] = min_p (q - p)^2 + f[p]. v, z are scratch of n and n + 1 elements.
void edt_line(const double* f, int n, double* d, int* v, double* z) {
  constexpr double kInf = 1e30;
  int k = 0;
  v[0] = 0;
  z[0] = -kInf;
  z[1] = kInf;
  auto intersect = [&](int q, int p) {
    return ((f[q] + double(q) * q) - (f[p] + double(p) * p)) / (2.0 * q - 2.0 * p);
  };
  for (int q = 1; q < n; ++q) {
    double s = intersect(q, v[k]);
    while (s <= z[k]) {  // z[0] = -inf stops this at k = 0
      --k;
      s = intersect(q, v[k]);
    }
    ++k;
    v[k] = q;
    z[k] = s;
    z[k + 1] = kInf;
  }
  k = 0;
  for (int q = 0; q < n; ++q) {
    while (z[k + 1] < q) ++k;
    const double dq = q - v[k];
    d[q] = dq * dq + f[v[k]];
  }
}

}  // namespace

Stylizer::Stylizer(const std::string& model_path, const StylizerOptions& options) {
  auto graph = loaders::load_onnx_file(model_path);
  FACET_CHECK(graph->inputs.size() == 1 && graph->outputs.size() == 1, model_path,
              ": expected one input and one output (fast style network), got ",
              graph->inputs.size(), " and ", graph->outputs.size());
  SessionOptions so;
  so.threads = options.threads;
  so.relax_input_shapes = true;
  session_ = std::make_unique<Session>(graph, so);
}

Stylizer::~Stylizer() = default;

Tensor Stylizer::preprocess(const Image& image) {
  check_image_size(image, "style transfer");
  const int w = image.width, h = image.height;
  const size_t cn = static_cast<size_t>(image.channels);
  const size_t plane = static_cast<size_t>(w) * static_cast<size_t>(h);
  Tensor t = Tensor::empty(DType::kF32, {1, 3, h, w});
  for (size_t c = 0; c < 3; ++c) {
    float* o = t.data<float>() + c * plane;
    const size_t sc = cn == 3 ? c : 0;
    for (size_t i = 0; i < plane; ++i) o[i] = static_cast<float>(image.pixels[i * cn + sc]) / 255.f;
  }
  return t;
}

Tensor Stylizer::run_tensor(const Tensor& input) {
  FACET_CHECK(input.dtype() == DType::kF32 && input.rank() == 4 && input.dim(0) == 1 &&
                  input.dim(1) == 3,
              "style transfer: input must be float32 [1,3,H,W], got ", shape_str(input.shape()));
  const int h = static_cast<int>(input.dim(2)), w = static_cast<int>(input.dim(3));
  FACET_CHECK(h >= kMinImageSide && w >= kMinImageSide, "style transfer: image too small (", w,
              "x", h, ", need at least ", kMinImageSide, "x", kMinImageSide, ")");
  const int hp = round_up4(h), wp = round_up4(w);
  Tensor feed = input;
  if (hp != h || wp != w) {
    // Padding is at most 3 <= size - 1, so one reflection is enough.
    feed = Tensor::empty(DType::kF32, {1, 3, hp, wp});
    for (int c = 0; c < 3; ++c) {
      const float* src = input.data<float>() + static_cast<size_t>(c) * static_cast<size_t>(h * w);
      float* dst = feed.data<float>() + static_cast<size_t>(c) * static_cast<size_t>(hp * wp);
      for (int y = 0; y < hp; ++y) {
        const float* s = src + static_cast<size_t>(reflect_index(y, h)) * static_cast<size_t>(w);
        float* d = dst + static_cast<size_t>(y) * static_cast<size_t>(wp);
        std::memcpy(d, s, static_cast<size_t>(w) * sizeof(float));
        for (int x = w; x < wp; ++x) d[x] = s[reflect_index(x, w)];
      }
    }
  }
  std::vector<Tensor> outs = session_->run({feed});
  const Tensor& y = outs.at(0);
  FACET_CHECK(y.rank() == 4 && y.dim(0) == 1 && y.dim(1) == 3 && y.dim(2) == hp && y.dim(3) == wp,
              "style transfer: unexpected output shape ", shape_str(y.shape()), " for input ",
              shape_str(feed.shape()));
  if (hp == h && wp == w) return y;
  Tensor out = Tensor::empty(DType::kF32, {1, 3, h, w});
  for (int c = 0; c < 3; ++c)
    for (int r = 0; r < h; ++r)
      std::memcpy(out.data<float>() + (static_cast<size_t>(c) * h + r) * static_cast<size_t>(w),
                  y.data<float>() + (static_cast<size_t>(c) * hp + r) * static_cast<size_t>(wp),
                  static_cast<size_t>(w) * sizeof(float));
  return out;
}

Image Stylizer::tensor_to_image(const Tensor& output) {
  FACET_CHECK(output.dtype() == DType::kF32 && output.rank() == 4 && output.dim(0) == 1 &&
                  output.dim(1) == 3,
              "style transfer: output must be float32 [1,3,H,W], got ", shape_str(output.shape()));
  const int h = static_cast<int>(output.dim(2)), w = static_cast<int>(output.dim(3));
  const size_t plane = static_cast<size_t>(w) * static_cast<size_t>(h);
  Image img = Image::blank(w, h, 3);
  for (size_t c = 0; c < 3; ++c) {
    const float* p = output.data<float>() + c * plane;
    for (size_t i = 0; i < plane; ++i) {
      float v = p[i];
      v = std::isnan(v) ? 0.f : std::min(std::max(v, 0.f), 255.f);
      img.pixels[i * 3 + c] = static_cast<uint8_t>(std::lrint(v));
    }
  }
  return img;
}

Image Stylizer::stylize(const Image& image, int max_side) {
  check_image_size(image, "style transfer");
  int w = image.width, h = image.height;
  fit_max_side(image.width, image.height, max_side, &w, &h);
  if (w == image.width && h == image.height) return tensor_to_image(run_tensor(preprocess(image)));
  const Image small = resize_area(image, w, h);
  return tensor_to_image(run_tensor(preprocess(small)));
}

void fit_max_side(int width, int height, int max_side, int* out_w, int* out_h) {
  *out_w = width;
  *out_h = height;
  if (max_side <= 0 || std::max(width, height) <= max_side) return;
  const double s = static_cast<double>(max_side) / std::max(width, height);
  *out_w = std::max(1, std::min(max_side, static_cast<int>(std::lround(width * s))));
  *out_h = std::max(1, std::min(max_side, static_cast<int>(std::lround(height * s))));
}

Image resize_area(const Image& src, int out_w, int out_h) {
  FACET_CHECK(!src.empty(), "resize_area: empty source image");
  FACET_CHECK(out_w > 0 && out_h > 0, "resize_area: bad output size ", out_w, "x", out_h);
  if (out_w == src.width && out_h == src.height) return src;
  if (out_w > src.width || out_h > src.height) return resize_bilinear(src, out_w, out_h);
  const int cn = src.channels;
  const AreaTaps xt = area_taps(src.width, out_w);
  const AreaTaps yt = area_taps(src.height, out_h);
  const size_t row_len = static_cast<size_t>(out_w) * static_cast<size_t>(cn);
  // Horizontal pass over every source row (float, exact for power-of-two factors).
  std::vector<float> hrows(static_cast<size_t>(src.height) * row_len, 0.f);
  for (int y = 0; y < src.height; ++y) {
    const uint8_t* s = src.row(y);
    float* r = hrows.data() + static_cast<size_t>(y) * row_len;
    for (int x = 0; x < out_w; ++x)
      for (int k = xt.begin[static_cast<size_t>(x)]; k < xt.begin[static_cast<size_t>(x) + 1]; ++k) {
        const float wgt = xt.weight[static_cast<size_t>(k)];
        const uint8_t* p = s + static_cast<size_t>(xt.idx[static_cast<size_t>(k)]) * static_cast<size_t>(cn);
        for (int c = 0; c < cn; ++c) r[static_cast<size_t>(x * cn + c)] += p[c] * wgt;
      }
  }
  Image out = Image::blank(out_w, out_h, cn);
  std::vector<float> acc(row_len);
  for (int y = 0; y < out_h; ++y) {
    std::fill(acc.begin(), acc.end(), 0.f);
    for (int k = yt.begin[static_cast<size_t>(y)]; k < yt.begin[static_cast<size_t>(y) + 1]; ++k) {
      const float wgt = yt.weight[static_cast<size_t>(k)];
      const float* r = hrows.data() + static_cast<size_t>(yt.idx[static_cast<size_t>(k)]) * row_len;
      for (size_t i = 0; i < row_len; ++i) acc[i] += r[i] * wgt;
    }
    uint8_t* o = out.row(y);
    for (size_t i = 0; i < row_len; ++i)
      o[i] = static_cast<uint8_t>(std::lrint(std::min(std::max(acc[i], 0.f), 255.f)));
  }
  return out;
}

std::vector<float> feather_alpha(const std::vector<uint8_t>& mask, int width, int height,
                                 float feather_px) {
  FACET_CHECK(width > 0 && height > 0 &&
                  mask.size() == static_cast<size_t>(width) * static_cast<size_t>(height),
              "feather_alpha: mask has ", mask.size(), " values, expected ", width, "x", height);
  const size_t n = mask.size();
  std::vector<float> alpha(n, 0.f);
  if (!(feather_px > 0.f)) {
    for (size_t i = 0; i < n; ++i) alpha[i] = mask[i] ? 1.f : 0.f;
    return alpha;
  }
  bool any = false;
  for (uint8_t m : mask) any |= m != 0;
  if (!any) return alpha;
  // Squared distance to the nearest inside pixel: columns, then rows.
  // "Far" must exceed any real squared distance but keep the arithmetic exact in double.
  const double kFar = 2.0 * (double(width) * width + double(height) * height) + 1.0;
  std::vector<double> dist(n);
  for (size_t i = 0; i < n; ++i) dist[i] = mask[i] ? 0.0 : kFar;
  const int longest = std::max(width, height);
  std::vector<double> f(static_cast<size_t>(longest)), d(static_cast<size_t>(longest)),
      z(static_cast<size_t>(longest) + 1);
  std::vector<int> v(static_cast<size_t>(longest));
  for (int x = 0; x < width; ++x) {
    for (int y = 0; y < height; ++y) f[static_cast<size_t>(y)] = dist[static_cast<size_t>(y) * width + x];
    edt_line(f.data(), height, d.data(), v.data(), z.data());
    for (int y = 0; y < height; ++y) dist[static_cast<size_t>(y) * width + x] = d[static_cast<size_t>(y)];
  }
  for (int y = 0; y < height; ++y) {
    double* row = dist.data() + static_cast<size_t>(y) * width;
    std::copy(row, row + width, f.begin());
    edt_line(f.data(), width, d.data(), v.data(), z.data());
    std::copy(d.begin(), d.begin() + width, row);
  }
  const double feather = feather_px;
  for (size_t i = 0; i < n; ++i) {
    if (mask[i]) {
      alpha[i] = 1.f;
      continue;
    }
    const double dd = std::sqrt(dist[i]);
    if (dd >= feather) continue;  // exactly 0: the pixel stays the original
    const double t = dd / feather;
    alpha[i] = static_cast<float>(1.0 - t * t * (3.0 - 2.0 * t));
  }
  return alpha;
}

Image blend_with_alpha(const Image& original, const Image& stylized,
                       const std::vector<float>& alpha) {
  FACET_CHECK(original.width == stylized.width && original.height == stylized.height,
              "blend: original is ", original.width, "x", original.height, " but stylized is ",
              stylized.width, "x", stylized.height);
  FACET_CHECK(stylized.channels == 3, "blend: stylized image must be RGB");
  const size_t n = static_cast<size_t>(original.width) * static_cast<size_t>(original.height);
  FACET_CHECK(alpha.size() == n, "blend: alpha has ", alpha.size(), " values, expected ", n);
  const Image base = to_three_channels(original);
  Image out = base;
  for (size_t i = 0; i < n; ++i) {
    const float a = alpha[i];
    if (a <= 0.f) continue;
    for (size_t c = 0; c < 3; ++c) {
      const float o = base.pixels[i * 3 + c], s = stylized.pixels[i * 3 + c];
      const float v = a >= 1.f ? s : o + (s - o) * a;
      out.pixels[i * 3 + c] = static_cast<uint8_t>(std::lrint(std::min(std::max(v, 0.f), 255.f)));
    }
  }
  return out;
}

void add_ellipse_to_mask(std::vector<uint8_t>& mask, int width, int height, float cx, float cy,
                         float rx, float ry) {
  FACET_CHECK(mask.size() == static_cast<size_t>(width) * static_cast<size_t>(height),
              "add_ellipse_to_mask: mask size mismatch");
  if (!(rx > 0.f) || !(ry > 0.f)) return;
  const int y0 = std::max(0, static_cast<int>(std::floor(cy - ry)));
  const int y1 = std::min(height - 1, static_cast<int>(std::ceil(cy + ry)));
  const int x0 = std::max(0, static_cast<int>(std::floor(cx - rx)));
  const int x1 = std::min(width - 1, static_cast<int>(std::ceil(cx + rx)));
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      const float dx = (x + 0.5f - cx) / rx, dy = (y + 0.5f - cy) / ry;
      if (dx * dx + dy * dy <= 1.f) mask[static_cast<size_t>(y) * width + x] = 1;
    }
}

}  // namespace facet::models
