#include "loaders/image.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#ifdef FACET_HAVE_JPEG
#include <jpeglib.h>
#include <jerror.h>
#endif

#include "loaders/tensor_io.h"

// libpng/libjpeg report errors by longjmp. Rules followed below:
//  - setjmp is called only in small "*_stage" functions whose locals are all trivially
//    destructible, so a longjmp never skips a C++ destructor;
//  - library handles are owned by RAII structs created by the caller of a stage, so they are
//    released whatever the stage returns;
//  - C++ allocations (which may throw) happen between stages, never inside one, and no exception
//    is thrown through library frames (callbacks catch and turn failures into library errors).

namespace facet::loaders {

Image Image::blank(int width, int height, int channels) {
  Image img;
  img.width = width;
  img.height = height;
  img.channels = channels;
  img.pixels.assign(static_cast<size_t>(width) * static_cast<size_t>(height) *
                        static_cast<size_t>(channels),
                    0);
  return img;
}

namespace {

constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

// Throws unless width x height is positive and within the limit. Called before any allocation.
void check_dims(const std::string& name, const char* format, uint64_t width, uint64_t height,
                const ImageLimits& limits) {
  FACET_CHECK(width > 0 && height > 0, name, ": ", format, " header claims an empty image (",
              width, "x", height, ")");
  // Each factor is < 2^32, so the product fits in 64 bits.
  FACET_CHECK(width * height <= limits.max_pixels, name, ": ", format, " header claims ", width,
              "x", height, " pixels, limit is ", limits.max_pixels);
  FACET_CHECK(width <= 0x7fffffff && height <= 0x7fffffff, name, ": ", format,
              " dimensions too large (", width, "x", height, ")");
}

uint32_t read_be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

// ---------------------------------------------------------------------------------------------
// PNG decoding

struct PngSource {
  const uint8_t* data;
  size_t size;
  size_t pos;
  char message[256];
};

void png_error_cb(png_structp png, png_const_charp msg) {
  auto* src = static_cast<PngSource*>(png_get_error_ptr(png));
  std::snprintf(src->message, sizeof src->message, "%s", msg ? msg : "unknown libpng error");
  png_longjmp(png, 1);
}

void png_warning_cb(png_structp, png_const_charp) {}

void png_read_cb(png_structp png, png_bytep out, size_t n) {
  auto* src = static_cast<PngSource*>(png_get_io_ptr(png));
  if (n > src->size - src->pos) png_error(png, "file is truncated");
  std::memcpy(out, src->data + src->pos, n);
  src->pos += n;
}

struct PngReadOwner {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~PngReadOwner() {
    if (png) png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
  }
};

struct PngLayout {
  png_uint_32 width;
  png_uint_32 height;
  int channels;
  size_t row_bytes;
};

// Reads the chunks up to the image data and sets up the transforms to 8-bit gray or RGB.
bool png_header_stage(png_structp png, png_infop info, PngLayout* layout) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  const int bit_depth = png_get_bit_depth(png, info);
  const int color_type = png_get_color_type(png, info);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  // scale_16 rounds (v * 255 / 65535); strip_16 would just keep the high byte.
  if (bit_depth == 16) png_set_scale_16(png);
  // Alpha is dropped, not composited: the models want the colour values.
  if (color_type & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  layout->width = png_get_image_width(png, info);
  layout->height = png_get_image_height(png, info);
  layout->channels = png_get_channels(png, info);
  layout->row_bytes = png_get_rowbytes(png, info);
  return true;
}

bool png_pixels_stage(png_structp png, png_bytep* rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  png_read_end(png, nullptr);
  return true;
}

Image decode_png(const uint8_t* data, size_t size, const std::string& name,
                 const ImageLimits& limits) {
  // Check the IHDR ourselves first, so the size limit is applied before libpng does anything.
  FACET_CHECK(size >= 33, name, ": truncated PNG header (", size, " bytes)");
  FACET_CHECK(read_be32(data + 8) == 13 && std::memcmp(data + 12, "IHDR", 4) == 0, name,
              ": PNG does not start with an IHDR chunk");
  check_dims(name, "PNG", read_be32(data + 16), read_be32(data + 20), limits);

  PngSource src{data, size, 0, {0}};
  PngReadOwner owner;
  owner.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_error_cb, png_warning_cb);
  FACET_CHECK(owner.png, name, ": cannot create the PNG decoder");
  owner.info = png_create_info_struct(owner.png);
  FACET_CHECK(owner.info, name, ": cannot create the PNG decoder");
  png_set_read_fn(owner.png, &src, png_read_cb);

