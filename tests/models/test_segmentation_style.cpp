// Segmentation (ESPNet) and style transfer: reference tensors through the Segmenter / Stylizer code
// paths, any-size handling, one session across sizes, tiny images, masked stylization.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "engine/session.h"
#include "engine/status.h"
#include "loaders/image.h"
#include "loaders/tensor_io.h"
#include "models/image_ops.h"
#include "models/segmentation.h"
#include "models/stylize.h"
#include "test_util.h"

namespace facet {
namespace {

using loaders::Image;

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

using test::models_dir;

#define REQUIRE_MODEL_FILE(var, rel)                                                         \
  const std::string var = models_dir() + "/" + (rel);                                        \
  if (models_dir().empty() || !file_exists(var))                                             \
  GTEST_SKIP() << "shared models not found (" << var                                         \
               << "); set FACET_SHARED_DIR to the folder holding models/"

const char* kEspnet = "segmentation/espnet_p2q8_cityscapes.onnx";
const char* kMatta = "style/fast_style_matta.onnx";
const char* kAstronaut = "samples/astronaut_512x512.png";

struct Diff {
  double max_abs = 0;
  size_t worst = 0;
};

Diff max_abs_diff(const Tensor& a, const Tensor& b) {
  Diff d;
  EXPECT_EQ(shape_str(a.shape()), shape_str(b.shape()));
  if (a.numel() != b.numel()) return d;
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double e = std::fabs(static_cast<double>(pa[i]) - pb[i]);
    if (!(e <= d.max_abs)) {
      d.max_abs = e;
      d.worst = static_cast<size_t>(i);
    }
  }
  return d;
}

// A deterministic RGB test picture with edges and gradients.
Image synthetic_image(int w, int h, uint32_t seed = 7) {
  Image img = Image::blank(w, h, 3);
  std::mt19937 rng(seed);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = img.row(y) + 3 * x;
      p[0] = static_cast<uint8_t>((x * 255) / std::max(1, w - 1));
      p[1] = static_cast<uint8_t>((y * 255) / std::max(1, h - 1));
      p[2] = static_cast<uint8_t>(((x / 5 + y / 7) % 2) ? 200 : 30);
      p[0] = static_cast<uint8_t>(p[0] ^ (rng() & 15));
    }
  return img;
}

// ---- pure helpers (no models needed) -------------------------------------------------------

TEST(SegmentationStyle, ClassNamesAndIds) {
  EXPECT_EQ(models::cityscapes_class_id("person"), 11);
  EXPECT_EQ(models::cityscapes_class_id("Car"), 13);
  EXPECT_EQ(models::cityscapes_class_id("traffic_light"), 6);
  EXPECT_EQ(models::cityscapes_class_id("traffic sign"), 7);
  EXPECT_EQ(models::cityscapes_class_id("sky"), 10);
  EXPECT_EQ(models::cityscapes_class_id("19"), 19);
  EXPECT_EQ(models::cityscapes_class_id("0"), 0);
  EXPECT_EQ(models::cityscapes_class_id("20"), -1);
  EXPECT_EQ(models::cityscapes_class_id("unicorn"), -1);
  EXPECT_EQ(models::cityscapes_class_id(""), -1);
  EXPECT_STREQ(models::cityscapes_class_name(18), "bicycle");
  EXPECT_STREQ(models::cityscapes_class_name(19), "background");
}

