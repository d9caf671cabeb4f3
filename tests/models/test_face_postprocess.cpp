// Face-model pre/post-processing against the reference tensors in ../shared/models/testdata
// (no engine needed): image ops, 3DDFA reconstruction and pose, YuNet/UltraFace decoding, PFLD crop.
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "loaders/image.h"
#include "loaders/json.h"
#include "models/detection.h"
#include "models/image_ops.h"
#include "models/pfld.h"
#include "models/tddfa.h"
#include "models/ultraface.h"
#include "models/yunet.h"
#include "test_util.h"

namespace facet {
namespace {

using loaders::Image;
using namespace facet::models;

using test::models_dir;
using test::read_floats;

#define SKIP_WITHOUT_MODELS() \
  FACET_SKIP_WITHOUT_MODEL_FILES("testdata/tddfa_v2_mb05_120x120/meta.json")

std::vector<uint8_t> read_u8(const std::string& path) {
  std::ifstream is(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(is)), std::istreambuf_iterator<char>());
}

loaders::Json read_meta(const std::string& folder) {
  std::ifstream is(models_dir() + "/testdata/" + folder + "/meta.json");
  const std::string text((std::istreambuf_iterator<char>(is)), std::istreambuf_iterator<char>());
  return loaders::Json::parse(text, folder + "/meta.json");
}

std::string td(const std::string& rel) { return models_dir() + "/testdata/" + rel; }

Image astronaut() { return loaders::read_image(models_dir() + "/samples/astronaut_512x512.ppm"); }

// The YuNet box of meta.json, as (l, t, r, b).
std::array<double, 4> yunet_box_xyxy() {
  const loaders::Json meta = read_meta("tddfa_v2_mb05_120x120");
  const loaders::Json& b = meta.at("yunet_box_xyxy");
  return {b[0].number(), b[1].number(), b[2].number(), b[3].number()};
}

RoiBox meta_roi() {
  const loaders::Json meta = read_meta("tddfa_v2_mb05_120x120");
  const loaders::Json& r = meta.at("roi_box_xyxy");
  return {r[0].number(), r[1].number(), r[2].number(), r[3].number()};
}

// ---------------------------------------------------------------------------------------------
// Image ops

TEST(ImageOps, ResizeMatchesCv2ForYunetInput) {
  SKIP_WITHOUT_MODELS();
  const Image img = astronaut();
  const Image r = resize_bilinear(img, 320, 320);
  const std::vector<float> ref = read_floats(td("yunet_s_320x320/in_input.f32"));  // BGR CHW
  ASSERT_EQ(ref.size(), size_t(3 * 320 * 320));
  int max_diff = 0, n_diff = 0;
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 320 * 320; ++i) {
      const int mine = r.pixels[static_cast<size_t>(3 * i + (2 - c))];
      const int d = std::abs(mine - static_cast<int>(ref[static_cast<size_t>(c * 320 * 320 + i)]));
      max_diff = std::max(max_diff, d);
      n_diff += d != 0;
    }
  }
  EXPECT_LE(max_diff, 1);
  EXPECT_LT(n_diff, 3 * 320 * 320 / 100) << "more than 1% of values differ";
}

TEST(ImageOps, YunetDynamicPrepOfSquareImageEqualsFixed) {
  SKIP_WITHOUT_MODELS();
  const Image img = astronaut();
  const YunetInput a = yunet_prepare_dynamic(img, 320);
  const YunetInput b = yunet_prepare_fixed(img, 320, 320);
  ASSERT_EQ(shape_str(a.tensor.shape()), "[1,3,320,320]");
  EXPECT_EQ(a.tensor.to_f32_vector(), b.tensor.to_f32_vector());
  EXPECT_FLOAT_EQ(a.to_image_x, 1.6f);
}