  PngLayout layout{};
  FACET_CHECK(png_header_stage(owner.png, owner.info, &layout), name, ": PNG: ", src.message);
  check_dims(name, "PNG", layout.width, layout.height, limits);
  FACET_CHECK(layout.channels == 1 || layout.channels == 3, name, ": PNG decodes to ",
              layout.channels, " channels, expected 1 or 3");

  Image img = Image::blank(static_cast<int>(layout.width), static_cast<int>(layout.height),
                           layout.channels);
  FACET_CHECK(layout.row_bytes == img.row_bytes(), name, ": PNG row size ", layout.row_bytes,
              " does not match ", img.row_bytes());
  std::vector<png_bytep> rows(layout.height);
  for (png_uint_32 y = 0; y < layout.height; ++y) rows[y] = img.row(static_cast<int>(y));
  FACET_CHECK(png_pixels_stage(owner.png, rows.data()), name, ": PNG: ", src.message);
  return img;
}

// ---------------------------------------------------------------------------------------------
// JPEG decoding

#ifdef FACET_HAVE_JPEG
struct JpegError {
  jpeg_error_mgr mgr;  // first member: libjpeg passes &mgr, we cast back
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_error_exit_cb(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// Warnings are silent, except a premature end of data: a truncated file is an error for us
// (libjpeg would fill the rest of the image with gray).
void jpeg_emit_message_cb(j_common_ptr cinfo, int msg_level) {
  if (msg_level < 0) {
    cinfo->err->num_warnings++;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF) jpeg_error_exit_cb(cinfo);
  }
}

struct JpegOwner {
  jpeg_decompress_struct cinfo;
  JpegError err;
  bool created = false;
  ~JpegOwner() {
    if (created) jpeg_destroy_decompress(&cinfo);
  }
};

bool jpeg_header_stage(JpegOwner* o, const uint8_t* data, size_t size) {
  if (setjmp(o->err.jump)) return false;
  jpeg_create_decompress(&o->cinfo);
  o->created = true;
  jpeg_mem_src(&o->cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&o->cinfo, TRUE);
  const J_COLOR_SPACE cs = o->cinfo.jpeg_color_space;
  if (cs == JCS_GRAYSCALE) {
    o->cinfo.out_color_space = JCS_GRAYSCALE;
  } else if (cs == JCS_CMYK || cs == JCS_YCCK) {
    o->cinfo.out_color_space = JCS_CMYK;
  } else {
    o->cinfo.out_color_space = JCS_RGB;
  }
  return true;
}

bool jpeg_start_stage(JpegOwner* o) {
  if (setjmp(o->err.jump)) return false;
  jpeg_start_decompress(&o->cinfo);
  return true;
}

bool jpeg_pixels_stage(JpegOwner* o, uint8_t* pixels, size_t row_bytes) {
  if (setjmp(o->err.jump)) return false;
  while (o->cinfo.output_scanline < o->cinfo.output_height) {
    JSAMPROW row = pixels + static_cast<size_t>(o->cinfo.output_scanline) * row_bytes;
    jpeg_read_scanlines(&o->cinfo, &row, 1);
  }
  jpeg_finish_decompress(&o->cinfo);
  return true;
}

Image decode_jpeg(const uint8_t* data, size_t size, const std::string& name,
                  const ImageLimits& limits) {
  JpegOwner o;
  o.cinfo.err = jpeg_std_error(&o.err.mgr);
  o.err.mgr.error_exit = jpeg_error_exit_cb;
  o.err.mgr.emit_message = jpeg_emit_message_cb;
  o.err.message[0] = 0;
  FACET_CHECK(jpeg_header_stage(&o, data, size), name, ": JPEG: ", o.err.message);
  check_dims(name, "JPEG", o.cinfo.image_width, o.cinfo.image_height, limits);
  FACET_CHECK(jpeg_start_stage(&o), name, ": JPEG: ", o.err.message);
  const int comps = o.cinfo.output_components;
  FACET_CHECK(comps == 1 || comps == 3 || comps == 4, name, ": JPEG decodes to ", comps,
              " components");
  const int width = static_cast<int>(o.cinfo.output_width);
  const int height = static_cast<int>(o.cinfo.output_height);
  Image raw = Image::blank(width, height, comps);
  FACET_CHECK(jpeg_pixels_stage(&o, raw.pixels.data(), raw.row_bytes()), name, ": JPEG: ",
              o.err.message);
  if (comps != 4) return raw;

  // CMYK -> RGB. Adobe writes CMYK JPEGs inverted (0 = full ink), which libjpeg passes through.
  const bool inverted = o.cinfo.saw_Adobe_marker;
  Image rgb = Image::blank(width, height, 3);
  const size_t n = static_cast<size_t>(width) * static_cast<size_t>(height);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = &raw.pixels[i * 4];
    int k = inverted ? p[3] : 255 - p[3];
    for (int c = 0; c < 3; ++c) {
      int v = inverted ? p[c] : 255 - p[c];
      rgb.pixels[i * 3 + static_cast<size_t>(c)] = static_cast<uint8_t>((v * k + 127) / 255);
    }
  }
  return rgb;
}
#endif  // FACET_HAVE_JPEG

// ---------------------------------------------------------------------------------------------
// PNM (P5/P6)

Image decode_pnm(const uint8_t* data, size_t size, const std::string& name,
                 const ImageLimits& limits) {
  const int channels = data[1] == '6' ? 3 : 1;
  size_t pos = 2;
  // Header: magic, then width, height, maxval as decimal numbers separated by whitespace, with
  // '#' comments running to the end of the line; exactly one whitespace byte ends the header.
  auto read_number = [&](const char* what) -> uint64_t {
    for (;;) {
      while (pos < size && std::strchr(" \t\r\n\v\f", data[pos]) && data[pos] != 0) ++pos;
      if (pos < size && data[pos] == '#') {
        while (pos < size && data[pos] != '\n') ++pos;
        continue;
      }
      break;
    }
    FACET_CHECK(pos < size, name, ": PPM header is truncated before the ", what);
    FACET_CHECK(data[pos] >= '0' && data[pos] <= '9', name, ": PPM header: bad ", what);
    uint64_t v = 0;
    while (pos < size && data[pos] >= '0' && data[pos] <= '9') {
      v = v * 10 + static_cast<uint64_t>(data[pos] - '0');
      FACET_CHECK(v <= 0xffffffffull, name, ": PPM header: ", what, " is too large");
      ++pos;
    }
    return v;
  };
  const uint64_t width = read_number("width");
  const uint64_t height = read_number("height");
  const uint64_t maxval = read_number("maxval");
  FACET_CHECK(pos < size, name, ": PPM header is truncated");
  ++pos;  // the single whitespace byte before the samples
  check_dims(name, "PPM", width, height, limits);
  FACET_CHECK(maxval >= 1 && maxval <= 65535, name, ": PPM maxval ", maxval,
              " is out of range 1..65535");
  const uint64_t bytes_per_sample = maxval > 255 ? 2 : 1;
  const uint64_t need = width * height * static_cast<uint64_t>(channels) * bytes_per_sample;
  FACET_CHECK(need <= size - pos, name, ": PPM is truncated: ", need, " bytes of pixels needed, ",
              size - pos, " present");

  Image img = Image::blank(static_cast<int>(width), static_cast<int>(height), channels);
  const uint8_t* p = data + pos;
  const size_t n = img.pixels.size();
  if (maxval == 255) {
    std::memcpy(img.pixels.data(), p, n);
  } else {
    for (size_t i = 0; i < n; ++i) {
      uint64_t v = bytes_per_sample == 2 ? (uint64_t(p[2 * i]) << 8) | p[2 * i + 1] : p[i];
      if (v > maxval) v = maxval;
      img.pixels[i] = static_cast<uint8_t>((v * 255 + maxval / 2) / maxval);
    }
  }
  return img;
}

// ---------------------------------------------------------------------------------------------
// PNG encoding

struct PngSink {
  std::vector<uint8_t>* out;
  char message[256];
};

void png_write_error_cb(png_structp png, png_const_charp msg) {
  auto* sink = static_cast<PngSink*>(png_get_error_ptr(png));
  std::snprintf(sink->message, sizeof sink->message, "%s", msg ? msg : "unknown libpng error");
  png_longjmp(png, 1);
}

void png_write_cb(png_structp png, png_bytep data, size_t n) {
  auto* sink = static_cast<PngSink*>(png_get_io_ptr(png));
  bool failed = false;
  try {
    sink->out->insert(sink->out->end(), data, data + n);
  } catch (...) {
    failed = true;
  }
  // Raised outside the catch block: never longjmp out of a handler.
  if (failed) png_error(png, "out of memory");
}

void png_flush_cb(png_structp) {}

struct PngWriteOwner {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~PngWriteOwner() {
    if (png) png_destroy_write_struct(&png, info ? &info : nullptr);
  }
};

bool png_write_stage(png_structp png, png_infop info, png_uint_32 width, png_uint_32 height,
                     int color_type, png_bytep* rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_IHDR(png, info, width, height, 8, color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 6);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  return true;
}

}  // namespace