TEST(SegmentationStyle, TinyImagesGiveClearErrors) {
  for (int side : {1, 3}) {
    const Image tiny = synthetic_image(side, side);
    try {
      models::Stylizer::preprocess(tiny);
      ADD_FAILURE() << "style accepted a " << side << "x" << side << " image";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("image too small"), std::string::npos) << e.what();
    }
    try {
      models::Segmenter::preprocess(tiny, 64, 32);
      ADD_FAILURE() << "segmentation accepted a " << side << "x" << side << " image";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("image too small"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(models::Segmenter::preprocess(Image{}, 64, 32), Error);
}

TEST(SegmentationStyle, ResizeAreaIntegerFactorIsRoundedBoxMean) {
  const Image src = synthetic_image(40, 24);
  const Image out = models::resize_area(src, 10, 6);
  ASSERT_EQ(out.width, 10);
  ASSERT_EQ(out.height, 6);
  for (int y = 0; y < 6; ++y)
    for (int x = 0; x < 10; ++x)
      for (int c = 0; c < 3; ++c) {
        int sum = 0;
        for (int dy = 0; dy < 4; ++dy)
          for (int dx = 0; dx < 4; ++dx) sum += src.row(4 * y + dy)[3 * (4 * x + dx) + c];
        const int expected = static_cast<int>(std::nearbyint(sum / 16.0));  // ties to even
        EXPECT_EQ(out.row(y)[3 * x + c], expected) << x << "," << y << "," << c;
      }
  int w = 0, h = 0;
  models::fit_max_side(517, 333, 256, &w, &h);
  EXPECT_EQ(w, 256);
  EXPECT_EQ(h, 165);
  models::fit_max_side(100, 50, 256, &w, &h);
  EXPECT_EQ(w, 100);
  EXPECT_EQ(h, 50);
}

TEST(SegmentationStyle, FeatherAlphaMatchesBruteForceDistance) {
  const int w = 37, h = 29;
  std::vector<uint8_t> mask(static_cast<size_t>(w * h), 0);
  models::add_ellipse_to_mask(mask, w, h, 12.f, 10.f, 5.f, 3.f);
  mask[static_cast<size_t>(25 * w + 30)] = 1;  // an isolated pixel
  for (float feather : {0.f, 1.f, 4.5f, 9.f}) {
    const std::vector<float> alpha = models::feather_alpha(mask, w, h, feather);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        double best = 1e30;
        for (int v = 0; v < h; ++v)
          for (int u = 0; u < w; ++u)
            if (mask[static_cast<size_t>(v * w + u)])
              best = std::min(best, std::hypot(double(u - x), double(v - y)));
        const float a = alpha[static_cast<size_t>(y * w + x)];
        if (best == 0) {
          EXPECT_EQ(a, 1.f);
        } else if (best >= feather) {
          EXPECT_EQ(a, 0.f) << "pixel " << x << "," << y << " at distance " << best;
        } else {
          const double t = best / feather;
          EXPECT_NEAR(a, 1.0 - t * t * (3 - 2 * t), 1e-5);
        }
      }
  }
  // Empty mask: alpha all zero.
  std::vector<uint8_t> empty(static_cast<size_t>(w * h), 0);
  for (float a : models::feather_alpha(empty, w, h, 5.f)) ASSERT_EQ(a, 0.f);
}

// ---- ESPNet --------------------------------------------------------------------------------

TEST(SegmentationStyle, EspnetPreprocessingMatchesReferenceInput) {
  REQUIRE_MODEL_FILE(image_path, kAstronaut);
  const std::string ref_dir = models_dir() + "/testdata/espnet_p2q8_cityscapes_128x256";
  const Tensor ref = loaders::read_raw_f32(ref_dir + "/in_input.f32", {1, 3, 128, 256});
  const Image image = loaders::read_image(image_path);
  const Tensor mine = models::Segmenter::preprocess(image, 256, 128);
  const Diff d = max_abs_diff(mine, ref);
  std::printf("[ espnet ] image -> input tensor (256x128): max abs err %.3g\n", d.max_abs);
  EXPECT_LE(d.max_abs, 1e-3);
}

TEST(SegmentationStyle, EspnetLogitsMatchReference) {
  REQUIRE_MODEL_FILE(model_path, kEspnet);
  const std::string ref_dir = models_dir() + "/testdata/espnet_p2q8_cityscapes_128x256";
  const Tensor input = loaders::read_raw_f32(ref_dir + "/in_input.f32", {1, 3, 128, 256});
  const Tensor ref = loaders::read_raw_f32(ref_dir + "/out_logits.f32", {1, 20, 128, 256});
  models::Segmenter seg(model_path);
  const Tensor logits = seg.run_tensor(input);
  const Diff d = max_abs_diff(logits, ref);
  std::printf("[ espnet ] reference input -> logits: max abs err %.3g\n", d.max_abs);
  EXPECT_LE(d.max_abs, 1e-4);

  // The whole image path (preprocessing, network, argmax) against the reference argmax.
  REQUIRE_MODEL_FILE(image_path, kAstronaut);
  const Image image = loaders::read_image(image_path);
  const models::Segmentation from_image = seg.segment(image, 256, 128);
  EXPECT_EQ(from_image.width, 512);
  EXPECT_EQ(from_image.height, 512);
  const models::Segmentation ref_labels = models::Segmenter::labels_from_logits(ref, 256, 128);
  const models::Segmentation my_labels =
      models::Segmenter::labels_from_logits(seg.run_tensor(models::Segmenter::preprocess(image, 256, 128)), 256, 128);
  size_t agree = 0;
  for (size_t i = 0; i < ref_labels.labels.size(); ++i) agree += ref_labels.labels[i] == my_labels.labels[i];
  const double agreement = static_cast<double>(agree) / static_cast<double>(ref_labels.labels.size());
  std::printf("[ espnet ] image path argmax agreement with reference logits: %.4f%%\n",
              100.0 * agreement);
  EXPECT_GE(agreement, 0.999);
}

TEST(SegmentationStyle, EspnetOddImageSizeAndOneSessionManySizes) {
  REQUIRE_MODEL_FILE(model_path, kEspnet);
  models::SegmenterOptions opts;
  opts.net_width = 64;
  opts.net_height = 32;
  models::Segmenter seg(model_path, opts);
  const Session* session = &seg.session();

  const Image odd = synthetic_image(333, 517);
  // Three network sizes (one not a multiple of 8: padded and cropped) on one session.
  const int sizes[3][2] = {{64, 32}, {60, 36}, {96, 48}};
  for (int k = 0; k < 3; ++k) {
    const models::Segmentation s = seg.segment(odd, sizes[k][0], sizes[k][1]);
    EXPECT_EQ(s.width, 333);
    EXPECT_EQ(s.height, 517);
    EXPECT_EQ(s.labels.size(), size_t(333) * 517);
    int64_t total = 0;
    for (int64_t c : s.counts) total += c;
    EXPECT_EQ(total, int64_t(333) * 517);
    EXPECT_EQ(&seg.session(), session);
    // The session re-planned for this (padded) size.
    const Plan* plan = seg.session().current_plan();
    ASSERT_NE(plan, nullptr);
    const int in_id = seg.session().graph().inputs[0];
    EXPECT_EQ(shape_str(plan->infos[static_cast<size_t>(in_id)].shape),
              shape_str({1, 3, (sizes[k][1] + 7) / 8 * 8, (sizes[k][0] + 7) / 8 * 8}));
    const Tensor logits = seg.run_tensor(models::Segmenter::preprocess(odd, sizes[k][0], sizes[k][1]));
    EXPECT_EQ(shape_str(logits.shape()),
              shape_str({1, 20, sizes[k][1], sizes[k][0]}));
  }
  // Going back to the first size gives the same result as the first time (no stale state).
  const Tensor in = models::Segmenter::preprocess(odd, 64, 32);
  const Tensor a = seg.run_tensor(in).clone();
  seg.run_tensor(models::Segmenter::preprocess(odd, 96, 48));
  const Tensor b = seg.run_tensor(in);
  EXPECT_EQ(max_abs_diff(a, b).max_abs, 0.0);

  // Outputs of the command's code path have the photo's size.
  const models::Segmentation s = seg.segment(odd);
  const Image labels = models::label_image(s);
  const Image overlay = models::overlay_image(odd, s);
  EXPECT_EQ(labels.width, 333);
  EXPECT_EQ(labels.height, 517);
  EXPECT_EQ(labels.channels, 1);
  EXPECT_EQ(overlay.width, 333);
  EXPECT_EQ(overlay.height, 517);
  EXPECT_EQ(overlay.channels, 3);
  for (uint8_t l : labels.pixels) ASSERT_LT(l, 20);
  EXPECT_FALSE(loaders::encode_png(overlay).empty());
  // Masks select exactly the requested labels.
  const std::vector<int> present = s.present_classes();
  ASSERT_FALSE(present.empty());
  const std::vector<uint8_t> m = models::class_mask(s, {present[0]});
  size_t on = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    EXPECT_EQ(m[i] != 0, s.labels[i] == present[0]);
    on += m[i];
  }
  EXPECT_EQ(static_cast<int64_t>(on), s.counts[static_cast<size_t>(present[0])]);

  // Tiny network sizes are refused clearly.
  EXPECT_THROW(seg.segment(odd, 4, 4), Error);
}