TEST(ImageOps, YunetDynamicPadsToMultipleOf32KeepingAspect) {
  const Image img = Image::blank(1000, 500, 3);
  const YunetInput in = yunet_prepare_dynamic(img, 320);
  EXPECT_EQ(in.resized_w, 320);
  EXPECT_EQ(in.resized_h, 160);
  EXPECT_EQ(shape_str(in.tensor.shape()), "[1,3,160,320]");
  const Image img2 = Image::blank(300, 700, 1);
  const YunetInput in2 = yunet_prepare_dynamic(img2, 320);
  EXPECT_EQ(in2.resized_w, 137);  // round(300 * 320 / 700)
  EXPECT_EQ(shape_str(in2.tensor.shape()), "[1,3,320,160]");
}

TEST(ImageOps, UltrafacePrepMatchesReferenceInput) {
  SKIP_WITHOUT_MODELS();
  const Tensor t = ultraface_prepare(astronaut());
  const std::vector<float> ref = read_floats(td("ultraface_rfb_320x240/in_input.f32"));
  const std::vector<float> mine = t.to_f32_vector();
  ASSERT_EQ(mine.size(), ref.size());
  float max_diff = 0;
  for (size_t i = 0; i < ref.size(); ++i) max_diff = std::max(max_diff, std::fabs(mine[i] - ref[i]));
  EXPECT_LE(max_diff, 1.f / 128 + 1e-5f);
}

TEST(ImageOps, CropFlipRotateBasics) {
  std::mt19937 rng(1);
  Image img = Image::blank(7, 5, 3);
  for (uint8_t& v : img.pixels) v = static_cast<uint8_t>(rng());
  // Crop fully inside equals the source region; outside is zero.
  const Image c = crop_zero_pad(img, -2, 1, 4, 7);
  EXPECT_EQ(c.width, 6);
  EXPECT_EQ(c.height, 6);
  EXPECT_EQ(c.row(0)[0], 0);                 // x=-2
  EXPECT_EQ(c.row(0)[2 * 3], img.row(1)[0]);  // x=0, y=1
  EXPECT_EQ(c.row(5)[2 * 3], 0);              // y=6 is outside
  EXPECT_TRUE(flip_horizontal(flip_horizontal(img)).pixels == img.pixels);
  EXPECT_EQ(flip_horizontal(img).row(2)[0], img.row(2)[6 * 3]);
  EXPECT_TRUE(rotate_image(img, 0.0).pixels == img.pixels);
  EXPECT_TRUE(swap_red_blue(swap_red_blue(img)).pixels == img.pixels);
  // 90 degrees counter-clockwise on screen: the right edge centre goes to the top.
  double x, y;
  rotate_point(90.0, 101, 101, 100, 50, &x, &y);
  EXPECT_NEAR(x, 50, 1e-9);
  EXPECT_NEAR(y, 0, 1e-9);
  // Resize of a constant image is constant; identity resize is exact.
  Image flat = Image::blank(13, 9, 3);
  std::fill(flat.pixels.begin(), flat.pixels.end(), 200);
  for (uint8_t v : resize_bilinear(flat, 29, 4).pixels) EXPECT_EQ(v, 200);
  EXPECT_TRUE(resize_bilinear(img, 7, 5).pixels == img.pixels);
}

TEST(ImageOps, NchwNormalisation) {
  Image img = Image::blank(2, 1, 3);
  img.pixels = {10, 20, 30, 40, 50, 60};
  Normalization n;
  n.mean = {1, 2, 3};
  n.std = {2, 4, 8};
  n.swap_red_blue = true;
  const std::vector<float> v = image_to_nchw(img, n).to_f32_vector();
  // Channel 0 is the source's channel 2.
  EXPECT_FLOAT_EQ(v[0], (30 - 1) / 2.f);
  EXPECT_FLOAT_EQ(v[1], (60 - 1) / 2.f);
  EXPECT_FLOAT_EQ(v[2], (20 - 2) / 4.f);
  EXPECT_FLOAT_EQ(v[5], (40 - 3) / 8.f);
}

// ---------------------------------------------------------------------------------------------
// 3DDFA