ImageFormat detect_image_format(const uint8_t* data, size_t size) {
  if (size >= 8 && std::memcmp(data, kPngSignature, 8) == 0) return ImageFormat::kPng;
  if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageFormat::kJpeg;
  if (size >= 2 && data[0] == 'P' && (data[1] == '5' || data[1] == '6')) return ImageFormat::kPnm;
  return ImageFormat::kUnknown;
}

Image decode_image(const uint8_t* data, size_t size, const std::string& name,
                   const ImageLimits& limits) {
  FACET_CHECK(size > 0, name, ": empty file");
  try {
    switch (detect_image_format(data, size)) {
      case ImageFormat::kPng:
        return decode_png(data, size, name, limits);
      case ImageFormat::kJpeg:
#ifdef FACET_HAVE_JPEG
        return decode_jpeg(data, size, name, limits);
#else
        fail(name + ": JPEG support was not compiled in (libjpeg not found at build time)");
#endif
      case ImageFormat::kPnm:
        return decode_pnm(data, size, name, limits);
      case ImageFormat::kUnknown:
        break;
    }
  } catch (const std::bad_alloc&) {
    fail(name + ": out of memory while decoding");
  }
  fail(name + ": not a PNG/JPEG/PPM file");
}

Image read_image(const std::string& path, const ImageLimits& limits) {
  const std::string bytes = read_file_bytes(path, limits.max_file_bytes);
  return decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path, limits);
}

