// Image decoding/encoding (loaders/image.h): the astronaut sample, PNG variants, JPEG, and
// malformed files.
#include <png.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#if __has_include(<jpeglib.h>)
#include <jpeglib.h>
#define FACET_TEST_HAVE_JPEGLIB 1
#endif

#include "loaders/image.h"
#include "test_util.h"

namespace facet {
namespace {

using loaders::Image;

using test::models_dir;

#define SKIP_WITHOUT_MODELS() FACET_SKIP_WITHOUT_MODEL_FILES("samples/astronaut_512x512.png")

// A scratch folder removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/facet_image_test_XXXXXX";
    const char* p = mkdtemp(tmpl);
    path_ = p ? p : "/tmp";
  }
  ~TempDir() {
    for (const std::string& f : files_) std::remove(f.c_str());
    rmdir(path_.c_str());
  }
  std::string write(const std::string& name, const void* data, size_t size) {
    const std::string f = path_ + "/" + name;
    std::ofstream os(f, std::ios::binary);
    os.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    files_.push_back(f);
    return f;
  }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) {
    return write(name, bytes.data(), bytes.size());
  }
  std::string add(const std::string& name) {
    files_.push_back(path_ + "/" + name);
    return files_.back();
  }

 private:
  std::string path_;
  std::vector<std::string> files_;
};

// Error message of read_image, or "" if it succeeded.
std::string read_error(const std::string& path, const loaders::ImageLimits& limits = {}) {
  Image img;
  Status st = loaders::try_read_image(path, &img, limits);
  return st.is_ok() ? "" : st.message();
}

Image random_image(int w, int h, int c, uint32_t seed) {
  std::mt19937 rng(seed);
  Image img = Image::blank(w, h, c);
  for (uint8_t& v : img.pixels) v = static_cast<uint8_t>(rng() & 0xff);
  return img;
}

// ---- PNG writing through libpng directly, for formats encode_png does not produce. ----
struct MemWriter {
  std::vector<uint8_t> bytes;
};
void mem_write(png_structp png, png_bytep data, size_t n) {
  auto* w = static_cast<MemWriter*>(png_get_io_ptr(png));
  w->bytes.insert(w->bytes.end(), data, data + n);
}
void mem_flush(png_structp) {}

// Writes raw rows (already in the PNG sample layout) with the given IHDR; palette optional.
std::vector<uint8_t> make_png(int w, int h, int bit_depth, int color_type,
                              const std::vector<uint8_t>& raw, const std::vector<png_color>& palette = {},
                              int interlace = PNG_INTERLACE_NONE) {
  MemWriter mw;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return {};
  }
  png_set_write_fn(png, &mw, mem_write, mem_flush);
  png_set_IHDR(png, info, static_cast<png_uint_32>(w), static_cast<png_uint_32>(h), bit_depth,
               color_type, interlace, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!palette.empty()) png_set_PLTE(png, info, palette.data(), static_cast<int>(palette.size()));
  png_write_info(png, info);
  const size_t row_bytes = raw.size() / static_cast<size_t>(h);
  std::vector<png_bytep> rows(static_cast<size_t>(h));
  for (int y = 0; y < h; ++y) rows[static_cast<size_t>(y)] = const_cast<png_bytep>(raw.data() + static_cast<size_t>(y) * row_bytes);
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return mw.bytes;
}

Image decode(const std::vector<uint8_t>& bytes, const std::string& name = "mem.png") {
  return loaders::decode_image(bytes.data(), bytes.size(), name);
}

uint32_t crc32_of(const uint8_t* p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return c ^ 0xffffffffu;
}

TEST(ImageIo, AstronautPngAndPpmAreIdentical) {
  SKIP_WITHOUT_MODELS();
  const Image png = loaders::read_image(models_dir() + "/samples/astronaut_512x512.png");
  const Image ppm = loaders::read_image(models_dir() + "/samples/astronaut_512x512.ppm");
  EXPECT_EQ(png.width, 512);
  EXPECT_EQ(png.height, 512);
  EXPECT_EQ(png.channels, 3);
  EXPECT_EQ(ppm.width, 512);
  EXPECT_EQ(ppm.channels, 3);
  ASSERT_EQ(png.pixels.size(), ppm.pixels.size());
  EXPECT_TRUE(png.pixels == ppm.pixels);
}