TEST(Tddfa, RoiFromYunetBoxMatchesMeta) {
  SKIP_WITHOUT_MODELS();
  const auto b = yunet_box_xyxy();
  const RoiBox roi = tddfa_roi_from_box(b[0], b[1], b[2], b[3]);
  const RoiBox ref = meta_roi();
  EXPECT_NEAR(roi.x0, ref.x0, 1e-9);
  EXPECT_NEAR(roi.y0, ref.y0, 1e-9);
  EXPECT_NEAR(roi.x1, ref.x1, 1e-9);
  EXPECT_NEAR(roi.y1, ref.y1, 1e-9);
}

TEST(Tddfa, CropMatchesReferenceCropAndInput) {
  SKIP_WITHOUT_MODELS();
  const Image img = astronaut();
  const Image crop_bgr = swap_red_blue(tddfa_crop(img, meta_roi()));
  const std::vector<uint8_t> ref = read_u8(models_dir() + "/samples/astronaut_tddfa_crop_120x120_bgr.u8");
  ASSERT_EQ(ref.size(), crop_bgr.pixels.size());
  int max_diff = 0;
  for (size_t i = 0; i < ref.size(); ++i)
    max_diff = std::max(max_diff, std::abs(int(ref[i]) - int(crop_bgr.pixels[i])));
  EXPECT_LE(max_diff, 1);

  const std::vector<float> mine = tddfa_prepare(img, meta_roi()).to_f32_vector();
  const std::vector<float> in_ref = read_floats(td("tddfa_v2_mb05_120x120/in_input.f32"));
  ASSERT_EQ(mine.size(), in_ref.size());
  float max_in = 0;
  for (size_t i = 0; i < mine.size(); ++i) max_in = std::max(max_in, std::fabs(mine[i] - in_ref[i]));
  EXPECT_LE(max_in, 1.f / 128 + 1e-6f);
  // The reference u8 crop, normalised, is the reference input exactly.
  Image ref_img = Image::blank(120, 120, 3);
  ref_img.pixels = ref;
  const std::vector<float> from_ref = tddfa_input_from_bgr_crop(ref_img).to_f32_vector();
  for (size_t i = 0; i < from_ref.size(); ++i) ASSERT_NEAR(from_ref[i], in_ref[i], 1e-6f) << i;
}

