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
// A FacePipeline is not thread-safe (its sessions hold arenas); use one per thread. The model
// graphs could be shared, but each instance loads its own copy.
#pragma once

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
  // Loads the models found under model_dir. Throws facet::Error naming the file on failure.
  explicit FacePipeline(const std::string& model_dir, const FacePipelineOptions& options = {},
                        const FaceModelPaths& paths = {});
  ~FacePipeline();
  FacePipeline(const FacePipeline&) = delete;
  FacePipeline& operator=(const FacePipeline&) = delete;

  // Error-as-value construction.
  static Status create(const std::string& model_dir, const FacePipelineOptions& options,
                       std::unique_ptr<FacePipeline>* out, const FaceModelPaths& paths = {});

  // Runs all stages on an RGB or gray image. Throws facet::Error on engine failures.
  FaceDetections detect(const loaders::Image& image);
  // Error-as-value variant.
  Status try_detect(const loaders::Image& image, FaceDetections* out);

  const FacePipelineOptions& options() const { return options_; }

 private:
  std::vector<FaceBox> run_detector(const loaders::Image& rgb);

  FacePipelineOptions options_;
  std::unique_ptr<Session> detector_;
  std::unique_ptr<Session> tddfa_;
  std::unique_ptr<Session> pfld_;
  TddfaBasis basis_;
  std::vector<int> yunet_output_index_;  // per (stride, kind): index into the outputs
};

}  // namespace facet::models
