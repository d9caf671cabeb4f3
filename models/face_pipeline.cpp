#include "models/face_pipeline.h"

#include <algorithm>
#include <chrono>
#include <new>

#include "engine/session.h"
#include "loaders/onnx_loader.h"
#include "models/image_ops.h"
#include "models/pfld.h"
#include "models/ultraface.h"
#include "models/yunet.h"

namespace facet::models {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string join_path(const std::string& dir, const std::string& rel) {
  if (dir.empty() || (!rel.empty() && rel[0] == '/')) return rel;
  return dir.back() == '/' ? dir + rel : dir + "/" + rel;
}

std::unique_ptr<Session> open_session(const std::string& path, int threads) {
  std::shared_ptr<Graph> graph = loaders::load_onnx_file(path);
  FACET_CHECK(graph->inputs.size() == 1, path, ": expected 1 input, model has ",
              graph->inputs.size());
  SessionOptions so;
  so.threads = threads;
  return std::make_unique<Session>(std::move(graph), so);
}

const char* const kYunetKinds[4] = {"cls", "obj", "bbox", "kps"};
const int kYunetStrides[3] = {8, 16, 32};

// Returns the only float output as a pointer plus its element count, checking the count.
const float* output_data(const std::vector<Tensor>& outs, size_t i, int64_t expect,
                         const char* what) {
  FACET_CHECK(i < outs.size(), what, ": missing output ", i);
  const Tensor& t = outs[i];
  FACET_CHECK(t.dtype() == DType::kF32 && t.numel() == expect, what, ": output ", i, " is ",
              dtype_name(t.dtype()), shape_str(t.shape()), ", expected ", expect, " float32 values");
  return t.data<float>();
}

}  // namespace

FacePipeline::FacePipeline(const std::string& model_dir, const FacePipelineOptions& options,
                           const FaceModelPaths& paths)
    : options_(options) {
  if (options_.detector == DetectorKind::kYunet) {
    const std::string path = join_path(model_dir, paths.yunet);
    detector_ = open_session(path, options_.threads);
    // Map output names cls_8 ... kps_32 to output indices.
    const Graph& g = detector_->graph();
    for (int s : kYunetStrides) {
      for (const char* kind : kYunetKinds) {
        const std::string name = std::string(kind) + "_" + std::to_string(s);
        int found = -1;
        for (size_t i = 0; i < g.outputs.size(); ++i)
          if (g.values[static_cast<size_t>(g.outputs[i])].name == name) found = static_cast<int>(i);
        FACET_CHECK(found >= 0, path, ": YuNet output '", name, "' not found");
        yunet_output_index_.push_back(found);
      }
    }
  } else {
    const std::string path = join_path(model_dir, paths.ultraface);
    detector_ = open_session(path, options_.threads);
    FACET_CHECK(detector_->graph().outputs.size() == 2, path, ": UltraFace needs 2 outputs");
  }
  if (options_.landmarks68) {
    tddfa_ = open_session(join_path(model_dir, paths.tddfa), options_.threads);
    basis_ = TddfaBasis::load(join_path(model_dir, paths.tddfa_data_dir));
  }
  if (options_.landmarks98) pfld_ = open_session(join_path(model_dir, paths.pfld), options_.threads);
}

FacePipeline::~FacePipeline() = default;

Status FacePipeline::create(const std::string& model_dir, const FacePipelineOptions& options,
                            std::unique_ptr<FacePipeline>* out, const FaceModelPaths& paths) {
  try {
    *out = std::make_unique<FacePipeline>(model_dir, options, paths);
    return Status::ok();
  } catch (const std::bad_alloc&) {
    return Status::error("out of memory while loading the face models");
  } catch (const std::exception& e) {
    return Status::error(e.what());
  }
}

