// Fast neural style transfer (Engstrom's network, ml5 `matta` / `mathura` weights) at any image
// size, and masked stylization (the stylized image blended into the photo only where a mask says,
// with a feathered edge).
//
// Network input: RGB / 255, NCHW, H and W multiples of 4 (stride-2 convs with TF 'SAME' pads
// [0,0,1,1]). Other sizes are padded at the bottom and on the right by reflection (numpy
// 'reflect': the edge pixel is not repeated) and the output is cropped back, so the output always
// has the input's size. The output (RGB, about -22..277) is clipped to 0..255 and rounded.
//
// One Stylizer holds one Session (relaxed input shapes) reused for every size: the engine
// re-plans when the size changes. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "loaders/image.h"

namespace facet {
class Session;
}

namespace facet::models {

using loaders::Image;

struct StylizerOptions {
  int threads = 0;  // engine threads, 0 = all cores
};

class Stylizer {
 public:
  // Loads a style ONNX file. Throws facet::Error naming the file on failure.
  explicit Stylizer(const std::string& model_path, const StylizerOptions& options = {});
  ~Stylizer();
  Stylizer(const Stylizer&) = delete;
  Stylizer& operator=(const Stylizer&) = delete;

  // RGB (or gray) image -> [1,3,h,w] float32 RGB / 255, no padding. Throws "image too small" below
  // kMinImageSide (segmentation.h).
  static Tensor preprocess(const Image& image);
  // [1,3,H,W] (H, W >= 4) -> raw network output [1,3,H,W], with reflection padding to multiples
  // of 4 and cropping back.
  Tensor run_tensor(const Tensor& input);
  // Network output [1,3,h,w] -> RGB image, values clipped to 0..255 and rounded to nearest.
  static Image tensor_to_image(const Tensor& output);

  // Stylizes a photo. With max_side > 0 the photo is first shrunk (area averaging, aspect kept)
  // so its longer side is at most max_side, and the result has that reduced size; otherwise the
  // result has the photo's size.
  Image stylize(const Image& image, int max_side = 0);

  Session& session() { return *session_; }

 private:
  std::unique_ptr<Session> session_;
};

// Area-averaging resize (OpenCV INTER_AREA for shrinking: each output pixel is the mean of the
// source area it covers, fractional pixels weighted by overlap; rounded to nearest, ties to even,
// so integer factors give exactly OpenCV's result). Enlarging falls back to resize_bilinear.
Image resize_area(const Image& src, int out_w, int out_h);

// The size whose longer side is at most max_side with the aspect ratio kept (each side >= 1,
// rounded to nearest); the input size if it already fits or max_side <= 0.
void fit_max_side(int width, int height, int max_side, int* out_w, int* out_h);

// Per-pixel blend weight from a binary mask (height * width, nonzero = inside): 1 inside; outside,
// a smooth ramp over the Euclidean distance d (pixel centre to nearest inside pixel centre) that
// reaches 0 at d >= feather_px. So every pixel at distance >= feather_px (and every pixel when
// the mask is empty) gets exactly 0. feather_px <= 0 gives the hard mask.
std::vector<float> feather_alpha(const std::vector<uint8_t>& mask, int width, int height,
                                 float feather_px);

// out = original + (stylized - original) * alpha, rounded, per channel. Pixels with alpha 0 are
// copied byte for byte from the original. Both images must have the same size; a gray original
// is expanded to RGB. Returns an RGB image.
Image blend_with_alpha(const Image& original, const Image& stylized,
                       const std::vector<float>& alpha);

// Sets mask pixels whose centre lies inside the axis-aligned ellipse (cx, cy, rx, ry) to 1.
void add_ellipse_to_mask(std::vector<uint8_t>& mask, int width, int height, float cx, float cy,
                         float rx, float ry);

}  // namespace facet::models