TEST(Tddfa, PostprocessReproducesReferenceLandmarksAndPose) {
  SKIP_WITHOUT_MODELS();
  const TddfaBasis basis = TddfaBasis::load(models_dir() + "/tddfa");
  const std::vector<float> param = read_floats(td("tddfa_v2_mb05_120x120/out_param.f32"));
  ASSERT_EQ(param.size(), size_t(62));
  const TddfaResult r = tddfa_postprocess(param.data(), meta_roi(), basis);

  const std::vector<float> denorm = read_floats(td("tddfa_v2_mb05_120x120/out_param_denorm.f32"));
  for (int i = 0; i < 62; ++i)
    EXPECT_NEAR(r.params[static_cast<size_t>(i)], denorm[static_cast<size_t>(i)],
                1e-5 * std::max(1.0, std::fabs(double(denorm[static_cast<size_t>(i)]))))
        << i;

  const std::vector<float> crop = read_floats(td("tddfa_v2_mb05_120x120/out_landmarks68_crop_xyz.f32"));
  const std::vector<float> image = read_floats(td("tddfa_v2_mb05_120x120/out_landmarks68_image_xyz.f32"));
  ASSERT_EQ(crop.size(), size_t(68 * 3));
  ASSERT_EQ(image.size(), size_t(68 * 3));
  double max_crop = 0, max_image = 0;
  for (size_t i = 0; i < 68; ++i) {
    const Point3& c = r.landmarks_crop[i];
    const Point3& m = r.landmarks_image[i];
    max_crop = std::max({max_crop, std::fabs(c.x - crop[3 * i]), std::fabs(c.y - crop[3 * i + 1]),
                         std::fabs(c.z - crop[3 * i + 2])});
    max_image = std::max({max_image, std::fabs(m.x - image[3 * i]),
                          std::fabs(m.y - image[3 * i + 1]), std::fabs(m.z - image[3 * i + 2])});
  }
  EXPECT_LT(max_crop, 1e-3);
  EXPECT_LT(max_image, 1e-3);

  const loaders::Json meta = read_meta("tddfa_v2_mb05_120x120");
  const loaders::Json& pose = meta.at("pose_deg_yaw_pitch_roll");
  EXPECT_NEAR(r.upstream_pose.yaw, pose[0].number(), 0.01);
  EXPECT_NEAR(r.upstream_pose.pitch, pose[1].number(), 0.01);
  EXPECT_NEAR(r.upstream_pose.roll, pose[2].number(), 0.01);
  EXPECT_NEAR(r.upstream_pose.yaw, 1.75, 0.01);
  EXPECT_NEAR(r.upstream_pose.pitch, 8.61, 0.01);
  EXPECT_NEAR(r.upstream_pose.roll, -4.12, 0.01);

  // The similarity fit: a proper rotation, angles near upstream's, small residual.
  const auto& R = r.similarity.rotation;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      double dot = 0;
      for (int k = 0; k < 3; ++k) dot += R[static_cast<size_t>(3 * i + k)] * R[static_cast<size_t>(3 * j + k)];
      EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-5) << i << "," << j;
    }
  }
  const double det = R[0] * (R[4] * R[8] - R[5] * R[7]) - R[1] * (R[3] * R[8] - R[5] * R[6]) +
                     R[2] * (R[3] * R[7] - R[4] * R[6]);
  EXPECT_NEAR(det, 1.0, 1e-5);
  EXPECT_GT(r.similarity.scale, 0.0);
  EXPECT_NEAR(r.similarity.angles.yaw, r.upstream_pose.yaw, 3.0);
  EXPECT_NEAR(r.similarity.angles.pitch, r.upstream_pose.pitch, 3.0);
  EXPECT_NEAR(r.similarity.angles.roll, r.upstream_pose.roll, 3.0);
  EXPECT_LT(r.rms_residual_image_px, 5.0);
  std::printf("similarity: s=%.6g yaw=%.3f pitch=%.3f roll=%.3f rms=%.4f crop px (%.4f image px)\n",
              r.similarity.scale, r.similarity.angles.yaw, r.similarity.angles.pitch,
              r.similarity.angles.roll, r.similarity.rms_residual, r.rms_residual_image_px);
}

TEST(Tddfa, SimilarityFitRecoversKnownTransformAndAvoidsReflection) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> u(-50, 50);
  std::vector<Point3> src(30), dst(30), mirrored(30);
  // R = Rz(30deg) * Rx(-20deg), s = 0.37, t = (5, -7, 11).
  const double a = 30 * M_PI / 180, b = -20 * M_PI / 180;
  const double rz[9] = {std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1};
  const double rx[9] = {1, 0, 0, 0, std::cos(b), -std::sin(b), 0, std::sin(b), std::cos(b)};
  double R[9];
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      R[3 * i + j] = 0;
      for (int k = 0; k < 3; ++k) R[3 * i + j] += rz[3 * i + k] * rx[3 * k + j];
    }
  for (size_t i = 0; i < src.size(); ++i) {
    src[i] = {u(rng), u(rng), u(rng)};
    const double p[3] = {src[i].x, src[i].y, src[i].z};
    double q[3];
    for (int r = 0; r < 3; ++r) q[r] = 0.37 * (R[3 * r] * p[0] + R[3 * r + 1] * p[1] + R[3 * r + 2] * p[2]);
    dst[i] = {q[0] + 5, q[1] - 7, q[2] + 11};
    mirrored[i] = {-dst[i].x, dst[i].y, dst[i].z};
  }
  const SimilarityFit fit = fit_similarity(src, dst);
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(fit.rotation[static_cast<size_t>(i)], R[i], 1e-9);
  EXPECT_NEAR(fit.scale, 0.37, 1e-9);
  EXPECT_NEAR(fit.translation[0], 5, 1e-9);
  EXPECT_NEAR(fit.translation[2], 11, 1e-9);
  EXPECT_LT(fit.rms_residual, 1e-9);
  // A mirrored target has no exact proper rotation: the fit keeps det +1 and reports a residual.
  const SimilarityFit m = fit_similarity(src, mirrored);
  const auto& Q = m.rotation;
  const double det = Q[0] * (Q[4] * Q[8] - Q[5] * Q[7]) - Q[1] * (Q[3] * Q[8] - Q[5] * Q[6]) +
                     Q[2] * (Q[3] * Q[7] - Q[4] * Q[6]);
  EXPECT_NEAR(det, 1.0, 1e-9);
  EXPECT_GT(m.rms_residual, 1.0);
  EXPECT_THROW(fit_similarity(src, std::vector<Point3>(3)), Error);
}