TEST(ImageIo, PngRoundTripRgbAndGray) {
  for (int c : {1, 3}) {
    const Image img = random_image(37, 19, c, 7u + static_cast<uint32_t>(c));
    const std::vector<uint8_t> bytes = loaders::encode_png(img);
    const Image back = decode(bytes);
    EXPECT_EQ(back.width, 37);
    EXPECT_EQ(back.height, 19);
    EXPECT_EQ(back.channels, c);
    EXPECT_TRUE(back.pixels == img.pixels) << "channels " << c;
  }
}

TEST(ImageIo, WritePngIsAtomicAndReadable) {
  TempDir dir;
  const std::string path = dir.add("out.png");
  const Image img = random_image(8, 5, 3, 1);
  loaders::write_png(path, img);
  EXPECT_TRUE(loaders::read_image(path).pixels == img.pixels);
}

TEST(ImageIo, PngVariantsBecomeRgbOrGray) {
  const int w = 5, h = 3;
  // 16-bit RGB: samples big-endian; 0xABCD scales to round(0xABCD * 255 / 65535) = 0xAB (171).
  {
    std::vector<uint8_t> raw;
    for (int i = 0; i < w * h * 3; ++i) {
      raw.push_back(0xAB);
      raw.push_back(0xCD);
    }
    const Image img = decode(make_png(w, h, 16, PNG_COLOR_TYPE_RGB, raw));
    EXPECT_EQ(img.channels, 3);
    for (uint8_t v : img.pixels) EXPECT_NEAR(v, 0xAB, 1);
  }
  // RGBA: alpha dropped.
  {
    std::vector<uint8_t> raw;
    for (int i = 0; i < w * h; ++i) raw.insert(raw.end(), {10, 20, 30, 40});
    const Image img = decode(make_png(w, h, 8, PNG_COLOR_TYPE_RGB_ALPHA, raw));
    ASSERT_EQ(img.channels, 3);
    EXPECT_EQ(img.pixels[0], 10);
    EXPECT_EQ(img.pixels[1], 20);
    EXPECT_EQ(img.pixels[2], 30);
    EXPECT_EQ(img.pixels.size(), size_t(w * h * 3));
  }
  // Gray + alpha: gray.
  {
    std::vector<uint8_t> raw;
    for (int i = 0; i < w * h; ++i) raw.insert(raw.end(), {77, 255});
    const Image img = decode(make_png(w, h, 8, PNG_COLOR_TYPE_GRAY_ALPHA, raw));
    ASSERT_EQ(img.channels, 1);
    for (uint8_t v : img.pixels) EXPECT_EQ(v, 77);
  }
  // Palette, 4-bit indices: two pixels per byte.
  {
    std::vector<png_color> pal = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
    const int pw = 4;
    std::vector<uint8_t> raw;
    for (int y = 0; y < h; ++y) raw.insert(raw.end(), {0x01, 0x20});  // indices 0,1,2,0
    const Image img = decode(make_png(pw, h, 4, PNG_COLOR_TYPE_PALETTE, raw, pal));
    ASSERT_EQ(img.channels, 3);
    ASSERT_EQ(img.width, pw);
    const uint8_t expect[12] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 0};
    for (int i = 0; i < 12; ++i) EXPECT_EQ(img.pixels[static_cast<size_t>(i)], expect[i]) << i;
  }
  // 1-bit gray: 0 -> 0, 1 -> 255.
  {
    std::vector<uint8_t> raw(static_cast<size_t>(h), 0xA0);  // bits 1,0,1,0,0
    const Image img = decode(make_png(w, h, 1, PNG_COLOR_TYPE_GRAY, raw));
    ASSERT_EQ(img.channels, 1);
    EXPECT_EQ(img.pixels[0], 255);
    EXPECT_EQ(img.pixels[1], 0);
    EXPECT_EQ(img.pixels[2], 255);
  }
  // Interlaced RGB round-trips.
  {
    const Image src = random_image(9, 7, 3, 3);
    const Image img = decode(make_png(9, 7, 8, PNG_COLOR_TYPE_RGB, src.pixels, {}, PNG_INTERLACE_ADAM7));
    EXPECT_TRUE(img.pixels == src.pixels);
  }
}

