// The embedding API of the face pipeline: the C API (include/facet.h) on the sample photo, errors
// as values, construction from in-memory model bytes (and from the embedded models when built
// with them), and no heap allocation in steady state (the counting operator new of
// tests/engine/test_no_alloc.cpp, through tests/alloc_counter.h).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "facet.h"
#include "loaders/image.h"
#include "models/embedded_models.h"
#include "models/face_pipeline.h"
#include "models/image_ops.h"
#include "test_util.h"

namespace facet {
namespace {

using loaders::Image;
using namespace facet::models;

using test::models_dir;
using test::read_bytes;

#define SKIP_WITHOUT_MODELS()                                               \
  FACET_SKIP_WITHOUT_MODEL_FILES("detection/yunet_s_dynamic.onnx",          \
                                 "samples/astronaut_512x512.ppm")

Image astronaut() { return loaders::read_image(models_dir() + "/samples/astronaut_512x512.ppm"); }

// The model files of a FaceModelPaths layout, held in memory.
struct ModelFiles {
  std::string file[9];
  FaceModelBytes bytes() const {
    FaceModelBytes b;
    ByteSpan* spans[9] = {&b.yunet,          &b.ultraface,      &b.tddfa,
                          &b.pfld,           &b.bfm_u_base,     &b.bfm_w_shp_base,
                          &b.bfm_w_exp_base, &b.param_mean,     &b.param_std};
    for (int i = 0; i < 9; ++i)
      *spans[i] = {reinterpret_cast<const uint8_t*>(file[i].data()), file[i].size()};
    return b;
  }
};

ModelFiles read_model_files() {
  const std::string d = models_dir() + "/";
  const char* const rel[9] = {"detection/yunet_s_dynamic.onnx",
                              "detection/ultraface_rfb_320x240_simplified.onnx",
                              "tddfa/tddfa_v2_mb05_120x120.onnx",
                              "landmarks/pfld_ghostone_98pt_112x112.onnx",
                              "tddfa/bfm68_u_base.f32",
                              "tddfa/bfm68_w_shp_base.f32",
                              "tddfa/bfm68_w_exp_base.f32",
                              "tddfa/param_mean_62.f32",
                              "tddfa/param_std_62.f32"};
  ModelFiles m;
  for (int i = 0; i < 9; ++i) m.file[i] = read_bytes(d + rel[i]);
  return m;
}

// Every field of two results is bit-identical (same code path, same single-threaded arithmetic).
void expect_same(const FaceDetections& a, const FaceDetections& b) {
  ASSERT_EQ(a.faces.size(), b.faces.size());
  for (size_t i = 0; i < a.faces.size(); ++i) {
    const FaceResult& x = a.faces[i];
    const FaceResult& y = b.faces[i];
    EXPECT_EQ(x.box.x, y.box.x);
    EXPECT_EQ(x.box.y, y.box.y);
    EXPECT_EQ(x.box.w, y.box.w);
    EXPECT_EQ(x.box.h, y.box.h);
    EXPECT_EQ(x.box.score, y.box.score);
    for (int k = 0; k < 5; ++k) {
      EXPECT_EQ(x.box.points[k].x, y.box.points[k].x);
      EXPECT_EQ(x.box.points[k].y, y.box.points[k].y);
    }
    ASSERT_EQ(x.landmarks68.size(), y.landmarks68.size());
    for (size_t k = 0; k < x.landmarks68.size(); ++k) {
      EXPECT_EQ(x.landmarks68[k].x, y.landmarks68[k].x) << k;
      EXPECT_EQ(x.landmarks68[k].y, y.landmarks68[k].y) << k;
      EXPECT_EQ(x.landmarks68[k].z, y.landmarks68[k].z) << k;
    }
    EXPECT_EQ(x.pose_upstream.yaw, y.pose_upstream.yaw);
    EXPECT_EQ(x.pose_similarity.rotation, y.pose_similarity.rotation);
    EXPECT_EQ(x.pose_similarity.scale, y.pose_similarity.scale);
    ASSERT_EQ(x.landmarks98.size(), y.landmarks98.size());
    for (size_t k = 0; k < x.landmarks98.size(); ++k) {
      EXPECT_EQ(x.landmarks98[k].x, y.landmarks98[k].x) << k;
      EXPECT_EQ(x.landmarks98[k].y, y.landmarks98[k].y) << k;
    }
  }
}

// ---- C API ----

struct CPipeline {
  facet_face_pipeline* p = nullptr;
  ~CPipeline() { facet_face_pipeline_free(p); }
};
struct CResult {
  facet_face_result* r = nullptr;
  ~CResult() { facet_face_result_free(r); }
};

TEST(FaceCApi, SampleOneFace) {
  SKIP_WITHOUT_MODELS();
  facet_face_options o;
  facet_face_options_init(&o);
  o.landmarks98 = 1;
  CPipeline p;
  ASSERT_EQ(facet_face_pipeline_create(models_dir().c_str(), &o, &p.p), FACET_OK)
      << facet_last_error();
  const Image img = astronaut();
  CResult r;
  ASSERT_EQ(facet_face_detect(p.p, img.pixels.data(), img.width, img.height, img.row_bytes(), 3,
                              &r.r),
            FACET_OK)
      << facet_last_error();
  ASSERT_EQ(facet_face_count(r.r), size_t(1));
  float x, y, w, h, score;
  ASSERT_EQ(facet_face_get_box(r.r, 0, &x, &y, &w, &h, &score), FACET_OK);
  EXPECT_NEAR(x, 179.7, 3);
  EXPECT_NEAR(y, 62.7, 3);
  EXPECT_NEAR(w, 89.3, 3);
  EXPECT_NEAR(h, 111.6, 3);
  EXPECT_GT(score, 0.9f);

  float p5[10];
  ASSERT_EQ(facet_face_get_points5(r.r, 0, p5), FACET_OK);
  for (int k = 0; k < 5; ++k) {
    EXPECT_GT(p5[2 * k], x);
    EXPECT_LT(p5[2 * k], x + w);
  }
  float lm[204];
  ASSERT_EQ(facet_face_get_landmarks68(r.r, 0, lm), FACET_OK);
  const std::string ref_bytes =
      read_bytes(models_dir() + "/testdata/tddfa_v2_mb05_120x120/out_landmarks68_image_xyz.f32");
  if (ref_bytes.size() == 204 * sizeof(float)) {
    float ref[204];
    std::memcpy(ref, ref_bytes.data(), sizeof(ref));
    for (int k = 0; k < 68; ++k) {
      EXPECT_NEAR(lm[3 * k], ref[3 * k], 0.5) << k;
      EXPECT_NEAR(lm[3 * k + 1], ref[3 * k + 1], 0.5) << k;
    }
  }
  facet_face_pose pose;
  ASSERT_EQ(facet_face_get_pose(r.r, 0, &pose), FACET_OK);
  EXPECT_NEAR(pose.yaw, 1.75, 0.5);
  EXPECT_NEAR(pose.pitch, 8.61, 0.5);
  EXPECT_NEAR(pose.roll, -4.12, 0.5);
  const double* R = pose.rotation;
  const double det = R[0] * (R[4] * R[8] - R[5] * R[7]) - R[1] * (R[3] * R[8] - R[5] * R[6]) +
                     R[2] * (R[3] * R[7] - R[4] * R[6]);
  EXPECT_NEAR(det, 1.0, 1e-5);
  EXPECT_GT(pose.scale, 0.0);
  float lm98[196];
  EXPECT_EQ(facet_face_get_landmarks98(r.r, 0, lm98), FACET_OK);

  // Gray and RGBA inputs with row padding are accepted.
  std::vector<uint8_t> rgba(static_cast<size_t>(img.height) * (img.width * 4 + 12));
  const size_t stride = static_cast<size_t>(img.width) * 4 + 12;
  for (int yy = 0; yy < img.height; ++yy)
    for (int xx = 0; xx < img.width; ++xx) {
      std::memcpy(&rgba[yy * stride + 4 * xx], img.row(yy) + 3 * xx, 3);
      rgba[yy * stride + 4 * xx + 3] = 255;
    }
  ASSERT_EQ(facet_face_detect_into(p.p, rgba.data(), img.width, img.height, stride, 4, r.r),
            FACET_OK)
      << facet_last_error();
  ASSERT_EQ(facet_face_count(r.r), size_t(1));
  float x2;
  facet_face_get_box(r.r, 0, &x2, nullptr, nullptr, nullptr, nullptr);
  EXPECT_EQ(x2, x);
}

TEST(FaceCApi, UnavailableValues) {
  SKIP_WITHOUT_MODELS();
  facet_face_options o;
  facet_face_options_init(&o);
  o.detector = FACET_FACE_DETECTOR_ULTRAFACE;
  o.landmarks68 = 0;
  CPipeline p;
  ASSERT_EQ(facet_face_pipeline_create(models_dir().c_str(), &o, &p.p), FACET_OK)
      << facet_last_error();
  const Image img = astronaut();
  CResult r;
  ASSERT_EQ(facet_face_detect(p.p, img.pixels.data(), img.width, img.height, img.row_bytes(), 3,
                              &r.r),
            FACET_OK);
  ASSERT_EQ(facet_face_count(r.r), size_t(1));
  float buf[204];
  facet_face_pose pose;
  EXPECT_EQ(facet_face_get_points5(r.r, 0, buf), FACET_ERROR_UNAVAILABLE);
  EXPECT_EQ(facet_face_get_landmarks68(r.r, 0, buf), FACET_ERROR_UNAVAILABLE);
  EXPECT_EQ(facet_face_get_pose(r.r, 0, &pose), FACET_ERROR_UNAVAILABLE);
  EXPECT_EQ(facet_face_get_landmarks98(r.r, 0, buf), FACET_ERROR_UNAVAILABLE);
  EXPECT_NE(std::string(facet_last_error()), "");
}

TEST(FaceCApi, ErrorsAreValues) {
  facet_face_pipeline* p = nullptr;
  // Bad model folder: a load error naming the file.
  EXPECT_EQ(facet_face_pipeline_create("/nonexistent/models", nullptr, &p), FACET_ERROR_LOAD);
  EXPECT_EQ(p, nullptr);
  EXPECT_NE(std::string(facet_last_error()).find("/nonexistent/models"), std::string::npos)
      << facet_last_error();
  // Null arguments.
  EXPECT_EQ(facet_face_pipeline_create(nullptr, nullptr, nullptr), FACET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(facet_face_pipeline_create_from_memory(nullptr, nullptr, &p),
            FACET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(facet_face_result_create(nullptr), FACET_ERROR_INVALID_ARGUMENT);
  facet_face_result* out = nullptr;
  uint8_t px[12] = {0};
  EXPECT_EQ(facet_face_detect(nullptr, px, 2, 2, 6, 3, &out), FACET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(facet_face_count(nullptr), size_t(0));
  EXPECT_EQ(facet_face_get_box(nullptr, 0, nullptr, nullptr, nullptr, nullptr, nullptr),
            FACET_ERROR_INVALID_ARGUMENT);
  // Bad options.
  facet_face_options o;
  facet_face_options_init(&o);
  o.detector = 7;
  EXPECT_EQ(facet_face_pipeline_create("/nonexistent", &o, &p), FACET_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(facet_last_error()).find("detector"), std::string::npos);
  // Missing or corrupt model bytes.
  facet_face_model_bytes mb;
  std::memset(&mb, 0, sizeof(mb));
  EXPECT_EQ(facet_face_pipeline_create_from_memory(&mb, nullptr, &p), FACET_ERROR_LOAD);
  EXPECT_NE(std::string(facet_last_error()).find("missing"), std::string::npos)
      << facet_last_error();
  const char garbage[] = "this is not an onnx model at all";
  mb.yunet = garbage;
  mb.yunet_size = sizeof(garbage);
  EXPECT_EQ(facet_face_pipeline_create_from_memory(&mb, nullptr, &p), FACET_ERROR_LOAD);
  EXPECT_EQ(p, nullptr);
  // "embedded" without embedded models.
  if (!have_embedded_models()) {
    EXPECT_EQ(facet_face_pipeline_create("embedded", nullptr, &p), FACET_ERROR_LOAD);
    EXPECT_NE(std::string(facet_last_error()).find("FACET_EMBED_MODELS"), std::string::npos);
  }

  SKIP_WITHOUT_MODELS();
  CPipeline cp;
  ASSERT_EQ(facet_face_pipeline_create(models_dir().c_str(), nullptr, &cp.p), FACET_OK)
      << facet_last_error();
  CResult r;
  ASSERT_EQ(facet_face_result_create(&r.r), FACET_OK);
  std::vector<uint8_t> img(64 * 48 * 3, 128);
  // Image buffer geometry errors.
  EXPECT_EQ(facet_face_detect_into(cp.p, nullptr, 64, 48, 192, 3, r.r),
            FACET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(facet_face_detect_into(cp.p, img.data(), 0, 48, 192, 3, r.r),
            FACET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(facet_face_detect_into(cp.p, img.data(), 64, -1, 192, 3, r.r),
            FACET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(facet_face_detect_into(cp.p, img.data(), 64, 48, 191, 3, r.r),
            FACET_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(facet_last_error()).find("stride"), std::string::npos);
  EXPECT_EQ(facet_face_detect_into(cp.p, img.data(), 64, 48, 192, 2, r.r),
            FACET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(facet_face_detect_into(cp.p, img.data(), 1 << 30, 1 << 30, size_t(3) << 30, 3, r.r),
            FACET_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(facet_last_error()).find("limit"), std::string::npos);
  // A valid flat image: no face is a valid result.
  ASSERT_EQ(facet_face_detect_into(cp.p, img.data(), 64, 48, 192, 3, r.r), FACET_OK)
      << facet_last_error();
  EXPECT_EQ(facet_face_count(r.r), size_t(0));
  float b[4];
  EXPECT_EQ(facet_face_get_box(r.r, 0, b, b + 1, b + 2, b + 3, nullptr),
            FACET_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(facet_last_error()).find("out of range"), std::string::npos);
  EXPECT_EQ(facet_face_get_landmarks68(r.r, 0, nullptr), FACET_ERROR_INVALID_ARGUMENT);
}

// ---- In-memory and embedded construction ----

TEST(FaceApi, InMemoryMatchesDirectory) {
  SKIP_WITHOUT_MODELS();
  const Image img = astronaut();
  for (DetectorKind det : {DetectorKind::kYunet, DetectorKind::kUltraface}) {
    FacePipelineOptions o;
    o.detector = det;
    o.landmarks98 = true;
    FacePipeline from_dir(models_dir(), o);
    std::unique_ptr<FacePipeline> from_mem;
    {
      // The bytes are copied: free them before running.
      const ModelFiles files = read_model_files();
      ASSERT_TRUE(FacePipeline::create(files.bytes(), o, &from_mem).is_ok());
    }
    const FaceDetections a = from_dir.detect(img);
    const FaceDetections b = from_mem->detect(img);
    ASSERT_EQ(a.faces.size(), size_t(1));
    expect_same(a, b);
  }
  // A model the options need but not given.
  FaceModelBytes none;
  std::unique_ptr<FacePipeline> p;
  const Status st = FacePipeline::create(none, FacePipelineOptions(), &p);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("yunet"), std::string::npos) << st.message();
}

TEST(FaceApi, EmbeddedMatchesDirectory) {
  if (!have_embedded_models())
    GTEST_SKIP() << "built without -DFACET_EMBED_MODELS=ON";
  SKIP_WITHOUT_MODELS();
  FacePipelineOptions o;
  o.landmarks98 = true;
  FacePipeline from_dir(models_dir(), o);
  FacePipeline embedded(kEmbeddedModelDir, o);
  const Image img = astronaut();
  expect_same(from_dir.detect(img), embedded.detect(img));
}

// ---- Steady state without allocation ----

long allocations_of(FacePipeline& p, const std::vector<const Image*>& images,
                    FaceDetections* res) {
  const long before = test::allocation_count();
  for (const Image* img : images) p.detect_into(*img, res);
  return test::allocation_count() - before;
}

TEST(FaceApi, DetectIntoAllocatesNothingInSteadyState) {
  SKIP_WITHOUT_MODELS();
  if (!test::allocation_counting_enabled())
    GTEST_SKIP() << "allocation counting is off in sanitizer builds";
  const Image a = astronaut();
  const Image b = flip_horizontal(a);  // same size, other content, also one face
  Image gray = Image::blank(a.width, a.height, 1);
  for (size_t i = 0; i < gray.pixels.size(); ++i) gray.pixels[i] = a.pixels[3 * i + 1];
  struct Case {
    const char* name;
    DetectorKind detector;
    bool lm68, lm98;
  };
  const Case cases[] = {{"yunet+68", DetectorKind::kYunet, true, false},
                        {"yunet+68+98", DetectorKind::kYunet, true, true},
                        {"ultraface+68", DetectorKind::kUltraface, true, false}};
  for (const Case& c : cases) {
    FacePipelineOptions o;
    o.detector = c.detector;
    o.landmarks68 = c.lm68;
    o.landmarks98 = c.lm98;
    FacePipeline p(models_dir(), o);
    FaceDetections res;
    p.detect_into(a, &res);  // warm-up on one image of this size: plans, buffers, results
    // The counter is live: detect() builds a new result, which allocates.
    const long before = test::allocation_count();
    EXPECT_EQ(p.detect(a).faces.size(), size_t(1));
    EXPECT_GT(test::allocation_count() - before, 0) << c.name;
    ASSERT_EQ(res.faces.size(), size_t(1)) << c.name;
    EXPECT_EQ(allocations_of(p, {&b, &a, &b, &a}, &res), 0) << c.name;
    ASSERT_EQ(res.faces.size(), size_t(1));
    EXPECT_EQ(res.faces[0].landmarks68.size(), size_t(68));
    EXPECT_EQ(res.faces[0].landmarks98.size(), c.lm98 ? size_t(98) : size_t(0));
    // A gray image of the same size: one more warm-up for its RGB buffer, then none.
    p.detect_into(gray, &res);
    EXPECT_EQ(allocations_of(p, {&gray, &a, &gray}, &res), 0) << c.name << " gray";
  }
}

TEST(FaceApi, CApiDetectIntoAllocatesNothingInSteadyState) {
  SKIP_WITHOUT_MODELS();
  facet_face_options o;
  facet_face_options_init(&o);
  o.landmarks98 = 1;
  CPipeline p;
  ASSERT_EQ(facet_face_pipeline_create(models_dir().c_str(), &o, &p.p), FACET_OK);
  CResult r;
  ASSERT_EQ(facet_face_result_create(&r.r), FACET_OK);
  const Image img = astronaut();
  ASSERT_EQ(facet_face_detect_into(p.p, img.pixels.data(), img.width, img.height, img.row_bytes(),
                                   3, r.r),
            FACET_OK);
  const long before = test::allocation_count();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(facet_face_detect_into(p.p, img.pixels.data(), img.width, img.height,
                                     img.row_bytes(), 3, r.r),
              FACET_OK);
  }
  EXPECT_EQ(test::allocation_count() - before, 0);
  EXPECT_EQ(facet_face_count(r.r), size_t(1));
}

}  // namespace
}  // namespace facet