// ---------------------------------------------------------------------------------------------
// Detectors

TEST(Yunet, DecodesReferenceOutputsToOneFace) {
  SKIP_WITHOUT_MODELS();
  std::vector<std::vector<float>> keep;
  std::vector<YunetLevel> levels;
  for (int s : {8, 16, 32}) {
    YunetLevel lv;
    lv.stride = s;
    const std::string suf = "_" + std::to_string(s) + ".f32";
    keep.push_back(read_floats(td("yunet_s_320x320/out_cls" + suf)));
    lv.cls = keep.back().data();
    lv.count = static_cast<int64_t>(keep.back().size());
    keep.push_back(read_floats(td("yunet_s_320x320/out_obj" + suf)));
    lv.obj = keep.back().data();
    keep.push_back(read_floats(td("yunet_s_320x320/out_bbox" + suf)));
    lv.bbox = keep.back().data();
    keep.push_back(read_floats(td("yunet_s_320x320/out_kps" + suf)));
    lv.kps = keep.back().data();
    levels.push_back(lv);
  }
  std::vector<FaceBox> faces = yunet_decode(levels, 320, 320);
  scale_boxes(&faces, 512.f / 320, 512.f / 320);
  ASSERT_EQ(faces.size(), size_t(1));
  const FaceBox& f = faces[0];
  const auto b = yunet_box_xyxy();
  EXPECT_NEAR(f.x, b[0], 1e-3);
  EXPECT_NEAR(f.y, b[1], 1e-3);
  EXPECT_NEAR(f.x + f.w, b[2], 1e-3);
  EXPECT_NEAR(f.y + f.h, b[3], 1e-3);
  EXPECT_NEAR(f.x, 179.7, 0.05);
  EXPECT_NEAR(f.y, 62.7, 0.05);
  EXPECT_NEAR(f.w, 89.3, 0.05);
  EXPECT_NEAR(f.h, 111.6, 0.05);
  EXPECT_NEAR(f.score, 0.939, 0.001);
  ASSERT_TRUE(f.has_points);
  // Right eye (subject's right) is on the image left of the left eye; nose between; mouth below.
  EXPECT_LT(f.points[0].x, f.points[1].x);
  EXPECT_GT(f.points[2].x, f.points[0].x);
  EXPECT_LT(f.points[2].x, f.points[1].x);
  EXPECT_GT(f.points[3].y, f.points[2].y);
  for (const Point2& p : f.points) {
    EXPECT_GT(p.x, f.x);
    EXPECT_LT(p.x, f.x + f.w);
    EXPECT_GT(p.y, f.y);
    EXPECT_LT(p.y, f.y + f.h);
  }
  // Wrong input size is an error, not garbage.
  EXPECT_THROW(yunet_decode(levels, 320, 640), Error);
}