TEST(ImageIo, PpmAndPgmWithCommentsAndMaxval) {
  const std::string ppm = "P6\n# comment\n2 1\n255\n";
  std::vector<uint8_t> bytes(ppm.begin(), ppm.end());
  bytes.insert(bytes.end(), {1, 2, 3, 4, 5, 6});
  Image img = decode(bytes, "a.ppm");
  EXPECT_EQ(img.width, 2);
  EXPECT_EQ(img.channels, 3);
  EXPECT_EQ(img.pixels, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));

  const std::string pgm = "P5 2 1 15\n";
  bytes.assign(pgm.begin(), pgm.end());
  bytes.insert(bytes.end(), {15, 0});
  img = decode(bytes, "a.pgm");
  EXPECT_EQ(img.channels, 1);
  EXPECT_EQ(img.pixels, (std::vector<uint8_t>{255, 0}));

  // Round trip through encode_pnm.
  const Image src = random_image(6, 4, 3, 9);
  EXPECT_TRUE(decode(loaders::encode_pnm(src), "x.ppm").pixels == src.pixels);
}

TEST(ImageIo, FormatComesFromMagicBytesNotExtension) {
  TempDir dir;
  const Image src = random_image(4, 3, 3, 5);
  const std::string path = dir.write("really_a_ppm.png", loaders::encode_pnm(src));
  EXPECT_TRUE(loaders::read_image(path).pixels == src.pixels);
}

TEST(ImageIo, BadFilesGiveErrorsNamingTheFile) {
  TempDir dir;
  // Empty file.
  const std::string empty = dir.write("empty.png", "", 0);
  std::string err = read_error(empty);
  EXPECT_NE(err.find("empty.png"), std::string::npos) << err;
  EXPECT_NE(err.find("empty"), std::string::npos) << err;

  // Text file named .png.
  const std::string text = "hello, I am not an image\n";
  const std::string txt = dir.write("text.png", text.data(), text.size());
  err = read_error(txt);
  EXPECT_NE(err.find("text.png: not a PNG/JPEG/PPM file"), std::string::npos) << err;

  // Missing file.
  err = read_error(dir.add("missing.png"));
  EXPECT_NE(err.find("missing.png"), std::string::npos) << err;

  // Truncated PNG at several cut points.
  const std::vector<uint8_t> good = loaders::encode_png(random_image(64, 48, 3, 11));
  for (size_t cut : {size_t(5), size_t(20), size_t(40), good.size() / 2, good.size() - 13}) {
    std::vector<uint8_t> part(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
    const std::string p = dir.write("cut_" + std::to_string(cut) + ".png", part);
    err = read_error(p);
    EXPECT_NE(err.find("cut_" + std::to_string(cut) + ".png"), std::string::npos)
        << "cut at " << cut << ": " << (err.empty() ? "no error" : err);
  }

  // Corrupted image data (flip bytes in the middle).
  std::vector<uint8_t> bad = good;
  for (size_t i = bad.size() / 2; i < bad.size() / 2 + 16; ++i) bad[i] ^= 0x5a;
  err = read_error(dir.write("corrupt.png", bad));
  EXPECT_NE(err.find("corrupt.png"), std::string::npos) << (err.empty() ? "no error" : err);
}

TEST(ImageIo, HugePngHeaderIsRejectedBeforeAllocating) {
  // Signature + IHDR(100000 x 100000, 8-bit RGB) with a correct CRC + an empty IDAT + IEND.
  std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  auto chunk = [&b](const char* type, const std::vector<uint8_t>& data) {
    const uint32_t n = static_cast<uint32_t>(data.size());
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(n >> s));
    const size_t start = b.size();
    b.insert(b.end(), type, type + 4);
    b.insert(b.end(), data.begin(), data.end());
    const uint32_t crc = crc32_of(b.data() + start, b.size() - start);
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(crc >> s));
  };
  const uint32_t dim = 100000;
  std::vector<uint8_t> ihdr;
  for (int k = 0; k < 2; ++k)
    for (int s = 24; s >= 0; s -= 8) ihdr.push_back(static_cast<uint8_t>(dim >> s));
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});
  chunk("IHDR", ihdr);
  chunk("IDAT", {});
  chunk("IEND", {});
  TempDir dir;
  const std::string path = dir.write("photo.png", b);
  const std::string err = read_error(path);
  EXPECT_NE(err.find("photo.png: PNG header claims 100000x100000 pixels, limit is 100000000"),
            std::string::npos)
      << err;
}

