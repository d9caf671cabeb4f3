// FacePipeline: photo -> faces with boxes, 5 points, 68 3D landmarks, head pose and optional
// 98 landmarks, using the models in ../shared/models (see its README for every step).
//
// Stages per detect() call:
//  1. detection: YuNet-s dynamic (default; the image is resized so its long side is
//     `detect_long_side`, keeping the aspect ratio, and zero-padded to multiples of 32) or
//     UltraFace RFB-320 (fixed 320x240 input, no points); score threshold, NMS, mapped back to
//     image pixels;
//  2. per face, 3DDFA_V2: roi from the box, 120x120 crop, 62 params, 68 landmarks in image
//     pixels, upstream yaw/pitch/roll, and a similarity fit (R, s, t, Euler angles, residual);
//  3. per face, optional PFLD 98 points on the square crop around the box.
//
// Models come from a folder (the shared layout, FaceModelPaths), from bytes in memory
// (FaceModelBytes: e.g. files the application mapped or bundled itself), or from the copies
// compiled into the binary with -DFACET_EMBED_MODELS=ON (the folder name "embedded"). All three
// go through the same loading code; the bytes are copied, so the caller may free them after
// construction.
//
// Steady state: detect_into() keeps every buffer between calls (converted and resized images,
// crops, network inputs and outputs through Session::run_into, decoder and NMS scratch), so once
// it has run on an image of some size, further calls on images of that size allocate nothing,
// provided `out` is the same FaceDetections and the number of faces does not grow beyond what its
// elements already held. detect() is detect_into() into a fresh result (which allocates it).
//
// A FacePipeline is not thread-safe (its sessions hold arenas); use one per thread. The model
// graphs could be shared, but each instance loads its own copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/status.h"
#include "loaders/image.h"
#include "models/detection.h"
#include "models/tddfa.h"

namespace facet {
class Session;
}