TEST(Ultraface, DecodesReferenceOutputsToTheSameFace) {
  SKIP_WITHOUT_MODELS();
  EXPECT_EQ(ultraface_priors().size(), size_t(4420));
  const std::vector<float> scores = read_floats(td("ultraface_rfb_320x240/out_scores.f32"));
  const std::vector<float> boxes = read_floats(td("ultraface_rfb_320x240/out_boxes.f32"));
  const std::vector<FaceBox> faces = ultraface_decode(scores.data(), boxes.data(), 4420, 512, 512);
  ASSERT_EQ(faces.size(), size_t(1));
  const auto b = yunet_box_xyxy();
  FaceBox y;
  y.x = float(b[0]);
  y.y = float(b[1]);
  y.w = float(b[2] - b[0]);
  y.h = float(b[3] - b[1]);
  std::printf("ultraface box %.1f %.1f %.1f %.1f score %.4f, IoU with YuNet %.3f\n", faces[0].x,
              faces[0].y, faces[0].w, faces[0].h, faces[0].score, box_iou(faces[0], y));
  EXPECT_GT(box_iou(faces[0], y), 0.6f);
  EXPECT_GT(faces[0].score, 0.99f);
}

TEST(Detection, NmsKeepsBestAndDropsOverlaps) {
  std::vector<FaceBox> v(4);
  v[0] = {0, 0, 10, 10, 0.5f, false, {}};
  v[1] = {1, 1, 10, 10, 0.9f, false, {}};
  v[2] = {50, 50, 10, 10, 0.7f, false, {}};
  v[3] = {5, 5, 10, 10, 0.8f, false, {}};  // IoU with v[1] = 36/164 < 0.3
  const std::vector<FaceBox> k = nms(v, 0.3f);
  ASSERT_EQ(k.size(), size_t(3));
  EXPECT_FLOAT_EQ(k[0].score, 0.9f);
  EXPECT_FLOAT_EQ(k[1].score, 0.8f);
  EXPECT_FLOAT_EQ(k[2].score, 0.7f);
  EXPECT_EQ(nms(v, 0.3f, 1).size(), size_t(1));
}

TEST(Pfld, CropBoxMatchesMetaAndInputIsClose) {
  SKIP_WITHOUT_MODELS();
  const auto b = yunet_box_xyxy();
  FaceBox f;
  f.x = float(b[0]);
  f.y = float(b[1]);
  f.w = float(b[2] - b[0]);
  f.h = float(b[3] - b[1]);
  const PfldCrop crop = pfld_prepare(astronaut(), f);
  const loaders::Json meta = read_meta("pfld_ghostone_98pt_112x112");
  const loaders::Json& cb = meta.at("crop_box_xywh");
  EXPECT_FLOAT_EQ(crop.x0, float(cb[0].number()));
  EXPECT_FLOAT_EQ(crop.y0, float(cb[1].number()));
  EXPECT_NEAR(crop.side, cb[2].number(), 1e-4);
  const std::vector<float> ref = read_floats(td("pfld_ghostone_98pt_112x112/in_input.f32"));
  const std::vector<float> mine = crop.input.to_f32_vector();
  ASSERT_EQ(mine.size(), ref.size());
  double sum = 0;
  for (size_t i = 0; i < ref.size(); ++i) sum += std::fabs(mine[i] - ref[i]);
  const double mean_levels = sum / static_cast<double>(ref.size()) * 127.5;
  std::printf("PFLD input vs PIL bicubic reference: mean |diff| %.3f levels\n", mean_levels);
  EXPECT_LT(mean_levels, 4.0);

  // Decoding the reference output puts the 98 points on the face.
  const std::vector<float> out = read_floats(td("pfld_ghostone_98pt_112x112/out_output.f32"));
  const std::vector<Point2> pts = pfld_decode(out.data(), 98, crop);
  for (const Point2& p : pts) {
    EXPECT_GT(p.x, f.x - 15);
    EXPECT_LT(p.x, f.x + f.w + 15);
    EXPECT_GT(p.y, f.y - 15);
    EXPECT_LT(p.y, f.y + f.h + 15);
  }
}

}  // namespace
}  // namespace facet