// ---- style transfer ------------------------------------------------------------------------

TEST(SegmentationStyle, StyleMatchesReference) {
  REQUIRE_MODEL_FILE(model_path, kMatta);
  const std::string ref_dir = models_dir() + "/testdata/fast_style_matta_128x128";
  const Tensor input = loaders::read_raw_f32(ref_dir + "/in_input.f32", {1, 3, 128, 128});
  const Tensor ref = loaders::read_raw_f32(ref_dir + "/out_output.f32", {1, 3, 128, 128});
  models::Stylizer st(model_path);
  const Tensor out = st.run_tensor(input);
  const Diff d = max_abs_diff(out, ref);
  std::printf("[ style ] reference input -> output: max abs err %.3g (values up to 277; the "
              "reference's own second executor differs by 2.7e-4)\n", d.max_abs);
  EXPECT_LE(d.max_abs, 2e-3);

  // Image path: the reference used cv2 INTER_AREA 512 -> 128 (an integer factor: rounded box
  // means), which resize_area reproduces.
  REQUIRE_MODEL_FILE(image_path, kAstronaut);
  const Image image = loaders::read_image(image_path);
  const Tensor mine_in = models::Stylizer::preprocess(models::resize_area(image, 128, 128));
  const Diff din = max_abs_diff(mine_in, input);
  std::printf("[ style ] image -> input tensor (area 128x128): max abs err %.3g\n", din.max_abs);
  EXPECT_LE(din.max_abs, 1.0 / 255 + 1e-6);
  // stylize(max_side = 128) runs the same path and returns the clipped, rounded image.
  const Image styled = st.stylize(image, 128);
  ASSERT_EQ(styled.width, 128);
  ASSERT_EQ(styled.height, 128);
  const Image ref_img = models::Stylizer::tensor_to_image(ref);
  int worst = 0;
  for (size_t i = 0; i < styled.pixels.size(); ++i)
    worst = std::max(worst, std::abs(int(styled.pixels[i]) - int(ref_img.pixels[i])));
  std::printf("[ style ] image path -> uint8 output: max abs err %d levels\n", worst);
  EXPECT_LE(worst, din.max_abs == 0 ? 1 : 24);
}

