// Image pre-processing for the face models: resize, crop, flip, rotate, colour order and
// conversion to normalised NCHW float tensors.
//
// All images are facet::loaders::Image: uint8, interleaved HWC, 1 or 3 channels. Functions never
// change the channel order unless their name says so (swap_red_blue, image_to_nchw's swap flag).
// Pixel coordinates follow the usual convention: pixel (x, y) covers [x, x+1) x [y, y+1) and its
// centre is at (x + 0.5, y + 0.5).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/tensor.h"
#include "loaders/image.h"

namespace facet::models {

using loaders::Image;

// Gray (1 channel) -> 3 equal channels; 3-channel images are returned unchanged.
Image to_three_channels(const Image& src);
// Allocation-free form for a steady state: returns `src` itself when it has 3 channels, else
// converts into *storage (whose buffer is reused) and returns *storage.
const Image& as_three_channels(const Image& src, Image* storage);

// Sets *image to width x height x channels, reusing its pixel buffer (no allocation when the
// buffer is already large enough). Pixel values are unspecified afterwards.
void reshape_image(Image* image, int width, int height, int channels);

// RGB <-> BGR (swaps channels 0 and 2). Requires 3 channels.
Image swap_red_blue(const Image& src);

// Bilinear resize with the same arithmetic as OpenCV's cv::resize(INTER_LINEAR) for uint8:
// half-pixel centres (src = (dst + 0.5) * in/out - 0.5), edges clamped, 11-bit fixed-point
// weights, and the rounding of OpenCV's SIMD vertical pass. Results equal cv2 up to +-1 level on
// the last few elements of a row (where OpenCV falls back to a scalar tail with another rounding).
// out_w, out_h >= 1.
Image resize_bilinear(const Image& src, int out_w, int out_h);

// Working memory of resize_region_into, reused across calls (it only grows with the output size).
struct ResizeScratch {
  std::vector<int32_t> taps;  // per output column, then per output row: src index (-1 = outside), w0, w1
  std::vector<int32_t> rows;  // two horizontal-pass rows
};

// resize_bilinear(crop_zero_pad(src, x0, y0, x1, y1), out_w, out_h) without building the crop:
// the region [x0, x1) x [y0, y1) of src (zero outside src) resized into *out, bit-identical to
// that composition. Allocation-free once *out and *scratch have held an output of this size.
// resize_bilinear(src, w, h) is resize_region_into(src, 0, 0, src.width, src.height, w, h, ...).
void resize_region_into(const Image& src, int x0, int y0, int x1, int y1, int out_w, int out_h,
                        Image* out, ResizeScratch* scratch);

// The region [x0, x1) x [y0, y1) of src (any integers, x1 > x0, y1 > y0); parts outside src are
// zero (black). Same as 3DDFA_V2's crop_img after it has rounded the roi.
Image crop_zero_pad(const Image& src, int x0, int y0, int x1, int y1);

// Mirror left-right.
Image flip_horizontal(const Image& src);

// Rotation by `degrees` counter-clockwise as seen on screen, about the image centre
// ((w-1)/2, (h-1)/2), same output size, bilinear sampling, zero outside. The forward map of a
// point is rotate_point().
Image rotate_image(const Image& src, double degrees);
// Where a source pixel coordinate lands after rotate_image(src of size w x h, degrees).
void rotate_point(double degrees, int width, int height, double x, double y, double* out_x,
                  double* out_y);

// Per-channel affine normalisation applied while converting HWC uint8 -> NCHW float:
//   out[c] = (pixel[c'] - mean[c]) / std[c], where c' = 2 - c if swap_red_blue else c.
// mean/std are indexed by the *output* channel.
struct Normalization {
  std::array<float, 3> mean{0.f, 0.f, 0.f};
  std::array<float, 3> std{1.f, 1.f, 1.f};
  bool swap_red_blue = false;
};

// [1, 3, h, w] float32 tensor. Requires a 3-channel image.
Tensor image_to_nchw(const Image& src, const Normalization& norm);
// Writes src into a [1, 3, out_h, out_w] float buffer (out_w >= src.width, out_h >= src.height):
// the image at the top-left, the rest filled as if the pixels were 0 (zero padding before
// normalisation). Requires a 3-channel image.
void image_to_nchw_into(const Image& src, const Normalization& norm, int out_w, int out_h,
                        float* out);
// Makes *t a float32 [1, c, h, w] tensor, reusing it when it already has that dtype and shape
// (no allocation then); otherwise allocates a new one.
void ensure_nchw_f32(Tensor* t, int64_t c, int64_t h, int64_t w);

// Python's round(): nearest integer, ties to even (what upstream crops use).
int round_half_even(double v);

}  // namespace facet::models
