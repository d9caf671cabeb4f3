#include "models/segmentation.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "engine/session.h"
#include "engine/status.h"
#include "loaders/onnx_loader.h"

namespace facet::models {

namespace {

constexpr const char* kClassNames[kCityscapesClasses] = {
    "road",    "sidewalk", "building",   "wall",    "fence",         "pole",          "traffic light",
    "traffic sign", "vegetation", "terrain", "sky", "person",        "rider",         "car",
    "truck",   "bus",      "train",      "motorcycle", "bicycle",    "background"};

constexpr uint8_t kPalette[kCityscapesClasses][3] = {
    {128, 64, 128}, {244, 35, 232}, {70, 70, 70},   {102, 102, 156}, {190, 153, 153},
    {153, 153, 153}, {250, 170, 30}, {220, 220, 0}, {107, 142, 35},  {152, 251, 152},
    {70, 130, 180}, {220, 20, 60},  {255, 0, 0},    {0, 0, 142},     {0, 0, 70},
    {0, 60, 100},   {0, 80, 100},   {0, 0, 230},    {119, 11, 32},   {0, 0, 0}};

// Upstream ESPNet normalisation, per B, G, R channel.
constexpr float kMeanBgr[3] = {72.3923111f, 82.90893555f, 73.15840149f};
constexpr float kStdBgr[3] = {45.3192215f, 46.15289307f, 44.91483307f};

// One output coordinate of a linear resize with half-pixel centres and clamped edges, float
// weights (OpenCV's INTER_LINEAR for float images).
struct Tap {
  int i0, i1;
  float w0, w1;
};

std::vector<Tap> linear_taps(int in_size, int out_size) {
  std::vector<Tap> taps(static_cast<size_t>(out_size));
  // OpenCV: scale = 1 / (out / in), computed in double; fx rounded to float.
  const double scale = 1.0 / (static_cast<double>(out_size) / in_size);
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
    Tap& t = taps[static_cast<size_t>(d)];
    t.i0 = s;
    t.i1 = std::min(s + 1, in_size - 1);
    t.w0 = 1.f - f;
    t.w1 = f;
  }
  return taps;
}

// Resizes one float plane (in_h x in_w) to out (out_h x out_w): horizontal pass, then vertical,
// both in float like OpenCV's HResizeLinear / VResizeLinear.
void resize_plane(const float* in, int in_w, int in_h, float* out, int out_w, int out_h) {
  const std::vector<Tap> xt = linear_taps(in_w, out_w);
  const std::vector<Tap> yt = linear_taps(in_h, out_h);
  std::vector<float> rows(static_cast<size_t>(in_h) * static_cast<size_t>(out_w));
  std::vector<char> done(static_cast<size_t>(in_h), 0);
  auto hrow = [&](int sy) -> const float* {
    float* r = rows.data() + static_cast<size_t>(sy) * static_cast<size_t>(out_w);
    if (!done[static_cast<size_t>(sy)]) {
      const float* s = in + static_cast<size_t>(sy) * static_cast<size_t>(in_w);
      for (int x = 0; x < out_w; ++x) {
        const Tap& t = xt[static_cast<size_t>(x)];
        r[x] = s[t.i0] * t.w0 + s[t.i1] * t.w1;
      }
      done[static_cast<size_t>(sy)] = 1;
    }
    return r;
  };
  for (int y = 0; y < out_h; ++y) {
    const Tap& t = yt[static_cast<size_t>(y)];
    const float* r0 = hrow(t.i0);
    const float* r1 = hrow(t.i1);
    float* o = out + static_cast<size_t>(y) * static_cast<size_t>(out_w);
    for (int x = 0; x < out_w; ++x) o[x] = r0[x] * t.w0 + r1[x] * t.w1;
  }
}

int round_up8(int v) { return (v + 7) / 8 * 8; }

// 5x7 bitmap glyphs, one string per row, '#' = ink.
struct Glyph {
  char ch;
  const char* rows[7];
};

constexpr Glyph kFont[] = {
    {'A', {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}},
    {'B', {"####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."}},
    {'C', {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."}},
    {'D', {"####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."}},
    {'E', {"#####", "#....", "#....", "####.", "#....", "#....", "#####"}},
    {'F', {"#####", "#....", "#....", "####.", "#....", "#....", "#...."}},
    {'G', {".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"}},
    {'H', {"#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}},
    {'I', {".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."}},
    {'J', {"..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."}},
    {'K', {"#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"}},
    {'L', {"#....", "#....", "#....", "#....", "#....", "#....", "#####"}},
    {'M', {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"}},
    {'N', {"#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"}},
    {'O', {".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."}},
    {'P', {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."}},
    {'Q', {".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"}},
    {'R', {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"}},
    {'S', {".####", "#....", "#....", ".###.", "....#", "....#", "####."}},
    {'T', {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."}},
    {'U', {"#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."}},
    {'V', {"#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."}},
    {'W', {"#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."}},
    {'X', {"#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"}},
    {'Y', {"#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."}},
    {'Z', {"#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"}},
    {'0', {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."}},
    {'1', {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."}},
    {'2', {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"}},
    {'3', {"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."}},
    {'4', {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."}},
    {'5', {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."}},
    {'6', {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."}},
    {'7', {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."}},
    {'8', {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."}},
    {'9', {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."}},
    {' ', {".....", ".....", ".....", ".....", ".....", ".....", "....."}},
    {'.', {".....", ".....", ".....", ".....", ".....", ".##..", ".##.."}},
    {'%', {"##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"}},
    {':', {".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."}},
    {'-', {".....", ".....", ".....", "#####", ".....", ".....", "....."}},
    {'_', {".....", ".....", ".....", ".....", ".....", ".....", "#####"}},
    {'(', {"...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."}},
    {')', {".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."}},
    {'/', {".....", "....#", "...#.", "..#..", ".#...", "#....", "....."}},
};
constexpr Glyph kUnknownGlyph = {'?', {"#####", "#...#", "#...#", "#...#", "#...#", "#...#", "#####"}};

const Glyph& glyph_for(char c) {
  const char up = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const Glyph& g : kFont)
    if (g.ch == up) return g;
  return kUnknownGlyph;
}

void put_pixel(Image& image, int x, int y, const std::array<uint8_t, 3>& color) {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  uint8_t* p = image.row(y) + static_cast<size_t>(x) * static_cast<size_t>(image.channels);
  if (image.channels == 1) {
    p[0] = static_cast<uint8_t>((color[0] * 77 + color[1] * 150 + color[2] * 29 + 128) >> 8);
  } else {
    p[0] = color[0];
    p[1] = color[1];
    p[2] = color[2];
  }
}

}  // namespace

const char* cityscapes_class_name(int id) {
  return id >= 0 && id < kCityscapesClasses ? kClassNames[id] : "?";
}

std::array<uint8_t, 3> cityscapes_color(int id) {
  if (id < 0 || id >= kCityscapesClasses) return {0, 0, 0};
  return {kPalette[id][0], kPalette[id][1], kPalette[id][2]};
}

int cityscapes_class_id(const std::string& name_or_index) {
  std::string s;
  for (char c : name_or_index) {
    const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    s += (l == '_' || l == '-') ? ' ' : l;
  }
  if (s.empty()) return -1;
  if (std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (s.size() > 2) return -1;
    const int v = std::stoi(s);
    return v < kCityscapesClasses ? v : -1;
  }
  for (int i = 0; i < kCityscapesClasses; ++i)
    if (s == kClassNames[i]) return i;
  return -1;
}

void check_image_size(const Image& image, const std::string& what) {
  FACET_CHECK(!image.empty() &&
                  image.pixels.size() == static_cast<size_t>(image.width) *
                                             static_cast<size_t>(image.height) *
                                             static_cast<size_t>(image.channels),
              what, ": empty or malformed image");
  FACET_CHECK(image.channels == 1 || image.channels == 3, what, ": unsupported channel count ",
              image.channels);
  FACET_CHECK(image.width >= kMinImageSide && image.height >= kMinImageSide, what,
              ": image too small (", image.width, "x", image.height, ", need at least ",
              kMinImageSide, "x", kMinImageSide, ")");
}

double Segmentation::share(int id) const {
  if (id < 0 || id >= kCityscapesClasses || labels.empty()) return 0.0;
  return static_cast<double>(counts[static_cast<size_t>(id)]) / static_cast<double>(labels.size());
}

std::vector<int> Segmentation::present_classes() const {
  std::vector<int> ids;
  for (int i = 0; i < kCityscapesClasses; ++i)
    if (counts[static_cast<size_t>(i)] > 0) ids.push_back(i);
  std::stable_sort(ids.begin(), ids.end(), [&](int a, int b) {
    return counts[static_cast<size_t>(a)] > counts[static_cast<size_t>(b)];
  });
  return ids;
}

Segmenter::Segmenter(const std::string& model_path, const SegmenterOptions& options)
    : options_(options) {
  FACET_CHECK(options_.net_width >= 8 && options_.net_height >= 8,
              "segmentation: network size must be at least 8x8, got ", options_.net_width, "x",
              options_.net_height);
  auto graph = loaders::load_onnx_file(model_path);
  FACET_CHECK(graph->inputs.size() == 1 && graph->outputs.size() == 1, model_path,
              ": expected one input and one output (ESPNet), got ", graph->inputs.size(), " and ",
              graph->outputs.size());
  SessionOptions so;
  so.threads = options_.threads;
  so.relax_input_shapes = true;
  session_ = std::make_unique<Session>(graph, so);
}

Segmenter::~Segmenter() = default;

Tensor Segmenter::preprocess(const Image& image, int net_w, int net_h) {
  check_image_size(image, "segmentation");
  FACET_CHECK(net_w >= 1 && net_h >= 1, "segmentation: bad network size ", net_w, "x", net_h);
  const int w = image.width, h = image.height, cn = image.channels;
  const size_t plane = static_cast<size_t>(w) * static_cast<size_t>(h);
  const size_t out_plane = static_cast<size_t>(net_w) * static_cast<size_t>(net_h);
  Tensor t = Tensor::empty(DType::kF32, {1, 3, net_h, net_w});
  std::vector<float> norm(plane);
  for (int c = 0; c < 3; ++c) {
    // Output channel c is B, G, R: source channel 2 - c of the RGB image (0 for gray).
    const size_t src_c = cn == 3 ? static_cast<size_t>(2 - c) : 0;
    for (size_t i = 0; i < plane; ++i) {
      const float v = static_cast<float>(image.pixels[i * static_cast<size_t>(cn) + src_c]);
      norm[i] = (v - kMeanBgr[c]) / kStdBgr[c];
    }
    float* o = t.data<float>() + static_cast<size_t>(c) * out_plane;
    resize_plane(norm.data(), w, h, o, net_w, net_h);
    for (size_t i = 0; i < out_plane; ++i) o[i] /= 255.f;
  }
  return t;
}

Tensor Segmenter::run_tensor(const Tensor& input) {
  FACET_CHECK(input.dtype() == DType::kF32 && input.rank() == 4 && input.dim(0) == 1 &&
                  input.dim(1) == 3,
              "segmentation: input must be float32 [1,3,H,W], got ", shape_str(input.shape()));
  const int h = static_cast<int>(input.dim(2)), w = static_cast<int>(input.dim(3));
  FACET_CHECK(h >= 8 && w >= 8, "segmentation: network size must be at least 8x8, got ", w, "x",
              h);
  const int hp = round_up8(h), wp = round_up8(w);
  Tensor feed = input;
  if (hp != h || wp != w) {
    // Edge replication at the bottom and right.
    feed = Tensor::empty(DType::kF32, {1, 3, hp, wp});
    for (int c = 0; c < 3; ++c) {
      const float* src = input.data<float>() + static_cast<size_t>(c) * static_cast<size_t>(h * w);
      float* dst = feed.data<float>() + static_cast<size_t>(c) * static_cast<size_t>(hp * wp);
      for (int y = 0; y < hp; ++y) {
        const float* s = src + static_cast<size_t>(std::min(y, h - 1)) * static_cast<size_t>(w);
        float* d = dst + static_cast<size_t>(y) * static_cast<size_t>(wp);
        std::memcpy(d, s, static_cast<size_t>(w) * sizeof(float));
        for (int x = w; x < wp; ++x) d[x] = s[w - 1];
      }
    }
  }
  std::vector<Tensor> outs = session_->run({feed});
  const Tensor& logits = outs.at(0);
  FACET_CHECK(logits.rank() == 4 && logits.dim(0) == 1 && logits.dim(1) == kCityscapesClasses &&
                  logits.dim(2) == hp && logits.dim(3) == wp,
              "segmentation: unexpected output shape ", shape_str(logits.shape()), " for input ",
              shape_str(feed.shape()));
  if (hp == h && wp == w) return logits;
  Tensor out = Tensor::empty(DType::kF32, {1, kCityscapesClasses, h, w});
  for (int c = 0; c < kCityscapesClasses; ++c)
    for (int y = 0; y < h; ++y)
      std::memcpy(out.data<float>() + (static_cast<size_t>(c) * h + y) * static_cast<size_t>(w),
                  logits.data<float>() + (static_cast<size_t>(c) * hp + y) * static_cast<size_t>(wp),
                  static_cast<size_t>(w) * sizeof(float));
  return out;
}

Segmentation Segmenter::segment(const Image& image, int net_w, int net_h) {
  if (net_w <= 0 || net_h <= 0) {
    net_w = options_.net_width;
    net_h = options_.net_height;
  }
  Tensor input = preprocess(image, net_w, net_h);
  return labels_from_logits(run_tensor(input), image.width, image.height);
}

Segmentation Segmenter::labels_from_logits(const Tensor& logits, int out_w, int out_h) {
  FACET_CHECK(logits.dtype() == DType::kF32 && logits.rank() == 4 && logits.dim(0) == 1 &&
                  logits.dim(1) == kCityscapesClasses,
              "segmentation: logits must be float32 [1,20,H,W], got ", shape_str(logits.shape()));
  FACET_CHECK(out_w >= 1 && out_h >= 1, "segmentation: bad output size ", out_w, "x", out_h);
  const int h = static_cast<int>(logits.dim(2)), w = static_cast<int>(logits.dim(3));
  const size_t plane = static_cast<size_t>(h) * static_cast<size_t>(w);
  const float* L = logits.data<float>();
  Segmentation seg;
  seg.width = out_w;
  seg.height = out_h;
  seg.labels.resize(static_cast<size_t>(out_w) * static_cast<size_t>(out_h));
  if (out_w == w && out_h == h) {
    for (size_t i = 0; i < plane; ++i) {
      int best = 0;
      float bv = L[i];
      for (int c = 1; c < kCityscapesClasses; ++c) {
        const float v = L[static_cast<size_t>(c) * plane + i];
        if (v > bv) {
          bv = v;
          best = c;
        }
      }
      seg.labels[i] = static_cast<uint8_t>(best);
    }
  } else {
    const std::vector<Tap> xt = linear_taps(w, out_w);
    const std::vector<Tap> yt = linear_taps(h, out_h);
    for (int y = 0; y < out_h; ++y) {
      const Tap& ty = yt[static_cast<size_t>(y)];
      const size_t r0 = static_cast<size_t>(ty.i0) * static_cast<size_t>(w);
      const size_t r1 = static_cast<size_t>(ty.i1) * static_cast<size_t>(w);
      uint8_t* out = seg.labels.data() + static_cast<size_t>(y) * static_cast<size_t>(out_w);
      for (int x = 0; x < out_w; ++x) {
        const Tap& tx = xt[static_cast<size_t>(x)];
        const float w00 = ty.w0 * tx.w0, w01 = ty.w0 * tx.w1, w10 = ty.w1 * tx.w0,
                    w11 = ty.w1 * tx.w1;
        const size_t a = r0 + static_cast<size_t>(tx.i0), b = r0 + static_cast<size_t>(tx.i1);
        const size_t c2 = r1 + static_cast<size_t>(tx.i0), d = r1 + static_cast<size_t>(tx.i1);
        int best = 0;
        float bv = 0.f;
        for (int c = 0; c < kCityscapesClasses; ++c) {
          const float* P = L + static_cast<size_t>(c) * plane;
          const float v = w00 * P[a] + w01 * P[b] + w10 * P[c2] + w11 * P[d];
          if (c == 0 || v > bv) {
            bv = v;
            best = c;
          }
        }
        out[x] = static_cast<uint8_t>(best);
      }
    }
  }
  for (uint8_t l : seg.labels) seg.counts[l]++;
  return seg;
}

Image label_image(const Segmentation& seg) {
  Image out = Image::blank(seg.width, seg.height, 1);
  out.pixels = seg.labels;
  return out;
}

void fill_rect(Image& image, int x0, int y0, int x1, int y1, std::array<uint8_t, 3> color) {
  x0 = std::max(x0, 0);
  y0 = std::max(y0, 0);
  x1 = std::min(x1, image.width);
  y1 = std::min(y1, image.height);
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) put_pixel(image, x, y, color);
}

int draw_text(Image& image, int x, int y, const std::string& text, std::array<uint8_t, 3> color,
              int scale) {
  scale = std::max(scale, 1);
  int pen = x;
  for (char ch : text) {
    const Glyph& g = glyph_for(ch);
    for (int r = 0; r < 7; ++r)
      for (int col = 0; col < 5; ++col)
        if (g.rows[r][col] == '#')
          fill_rect(image, pen + col * scale, y + r * scale, pen + (col + 1) * scale,
                    y + (r + 1) * scale, color);
    pen += 6 * scale;
  }
  return pen - x;
}

Image overlay_image(const Image& photo, const Segmentation& seg, float alpha, bool legend) {
  FACET_CHECK(photo.width == seg.width && photo.height == seg.height,
              "overlay: photo is ", photo.width, "x", photo.height, " but the label map is ",
              seg.width, "x", seg.height);
  FACET_CHECK(photo.channels == 1 || photo.channels == 3, "overlay: unsupported channel count ",
              photo.channels);
  alpha = std::min(std::max(alpha, 0.f), 1.f);
  Image out = Image::blank(photo.width, photo.height, 3);
  const size_t n = seg.labels.size();
  const size_t cn = static_cast<size_t>(photo.channels);
  for (size_t i = 0; i < n; ++i) {
    const int l = seg.labels[i];
    for (size_t c = 0; c < 3; ++c) {
      const float p = photo.pixels[i * cn + (cn == 3 ? c : 0)];
      float v = p;
      if (l != kCityscapesBackground) v = p * (1.f - alpha) + kPalette[l][c] * alpha;
      out.pixels[i * 3 + c] = static_cast<uint8_t>(std::lrint(std::min(std::max(v, 0.f), 255.f)));
    }
  }
  if (!legend) return out;
  const std::vector<int> ids = seg.present_classes();
  if (ids.empty()) return out;
  const int scale = std::max(1, std::min(out.width, out.height) / 400);
  const int line_h = 10 * scale, pad = 3 * scale, swatch = 7 * scale;
  std::vector<std::string> lines;
  size_t longest = 0;
  for (int id : ids) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%2d %s %.1f%%", id, kClassNames[id], 100.0 * seg.share(id));
    lines.push_back(buf);
    longest = std::max(longest, lines.back().size());
  }
  const int box_w = pad * 3 + swatch + static_cast<int>(longest) * 6 * scale;
  const int box_h = pad * 2 + static_cast<int>(lines.size()) * line_h;
  // Darken the legend box (60% black) so the text stays readable on any photo.
  for (int y = 0; y < std::min(box_h, out.height); ++y) {
    uint8_t* row = out.row(y);
    for (int x = 0; x < std::min(box_w, out.width) * 3; ++x)
      row[x] = static_cast<uint8_t>((row[x] * 2 + 2) / 5);
  }
  for (size_t k = 0; k < lines.size(); ++k) {
    const int y = pad + static_cast<int>(k) * line_h;
    const int id = ids[k];
    fill_rect(out, pad - 1, y - 1, pad + swatch + 1, y + swatch + 1, {255, 255, 255});
    fill_rect(out, pad, y, pad + swatch, y + swatch, cityscapes_color(id));
    draw_text(out, pad * 2 + swatch, y, lines[k], {255, 255, 255}, scale);
  }
  return out;
}

std::vector<uint8_t> class_mask(const Segmentation& seg, const std::vector<int>& ids) {
  bool wanted[256] = {};
  for (int id : ids)
    if (id >= 0 && id < 256) wanted[id] = true;
  std::vector<uint8_t> mask(seg.labels.size());
  for (size_t i = 0; i < mask.size(); ++i) mask[i] = wanted[seg.labels[i]] ? 1 : 0;
  return mask;
}

}  // namespace facet::models
