// Semantic segmentation with ESPNet (p=2, q=8) trained on Cityscapes: photo -> per-pixel class
// (trainId 0..18, 19 = background), colour overlay with a legend, gray label map, class shares
// and boolean masks for chosen classes.
//
// Preprocessing follows upstream test/VisualizeResults.py exactly (see ../shared/models/README.md):
//   RGB uint8 -> BGR float -> (x - mean) / std per B,G,R channel -> bilinear resize to the network
//   size (OpenCV INTER_LINEAR arithmetic on float, half-pixel centres) -> / 255 (upstream quirk)
//   -> NCHW.
// The network takes H and W that are multiples of 8. Other sizes are padded at the bottom and on
// the right by repeating the last row/column of the preprocessed tensor, and the logits are cropped
// back, so any network size >= 8x8 works.
//
// Back to the photo's size: the label of an image pixel is the argmax of the 20 logits
// interpolated bilinearly (same half-pixel mapping) at that pixel's centre. This gives smoother
// class borders than resizing the label map with nearest neighbour, needs no extra memory beyond
// the label map, and is exact (no interpolation) when the photo already has the network size.
//
// One Segmenter holds one Session (relaxed input shapes), reused for every network size: the
// engine re-plans when the size changes, without reloading the model. Not thread-safe.
#pragma once

#include <array>
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

// Cityscapes trainIds 0..18 plus 19 = background / ignore.
constexpr int kCityscapesClasses = 20;
constexpr int kCityscapesBackground = 19;

// "road", "sidewalk", ..., "bicycle", "background"; "?" for ids outside 0..19.
const char* cityscapes_class_name(int id);
// The usual Cityscapes palette (RGB); background is black.
std::array<uint8_t, 3> cityscapes_color(int id);
// Class id for a name ("person", "traffic light" or "traffic_light", case-insensitive) or a
// decimal index 0..19; -1 if unknown.
int cityscapes_class_id(const std::string& name_or_index);

// Smallest photo side accepted by Segmenter and Stylizer ("image too small" below it).
constexpr int kMinImageSide = 4;
// Throws facet::Error "<what>: image too small (WxH, need at least 4x4)" for tiny or empty images.
void check_image_size(const Image& image, const std::string& what);

struct SegmenterOptions {
  int net_width = 1024;  // default network input size (upstream trained at 1024x512)
  int net_height = 512;
  int threads = 0;       // engine threads, 0 = all cores
};

// A label map with the photo's size.
struct Segmentation {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> labels;                         // height * width class ids, row-major
  std::array<int64_t, kCityscapesClasses> counts{};    // pixels per class

  // Fraction of pixels with class `id` (0 for ids out of range).
  double share(int id) const;
  // Ids of the classes present, by decreasing pixel count.
  std::vector<int> present_classes() const;
};

class Segmenter {
 public:
  // Loads the ESPNet ONNX file. Throws facet::Error naming the file on failure.
  explicit Segmenter(const std::string& model_path, const SegmenterOptions& options = {});
  ~Segmenter();
  Segmenter(const Segmenter&) = delete;
  Segmenter& operator=(const Segmenter&) = delete;

  // The exact upstream network input for `image` (RGB or gray) at net_w x net_h: [1,3,net_h,net_w]
  // float32, BGR, no padding. Throws on images smaller than kMinImageSide.
  static Tensor preprocess(const Image& image, int net_w, int net_h);

  // Runs the network on a preprocessed [1,3,H,W] tensor (any H, W >= 8), padding to multiples of
  // 8 and cropping back: returns logits [1,20,H,W].
  Tensor run_tensor(const Tensor& input);

  // Photo -> labels at the photo's size, with the network at net_w x net_h (<= 0: the options'
  // size).
  Segmentation segment(const Image& image, int net_w = 0, int net_h = 0);

  // Logits [1,20,h,w] -> labels at out_w x out_h (bilinear logits, argmax; ties -> lower id).
  static Segmentation labels_from_logits(const Tensor& logits, int out_w, int out_h);

  Session& session() { return *session_; }
  const SegmenterOptions& options() const { return options_; }

 private:
  SegmenterOptions options_;
  std::unique_ptr<Session> session_;
};

// Gray image whose pixel value is the class id.
Image label_image(const Segmentation& seg);
// The photo blended with the class colours (`alpha` = colour weight, background pixels keep the
// photo) and, if `legend`, a box in the top-left corner listing each present class: colour swatch,
// id, name and share. The photo must have the segmentation's size.
Image overlay_image(const Image& photo, const Segmentation& seg, float alpha = 0.5f,
                    bool legend = true);
// 1 where the label is one of `ids`, else 0 (height * width bytes).
std::vector<uint8_t> class_mask(const Segmentation& seg, const std::vector<int>& ids);

// Draws `text` with the built-in 5x7 bitmap font (upper-case letters, digits, space and . % : - _
// ( ) /; lower case is drawn as upper case, other characters as a box) at (x, y), scaled by
// `scale`, clipped to the image. Returns the advance width in pixels.
int draw_text(Image& image, int x, int y, const std::string& text, std::array<uint8_t, 3> color,
              int scale = 1);
// Fills the rectangle [x0,x1) x [y0,y1) (clipped). 1- or 3-channel images.
void fill_rect(Image& image, int x0, int y0, int x1, int y1, std::array<uint8_t, 3> color);

}  // namespace facet::models