TEST(ImageIo, PixelLimitIsConfigurable) {
  const Image src = random_image(40, 30, 3, 2);
  const std::vector<uint8_t> png = loaders::encode_png(src);
  const std::vector<uint8_t> ppm = loaders::encode_pnm(src);
  loaders::ImageLimits limits;
  limits.max_pixels = 1199;
  for (const auto* bytes : {&png, &ppm}) {
    try {
      loaders::decode_image(bytes->data(), bytes->size(), "small.img", limits);
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("40x30 pixels, limit is 1199"), std::string::npos)
          << e.what();
    }
  }
  limits.max_pixels = 1200;
  EXPECT_EQ(loaders::decode_image(png.data(), png.size(), "ok.png", limits).width, 40);
}

TEST(ImageIo, TruncatedPpmIsAnError) {
  const std::string hdr = "P6\n100 100\n255\n";
  std::vector<uint8_t> b(hdr.begin(), hdr.end());
  b.resize(b.size() + 100);
  EXPECT_THROW(decode(b, "short.ppm"), Error);
  const std::string bad = "P6\n10";
  EXPECT_THROW(decode(std::vector<uint8_t>(bad.begin(), bad.end()), "hdr.ppm"), Error);
}

#ifdef FACET_TEST_HAVE_JPEGLIB
std::vector<uint8_t> make_jpeg(const Image& rgb, int quality) {
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* out = nullptr;
  unsigned long out_size = 0;
  jpeg_mem_dest(&c, &out, &out_size);
  c.image_width = static_cast<JDIMENSION>(rgb.width);
  c.image_height = static_cast<JDIMENSION>(rgb.height);
  c.input_components = rgb.channels;
  c.in_color_space = rgb.channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(rgb.row(static_cast<int>(c.next_scanline)));
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  std::vector<uint8_t> bytes(out, out + out_size);
  jpeg_destroy_compress(&c);
  std::free(out);
  return bytes;
}

TEST(ImageIo, JpegDecodesCloseToSourceAndTruncationIsAnError) {
  SKIP_WITHOUT_MODELS();
  const Image src = loaders::read_image(models_dir() + "/samples/astronaut_512x512.ppm");
  const std::vector<uint8_t> jpg = make_jpeg(src, 95);
  Image img;
  try {
    img = decode(jpg, "astronaut.jpg");
  } catch (const Error& e) {
    if (std::string(e.what()).find("not compiled in") != std::string::npos)
      GTEST_SKIP() << "facet built without libjpeg";
    throw;
  }
  ASSERT_EQ(img.width, 512);
  ASSERT_EQ(img.channels, 3);
  double sum = 0;
  for (size_t i = 0; i < img.pixels.size(); ++i) sum += std::abs(img.pixels[i] - src.pixels[i]);
  EXPECT_LT(sum / static_cast<double>(img.pixels.size()), 3.0);

  std::vector<uint8_t> cut(jpg.begin(), jpg.begin() + static_cast<std::ptrdiff_t>(jpg.size() / 2));
  try {
    decode(cut, "half.jpg");
    ADD_FAILURE() << "truncated JPEG decoded without error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("half.jpg"), std::string::npos) << e.what();
  }
  // Gray JPEG stays gray.
  const Image gray = random_image(16, 8, 1, 4);
  EXPECT_EQ(decode(make_jpeg(gray, 90), "g.jpg").channels, 1);
}
#endif

}  // namespace
}  // namespace facet
