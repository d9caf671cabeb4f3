// Writes small seed images for the image fuzzers from one source photo: crops as PNG (RGB and
// gray, through facet's encoder), JPEG (baseline, progressive, gray, 4:4:4, restart markers,
// through libjpeg) and PPM/PGM. Used by tests/fuzz/make-corpus.sh; the output is not committed.
//
// usage: make_seed_images <photo.png|ppm> <out-dir>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <jpeglib.h>

#include "loaders/image.h"
#include "loaders/tensor_io.h"

namespace {

using facet::loaders::Image;

Image crop(const Image& src, int x0, int y0, int w, int h, bool gray) {
  Image out = Image::blank(w, h, gray ? 1 : 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const uint8_t* s = src.row((y0 + y) % src.height) +
                         static_cast<size_t>((x0 + x) % src.width) * src.channels;
      if (gray) {
        out.row(y)[x] = static_cast<uint8_t>((s[0] * 77 + s[1 % src.channels] * 150 +
                                              s[2 % src.channels] * 29) >> 8);
      } else {
        for (int c = 0; c < 3; ++c) out.row(y)[x * 3 + c] = s[c % src.channels];
      }
    }
  }
  return out;
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  facet::loaders::write_file_atomic(path, b.data(), b.size());
}

struct JpegOpts {
  int quality = 75;
  bool progressive = false;
  bool full_chroma = false;  // 4:4:4 instead of 4:2:0
  int restart_rows = 0;
  bool optimize = false;
};

std::vector<uint8_t> encode_jpeg(const Image& img, const JpegOpts& o) {
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* mem = nullptr;
  unsigned long mem_size = 0;
  jpeg_mem_dest(&c, &mem, &mem_size);
  c.image_width = static_cast<JDIMENSION>(img.width);
  c.image_height = static_cast<JDIMENSION>(img.height);
  c.input_components = img.channels;
  c.in_color_space = img.channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, o.quality, TRUE);
  if (o.progressive) jpeg_simple_progression(&c);
  if (o.full_chroma && img.channels == 3) {
    for (int i = 0; i < 3; ++i) c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
  }
  c.restart_in_rows = o.restart_rows;
  c.optimize_coding = o.optimize ? TRUE : FALSE;
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(img.row(static_cast<int>(c.next_scanline)));
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  std::vector<uint8_t> out(mem, mem + mem_size);
  jpeg_destroy_compress(&c);
  std::free(mem);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <photo> <out-dir>\n", argv[0]);
    return 2;
  }
  const Image photo = facet::loaders::read_image(argv[1]);
  const std::string out = argv[2];
  struct Crop {
    int x, y, w, h;
  };
  const Crop crops[] = {{200, 150, 8, 8}, {180, 120, 33, 17}, {160, 100, 64, 48}, {0, 0, 1, 1}};
  int n = 0;
  for (const Crop& cr : crops) {
    for (bool gray : {false, true}) {
      const Image im = crop(photo, cr.x, cr.y, cr.w, cr.h, gray);
      const std::string stem = out + "/" + std::to_string(cr.w) + "x" + std::to_string(cr.h) +
                               (gray ? "_gray" : "_rgb");
      write_bytes(stem + ".png", facet::loaders::encode_png(im));
      write_bytes(stem + (gray ? ".pgm" : ".ppm"), facet::loaders::encode_pnm(im));
      JpegOpts base;
      write_bytes(stem + "_base.jpg", encode_jpeg(im, base));
      JpegOpts prog;
      prog.progressive = true;
      write_bytes(stem + "_prog.jpg", encode_jpeg(im, prog));
      JpegOpts full;
      full.full_chroma = true;
      full.restart_rows = 1;
      full.quality = 95;
      full.optimize = true;
      write_bytes(stem + "_444rst.jpg", encode_jpeg(im, full));
      n += 5;
    }
  }
  std::printf("make_seed_images: wrote %d files to %s\n", n, out.c_str());
  return 0;
}