TEST(SegmentationStyle, StyleOddSizesKeepTheInputSize) {
  REQUIRE_MODEL_FILE(model_path, kMatta);
  models::Stylizer st(model_path);
  const Session* session = &st.session();
  // Three sizes on one session; the odd ones are reflection-padded to multiples of 4.
  for (auto wh : {std::pair<int, int>{37, 53}, {4, 4}, {64, 48}}) {
    const Image img = synthetic_image(wh.first, wh.second);
    const Image out = st.stylize(img);
    EXPECT_EQ(out.width, wh.first);
    EXPECT_EQ(out.height, wh.second);
    EXPECT_EQ(out.channels, 3);
    EXPECT_EQ(&st.session(), session);
  }
  // --max-side keeps the aspect ratio.
  const Image big = synthetic_image(333, 517);
  const Image small = st.stylize(big, 41);
  EXPECT_EQ(small.height, 41);
  EXPECT_EQ(small.width, 26);
  EXPECT_THROW(st.stylize(synthetic_image(1, 1)), Error);
}

TEST(SegmentationStyle, MaskedStylizationLeavesOutsidePixelsUntouched) {
  REQUIRE_MODEL_FILE(style_path, kMatta);
  REQUIRE_MODEL_FILE(espnet_path, kEspnet);
  const Image photo = synthetic_image(61, 45, 3);
  models::Stylizer st(style_path);
  const Image styled = st.stylize(photo);
  ASSERT_EQ(styled.width, photo.width);

  // A class mask from the segmenter (its most frequent class), plus a hand-made rectangle test.
  models::Segmenter seg(espnet_path);
  const models::Segmentation s = seg.segment(photo, 64, 32);
  std::vector<uint8_t> mask = models::class_mask(s, {s.present_classes().back()});
  std::vector<uint8_t> rect(mask.size(), 0);
  for (int y = 10; y < 20; ++y)
    for (int x = 30; x < 41; ++x) rect[static_cast<size_t>(y * photo.width + x)] = 1;

  for (const auto* m : {&mask, &rect}) {
    const float feather = 6.f;
    const std::vector<float> alpha = models::feather_alpha(*m, photo.width, photo.height, feather);
    const Image out = models::blend_with_alpha(photo, styled, alpha);
    ASSERT_EQ(out.width, photo.width);
    ASSERT_EQ(out.height, photo.height);
    size_t outside = 0, inside = 0;
    for (int y = 0; y < photo.height; ++y)
      for (int x = 0; x < photo.width; ++x) {
        double best = 1e30;
        for (int v = 0; v < photo.height; ++v)
          for (int u = 0; u < photo.width; ++u)
            if ((*m)[static_cast<size_t>(v * photo.width + u)])
              best = std::min(best, std::hypot(double(u - x), double(v - y)));
        const uint8_t* o = out.row(y) + 3 * x;
        if (best >= feather) {
          ++outside;
          const uint8_t* p = photo.row(y) + 3 * x;
          ASSERT_TRUE(o[0] == p[0] && o[1] == p[1] && o[2] == p[2]) << "pixel " << x << "," << y;
        } else if (best == 0) {
          ++inside;
          const uint8_t* p = styled.row(y) + 3 * x;
          ASSERT_TRUE(o[0] == p[0] && o[1] == p[1] && o[2] == p[2]) << "pixel " << x << "," << y;
        }
      }
    EXPECT_GT(outside, 0u);
    EXPECT_GT(inside, 0u);
  }
}

}  // namespace
}  // namespace facet