namespace facet::models {

enum class DetectorKind { kYunet, kUltraface };

struct FacePipelineOptions {
  DetectorKind detector = DetectorKind::kYunet;
  int detect_long_side = 320;        // YuNet input long side; <= 0 = native image size
  float yunet_score_threshold = 0.6f;
  float ultraface_score_threshold = 0.7f;
  float nms_iou = 0.3f;
  int max_faces = 100;               // keep the best-scoring faces only
  bool landmarks68 = true;           // 3DDFA (68 points and pose)
  bool landmarks98 = false;          // PFLD
  int threads = 1;                   // per model session; 0 = all cores
};

// Model files, relative to the model directory (the defaults are the shared folder's layout).
struct FaceModelPaths {
  std::string yunet = "detection/yunet_s_dynamic.onnx";
  std::string ultraface = "detection/ultraface_rfb_320x240_simplified.onnx";
  std::string tddfa = "tddfa/tddfa_v2_mb05_120x120.onnx";
  std::string tddfa_data_dir = "tddfa";  // bfm68_*.f32, param_{mean,std}_62.f32
  std::string pfld = "landmarks/pfld_ghostone_98pt_112x112.onnx";
};

// A read-only byte range owned by the caller.
struct ByteSpan {
  const uint8_t* data = nullptr;
  size_t size = 0;
  bool empty() const { return data == nullptr || size == 0; }
};

// The model files held in memory. Only the models that the options enable are needed: the
// detector's (yunet or ultraface), tddfa plus the five BFM/whitening arrays for landmarks68,
// pfld for landmarks98. The .f32 arrays are the raw little-endian float32 files of the tddfa/
// folder. External tensor data is refused (the face models have none).
struct FaceModelBytes {
  ByteSpan yunet;           // detection/yunet_s_dynamic.onnx
  ByteSpan ultraface;       // detection/ultraface_rfb_320x240_simplified.onnx
  ByteSpan tddfa;           // tddfa/tddfa_v2_mb05_120x120.onnx
  ByteSpan pfld;            // landmarks/pfld_ghostone_98pt_112x112.onnx
  ByteSpan bfm_u_base;      // tddfa/bfm68_u_base.f32      (204 floats)
  ByteSpan bfm_w_shp_base;  // tddfa/bfm68_w_shp_base.f32  (204 x 40)
  ByteSpan bfm_w_exp_base;  // tddfa/bfm68_w_exp_base.f32  (204 x 10)
  ByteSpan param_mean;      // tddfa/param_mean_62.f32
  ByteSpan param_std;       // tddfa/param_std_62.f32
};

// The model folder name that selects the models compiled into the binary.
constexpr const char kEmbeddedModelDir[] = "embedded";

// Points *out at the embedded model files (static storage). Returns false, leaving *out as is,
// when the build has no embedded models or one of the files in `paths` is missing.
bool embedded_face_models(FaceModelBytes* out, const FaceModelPaths& paths = {});

// Where to load the face models from, for front ends (`facet face`, the C API):
//  - explicit_dir == "embedded": "embedded";
//  - else loaders::find_models_dir(explicit_dir) (--models, $FACET_MODELS, ../shared/models, ...);
//  - when that finds no folder and the models are embedded: "embedded";
//  - otherwise "".
std::string resolve_face_model_dir(const std::string& explicit_dir = "");

struct FaceResult {
  FaceBox box;                        // image pixels; 5 points when the detector gives them
  RoiBox roi;                         // 3DDFA crop region
  std::vector<Point3> landmarks68;    // image frame (x right, y down, z >= 0); empty if disabled
  EulerAngles pose_upstream;          // degrees, upstream calc_pose
  SimilarityFit pose_similarity;      // model frame -> 3DDFA crop frame (y up), see tddfa.h
  double similarity_rms_image_px = 0; // fit residual in image pixels
  std::vector<Point2> landmarks98;    // image pixels; empty unless enabled
};

struct StageTimings {
  double detect_ms = 0;       // preprocessing + network + decoding
  double landmarks68_ms = 0;  // all faces
  double landmarks98_ms = 0;  // all faces
  double total_ms = 0;
};

struct FaceDetections {
  int image_width = 0;
  int image_height = 0;
  std::vector<FaceResult> faces;  // by descending score; empty when no face was found
  StageTimings timings;
};

class FacePipeline {
 public:
  // Loads the models found under model_dir (paths relative to it), or the embedded ones when
  // model_dir is "embedded" (kEmbeddedModelDir). Throws facet::Error naming the file on failure.
  explicit FacePipeline(const std::string& model_dir, const FacePipelineOptions& options = {},
                        const FaceModelPaths& paths = {});
  // Loads the models from memory (copied; `models` may be freed afterwards). Throws facet::Error
  // naming the model on failure, or when a model the options need is missing.
  explicit FacePipeline(const FaceModelBytes& models, const FacePipelineOptions& options = {});
  ~FacePipeline();
  FacePipeline(const FacePipeline&) = delete;
  FacePipeline& operator=(const FacePipeline&) = delete;

  // Error-as-value construction.
  static Status create(const std::string& model_dir, const FacePipelineOptions& options,
                       std::unique_ptr<FacePipeline>* out, const FaceModelPaths& paths = {});
  static Status create(const FaceModelBytes& models, const FacePipelineOptions& options,
                       std::unique_ptr<FacePipeline>* out);

  // Runs all stages on an RGB or gray image. Throws facet::Error on engine failures.
  FaceDetections detect(const loaders::Image& image);
  // The same into caller-owned storage, reusing out->faces and the vectors inside each face (see
  // the steady-state note at the top). On an exception *out is left in a valid but unspecified
  // state.
  void detect_into(const loaders::Image& image, FaceDetections* out);
  // Error-as-value variants.
  Status try_detect(const loaders::Image& image, FaceDetections* out);
  Status try_detect_into(const loaders::Image& image, FaceDetections* out);

  const FacePipelineOptions& options() const { return options_; }

 private:
  struct ModelNames;
  struct Workspace;
  // The one loading path of both constructors.
  void init(const FaceModelBytes& models, const ModelNames& names);
  void run_detector(const loaders::Image& rgb);

  FacePipelineOptions options_;
  std::unique_ptr<Session> detector_;
  std::unique_ptr<Session> tddfa_;
  std::unique_ptr<Session> pfld_;
  TddfaBasis basis_;
  int yunet_output_index_[12] = {};  // per (stride, kind): index into the outputs
  std::unique_ptr<Workspace> ws_;    // buffers reused across detect_into() calls
};

}  // namespace facet::models