std::vector<FaceBox> FacePipeline::run_detector(const loaders::Image& rgb) {
  std::vector<FaceBox> boxes;
  if (options_.detector == DetectorKind::kYunet) {
    const YunetInput in = yunet_prepare_dynamic(rgb, options_.detect_long_side);
    const int in_h = static_cast<int>(in.tensor.dim(2)), in_w = static_cast<int>(in.tensor.dim(3));
    const std::vector<Tensor> outs = detector_->run({in.tensor});
    std::vector<YunetLevel> levels;
    size_t k = 0;
    for (int s : kYunetStrides) {
      YunetLevel lv;
      lv.stride = s;
      lv.count = int64_t(in_h / s) * (in_w / s);
      const int64_t widths[4] = {1, 1, 4, 10};
      const float* ptr[4];
      for (int j = 0; j < 4; ++j, ++k) {
        ptr[j] = output_data(outs, static_cast<size_t>(yunet_output_index_[k]), lv.count * widths[j],
                             "YuNet");
      }
      lv.cls = ptr[0];
      lv.obj = ptr[1];
      lv.bbox = ptr[2];
      lv.kps = ptr[3];
      levels.push_back(lv);
    }
    YunetOptions yo;
    yo.score_threshold = options_.yunet_score_threshold;
    yo.nms_iou = options_.nms_iou;
    yo.top_k = options_.max_faces;
    boxes = yunet_decode(levels, in_w, in_h, yo);
    scale_boxes(&boxes, in.to_image_x, in.to_image_y);
  } else {
    const Tensor in = ultraface_prepare(rgb);
    const std::vector<Tensor> outs = detector_->run({in});
    const int64_t n = static_cast<int64_t>(ultraface_priors().size());
    // Outputs are (scores [1,N,2], boxes [1,N,4]); tell them apart by their last dim.
    size_t si = 0, bi = 1;
    if (outs.size() == 2 && outs[0].rank() == 3 && outs[0].dim(2) == 4) std::swap(si, bi);
    UltrafaceOptions uo;
    uo.score_threshold = options_.ultraface_score_threshold;
    uo.nms_iou = options_.nms_iou;
    uo.top_k = options_.max_faces;
    boxes = ultraface_decode(output_data(outs, si, n * 2, "UltraFace"),
                             output_data(outs, bi, n * 4, "UltraFace"), n, rgb.width, rgb.height,
                             uo);
  }
  return boxes;
}

FaceDetections FacePipeline::detect(const loaders::Image& image) {
  const Clock::time_point t_start = Clock::now();
  FACET_CHECK(!image.empty(), "FacePipeline::detect: empty image");
  const loaders::Image rgb = to_three_channels(image);
  FaceDetections res;
  res.image_width = rgb.width;
  res.image_height = rgb.height;

  Clock::time_point t0 = Clock::now();
  const std::vector<FaceBox> boxes = run_detector(rgb);
  res.timings.detect_ms = ms_since(t0);

  res.faces.resize(boxes.size());
  for (size_t i = 0; i < boxes.size(); ++i) res.faces[i].box = boxes[i];

  if (tddfa_) {
    t0 = Clock::now();
    for (FaceResult& f : res.faces) {
      const FaceBox& b = f.box;
      const RoiBox roi = tddfa_roi_from_box(b.x, b.y, b.x + b.w, b.y + b.h);
      const std::vector<Tensor> outs = tddfa_->run({tddfa_prepare(rgb, roi)});
      const float* param = output_data(outs, 0, kTddfaParams, "3DDFA");
      TddfaResult r = tddfa_postprocess(param, roi, basis_);
      f.roi = roi;
      f.landmarks68 = std::move(r.landmarks_image);
      f.pose_upstream = r.upstream_pose;
      f.pose_similarity = r.similarity;
      f.similarity_rms_image_px = r.rms_residual_image_px;
    }
    res.timings.landmarks68_ms = ms_since(t0);
  }
  if (pfld_) {
    t0 = Clock::now();
    for (FaceResult& f : res.faces) {
      const PfldCrop crop = pfld_prepare(rgb, f.box);
      const std::vector<Tensor> outs = pfld_->run({crop.input});
      f.landmarks98 = pfld_decode(output_data(outs, 0, 196, "PFLD"), 98, crop);
    }
    res.timings.landmarks98_ms = ms_since(t0);
  }
  res.timings.total_ms = ms_since(t_start);
  return res;
}

Status FacePipeline::try_detect(const loaders::Image& image, FaceDetections* out) {
  try {
    *out = detect(image);
    return Status::ok();
  } catch (const std::bad_alloc&) {
    return Status::error("out of memory in face detection");
  } catch (const std::exception& e) {
    return Status::error(e.what());
  }
}

}  // namespace facet::models