Status try_read_image(const std::string& path, Image* out, const ImageLimits& limits) {
  try {
    *out = read_image(path, limits);
    return Status::ok();
  } catch (const std::bad_alloc&) {
    return Status::error(path + ": out of memory");
  } catch (const std::exception& e) {
    return Status::error(e.what());
  }
}

std::vector<uint8_t> encode_png(const Image& image) {
  FACET_CHECK(!image.empty() && (image.channels == 1 || image.channels == 3),
              "encode_png: need a non-empty gray or RGB image, got ", image.width, "x",
              image.height, "x", image.channels);
  FACET_CHECK(image.pixels.size() == image.row_bytes() * static_cast<size_t>(image.height),
              "encode_png: pixel buffer size does not match ", image.width, "x", image.height,
              "x", image.channels);
  std::vector<uint8_t> out;
  out.reserve(image.pixels.size() / 2 + 1024);
  std::vector<png_bytep> rows(static_cast<size_t>(image.height));
  for (int y = 0; y < image.height; ++y) rows[static_cast<size_t>(y)] = const_cast<png_bytep>(image.row(y));

  PngSink sink{&out, {0}};
  PngWriteOwner owner;
  owner.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, png_write_error_cb,
                                      png_warning_cb);
  FACET_CHECK(owner.png, "encode_png: cannot create the PNG encoder");
  owner.info = png_create_info_struct(owner.png);
  FACET_CHECK(owner.info, "encode_png: cannot create the PNG encoder");
  png_set_write_fn(owner.png, &sink, png_write_cb, png_flush_cb);
  const int color_type = image.channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY;
  FACET_CHECK(png_write_stage(owner.png, owner.info, static_cast<png_uint_32>(image.width),
                              static_cast<png_uint_32>(image.height), color_type, rows.data()),
              "encode_png: ", sink.message);
  return out;
}

void write_png(const std::string& path, const Image& image) {
  std::vector<uint8_t> bytes;
  try {
    bytes = encode_png(image);
  } catch (const Error& e) {
    fail(path + ": " + e.what());
  }
  write_file_atomic(path, bytes.data(), bytes.size());
}

std::vector<uint8_t> encode_pnm(const Image& image) {
  FACET_CHECK(!image.empty() && (image.channels == 1 || image.channels == 3),
              "encode_pnm: need a non-empty gray or RGB image");
  const std::string header = str_cat(image.channels == 3 ? "P6" : "P5", "\n", image.width, " ",
                                     image.height, "\n255\n");
  std::vector<uint8_t> out(header.begin(), header.end());
  out.insert(out.end(), image.pixels.begin(), image.pixels.end());
  return out;
}

}  // namespace facet::loaders
