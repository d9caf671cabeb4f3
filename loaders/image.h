// Decoding and encoding 8-bit images: PNG (libpng), JPEG (libjpeg, when built with it) and binary
// PPM/PGM (P6/P5).
//
// The format is detected from the first bytes, never from the file name. Decoded images are
// 8 bits per channel, interleaved (HWC), row-major, with no row padding:
//   - channels == 3: R, G, B (colour PNG/JPEG/PPM; palette and alpha images become RGB, the alpha
//     channel is dropped, 16-bit samples are scaled to 8 bits);
//   - channels == 1: gray (gray PNG, gray+alpha PNG, gray JPEG, PGM).
//
// Hostile input: the declared width*height is checked against ImageLimits::max_pixels before any
// pixel buffer is allocated; truncated or corrupt data gives facet::Error. libpng and libjpeg report
// errors through setjmp/longjmp; each longjmp target is a function holding only trivially
// destructible locals, and the library state is released by an owner outside it, so nothing leaks.
//
// Every error message starts with the name of the file (or the `name` given for memory buffers):
//   "photo.png: PNG header claims 100000x100000 pixels, limit is 100000000"
//   "x.png: not a PNG/JPEG/PPM file"
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/status.h"

namespace facet::loaders {

struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;             // 3 = RGB order, 1 = gray
  std::vector<uint8_t> pixels;  // height * width * channels bytes, HWC

  bool empty() const { return width <= 0 || height <= 0 || channels <= 0; }
  size_t row_bytes() const { return static_cast<size_t>(width) * static_cast<size_t>(channels); }
  uint8_t* row(int y) { return pixels.data() + static_cast<size_t>(y) * row_bytes(); }
  const uint8_t* row(int y) const { return pixels.data() + static_cast<size_t>(y) * row_bytes(); }
  // Zero-filled image of the given size.
  static Image blank(int width, int height, int channels);
};

struct ImageLimits {
  uint64_t max_pixels = 100000000;  // width * height, checked before allocating
  uint64_t max_file_bytes = uint64_t(1) << 30;
};

enum class ImageFormat { kUnknown, kPng, kJpeg, kPnm };

// Format from the magic bytes: PNG signature, JPEG SOI marker (FF D8 FF), "P5"/"P6".
ImageFormat detect_image_format(const uint8_t* data, size_t size);

// Decodes an image held in memory; `name` starts every error message. Throws facet::Error.
Image decode_image(const uint8_t* data, size_t size, const std::string& name,
                   const ImageLimits& limits = {});
// Reads and decodes a file. Throws facet::Error naming the file.
Image read_image(const std::string& path, const ImageLimits& limits = {});
// Error-as-value variant.
Status try_read_image(const std::string& path, Image* out, const ImageLimits& limits = {});

// Encodes an RGB (channels 3) or gray (channels 1) image as an 8-bit PNG. Throws facet::Error.
std::vector<uint8_t> encode_png(const Image& image);
// encode_png, then an atomic write (temp file + rename) to `path`.
void write_png(const std::string& path, const Image& image);
// Binary PPM (P6) for RGB or PGM (P5) for gray, to memory.
std::vector<uint8_t> encode_pnm(const Image& image);

}  // namespace facet::loaders
