#include "models/face_pipeline.h"

#include <algorithm>
#include <chrono>
#include <new>

#include "engine/session.h"
#include "loaders/model_paths.h"
#include "loaders/onnx_loader.h"
#include "loaders/tensor_io.h"
#include "models/embedded_models.h"
#include "models/image_ops.h"
#include "models/pfld.h"
#include "models/ultraface.h"
#include "models/yunet.h"

namespace facet::models {

// What each model is called in error messages, and where external tensor data would be looked
// up ("" refuses external data).
struct FacePipeline::ModelNames {
  std::string yunet = "yunet";
  std::string ultraface = "ultraface";
  std::string tddfa = "tddfa";
  std::string pfld = "pfld";
  std::string tddfa_data = "tddfa/";  // prefix of the .f32 file names
  std::string yunet_dir, ultraface_dir, tddfa_dir, pfld_dir;
};

// Every buffer detect_into() needs, kept between calls.
struct FacePipeline::Workspace {
  Image rgb;               // gray input converted to RGB
  Image resized;           // detector input image, before normalisation
  Image crop;              // 3DDFA / PFLD crop
  ResizeScratch resize;
  YunetInput yunet_in;
  Tensor ultraface_in;
  std::vector<std::array<float, 4>> ultraface_priors;
  std::vector<Tensor> inputs = std::vector<Tensor>(1);  // the one input of each network
  std::vector<Tensor> detector_out, tddfa_out, pfld_out;
  YunetLevel levels[3];
  NmsScratch nms;
  std::vector<FaceBox> boxes;
  Tensor tddfa_in;
  TddfaScratch tddfa_scratch;
  TddfaResult tddfa_result;
  PfldCrop pfld_crop;
};

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string join_path(const std::string& dir, const std::string& rel) {
  if (dir.empty() || (!rel.empty() && rel[0] == '/')) return rel;
  return dir.back() == '/' ? dir + rel : dir + "/" + rel;
}

std::string parent_dir(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::unique_ptr<Session> open_session(const ByteSpan& bytes, const std::string& name,
                                      const std::string& base_dir, int threads) {
  FACET_CHECK(!bytes.empty(), name, ": model bytes are missing (null or empty)");
  std::shared_ptr<Graph> graph = loaders::load_onnx_bytes(bytes.data, bytes.size, name, base_dir);
  FACET_CHECK(graph->inputs.size() == 1, name, ": expected 1 input, model has ",
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

ByteSpan span_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TddfaBasis::Bytes basis_bytes(const ByteSpan& s) { return {s.data, s.size}; }

}  // namespace

bool embedded_face_models(FaceModelBytes* out, const FaceModelPaths& paths) {
  if (!out || !have_embedded_models()) return false;
  const std::string d = paths.tddfa_data_dir.empty() || paths.tddfa_data_dir.back() == '/'
                            ? paths.tddfa_data_dir
                            : paths.tddfa_data_dir + "/";
  const std::string names[9] = {paths.yunet,
                                paths.ultraface,
                                paths.tddfa,
                                paths.pfld,
                                d + "bfm68_u_base.f32",
                                d + "bfm68_w_shp_base.f32",
                                d + "bfm68_w_exp_base.f32",
                                d + "param_mean_62.f32",
                                d + "param_std_62.f32"};
  ByteSpan spans[9];
  for (int i = 0; i < 9; ++i) {
    const EmbeddedFile* f = find_embedded_file(names[i].c_str());
    if (!f) return false;
    spans[i] = {f->data, f->size};
  }
  *out = {spans[0], spans[1], spans[2], spans[3], spans[4],
          spans[5], spans[6], spans[7], spans[8]};
  return true;
}

std::string resolve_face_model_dir(const std::string& explicit_dir) {
  if (explicit_dir == kEmbeddedModelDir) return kEmbeddedModelDir;
  std::string dir = loaders::find_models_dir(explicit_dir);
  if (dir.empty() && have_embedded_models()) dir = kEmbeddedModelDir;
  return dir;
}

FacePipeline::FacePipeline(const std::string& model_dir, const FacePipelineOptions& options,
                           const FaceModelPaths& paths)
    : options_(options) {
  ModelNames names;
  if (model_dir == kEmbeddedModelDir) {
    FaceModelBytes bytes;
    FACET_CHECK(embedded_face_models(&bytes, paths),
                have_embedded_models()
                    ? "the embedded models lack a face model file (rebuild with the full set)"
                    : "no models are embedded in this build (configure with -DFACET_EMBED_MODELS=ON)");
    names.yunet = "embedded:" + paths.yunet;
    names.ultraface = "embedded:" + paths.ultraface;
    names.tddfa = "embedded:" + paths.tddfa;
    names.pfld = "embedded:" + paths.pfld;
    names.tddfa_data = "embedded:" + join_path(paths.tddfa_data_dir, "");
    init(bytes, names);
    return;
  }
  // Read the files this configuration needs, then load them exactly like bytes from memory.
  const bool yunet = options_.detector == DetectorKind::kYunet;
  names.yunet = join_path(model_dir, paths.yunet);
  names.ultraface = join_path(model_dir, paths.ultraface);
  names.tddfa = join_path(model_dir, paths.tddfa);
  names.pfld = join_path(model_dir, paths.pfld);
  names.tddfa_data = join_path(join_path(model_dir, paths.tddfa_data_dir), "");
  names.yunet_dir = parent_dir(names.yunet);
  names.ultraface_dir = parent_dir(names.ultraface);
  names.tddfa_dir = parent_dir(names.tddfa);
  names.pfld_dir = parent_dir(names.pfld);
  std::string files[9];
  if (yunet) files[0] = loaders::read_file_bytes(names.yunet);
  else files[1] = loaders::read_file_bytes(names.ultraface);
  if (options_.landmarks68) {
    files[2] = loaders::read_file_bytes(names.tddfa);
    const char* const f32[5] = {"bfm68_u_base.f32", "bfm68_w_shp_base.f32", "bfm68_w_exp_base.f32",
                                "param_mean_62.f32", "param_std_62.f32"};
    // The largest array is 204 x 40 floats; from_bytes reports any size mismatch.
    for (int i = 0; i < 5; ++i)
      files[4 + i] = loaders::read_file_bytes(names.tddfa_data + f32[i], size_t(1) << 20);
  }
  if (options_.landmarks98) files[3] = loaders::read_file_bytes(names.pfld);
  const FaceModelBytes bytes = {span_of(files[0]), span_of(files[1]), span_of(files[2]),
                                span_of(files[3]), span_of(files[4]), span_of(files[5]),
                                span_of(files[6]), span_of(files[7]), span_of(files[8])};
  init(bytes, names);
}

FacePipeline::FacePipeline(const FaceModelBytes& models, const FacePipelineOptions& options)
    : options_(options) {
  init(models, ModelNames());
}

void FacePipeline::init(const FaceModelBytes& models, const ModelNames& names) {
  FACET_CHECK(options_.max_faces >= 0, "FacePipeline: max_faces must be >= 0");
  ws_ = std::make_unique<Workspace>();
  if (options_.detector == DetectorKind::kYunet) {
    detector_ = open_session(models.yunet, names.yunet, names.yunet_dir, options_.threads);
    // Map output names cls_8 ... kps_32 to output indices.
    const Graph& g = detector_->graph();
    size_t k = 0;
    for (int s : kYunetStrides) {
      for (const char* kind : kYunetKinds) {
        const std::string name = std::string(kind) + "_" + std::to_string(s);
        int found = -1;
        for (size_t i = 0; i < g.outputs.size(); ++i)
          if (g.values[static_cast<size_t>(g.outputs[i])].name == name) found = static_cast<int>(i);
        FACET_CHECK(found >= 0, names.yunet, ": YuNet output '", name, "' not found");
        yunet_output_index_[k++] = found;
      }
    }
  } else {
    detector_ = open_session(models.ultraface, names.ultraface, names.ultraface_dir,
                             options_.threads);
    FACET_CHECK(detector_->graph().outputs.size() == 2, names.ultraface,
                ": UltraFace needs 2 outputs");
    ws_->ultraface_priors = ultraface_priors();
  }
  if (options_.landmarks68) {
    tddfa_ = open_session(models.tddfa, names.tddfa, names.tddfa_dir, options_.threads);
    basis_ = TddfaBasis::from_bytes(basis_bytes(models.bfm_u_base), basis_bytes(models.bfm_w_shp_base),
                                    basis_bytes(models.bfm_w_exp_base), basis_bytes(models.param_mean),
                                    basis_bytes(models.param_std), names.tddfa_data);
  }
  if (options_.landmarks98)
    pfld_ = open_session(models.pfld, names.pfld, names.pfld_dir, options_.threads);
}

FacePipeline::~FacePipeline() = default;

namespace {

template <class Fn>
Status guard(const char* what, Fn&& fn) {
  try {
    fn();
    return Status::ok();
  } catch (const std::bad_alloc&) {
    return Status::error(str_cat("out of memory ", what));
  } catch (const std::exception& e) {
    return Status::error(e.what());
  }
}

}  // namespace

Status FacePipeline::create(const std::string& model_dir, const FacePipelineOptions& options,
                            std::unique_ptr<FacePipeline>* out, const FaceModelPaths& paths) {
  return guard("while loading the face models", [&] {
    *out = std::make_unique<FacePipeline>(model_dir, options, paths);
  });
}

Status FacePipeline::create(const FaceModelBytes& models, const FacePipelineOptions& options,
                            std::unique_ptr<FacePipeline>* out) {
  return guard("while loading the face models",
               [&] { *out = std::make_unique<FacePipeline>(models, options); });
}

void FacePipeline::run_detector(const loaders::Image& rgb) {
  Workspace& ws = *ws_;
  if (options_.detector == DetectorKind::kYunet) {
    YunetInput& in = ws.yunet_in;
    yunet_prepare_dynamic_into(rgb, options_.detect_long_side, &ws.resized, &ws.resize, &in);
    const int in_h = static_cast<int>(in.tensor.dim(2)), in_w = static_cast<int>(in.tensor.dim(3));
    ws.inputs[0] = in.tensor;
    detector_->run_into(ws.inputs, &ws.detector_out);
    size_t k = 0;
    for (int l = 0; l < 3; ++l) {
      YunetLevel& lv = ws.levels[l];
      lv.stride = kYunetStrides[l];
      lv.count = int64_t(in_h / lv.stride) * (in_w / lv.stride);
      const int64_t widths[4] = {1, 1, 4, 10};
      const float* ptr[4];
      for (int j = 0; j < 4; ++j, ++k) {
        ptr[j] = output_data(ws.detector_out, static_cast<size_t>(yunet_output_index_[k]),
                             lv.count * widths[j], "YuNet");
      }
      lv.cls = ptr[0];
      lv.obj = ptr[1];
      lv.bbox = ptr[2];
      lv.kps = ptr[3];
    }
    YunetOptions yo;
    yo.score_threshold = options_.yunet_score_threshold;
    yo.nms_iou = options_.nms_iou;
    yo.top_k = options_.max_faces;
    yunet_decode_into(ws.levels, 3, in_w, in_h, yo, &ws.nms, &ws.boxes);
    for (FaceBox& b : ws.boxes) {  // scale_boxes, in place
      b.x *= in.to_image_x;
      b.y *= in.to_image_y;
      b.w *= in.to_image_x;
      b.h *= in.to_image_y;
      for (Point2& p : b.points) {
        p.x *= in.to_image_x;
        p.y *= in.to_image_y;
      }
    }
  } else {
    ultraface_prepare_into(rgb, 320, 240, &ws.resized, &ws.resize, &ws.ultraface_in);
    ws.inputs[0] = ws.ultraface_in;
    detector_->run_into(ws.inputs, &ws.detector_out);
    const std::vector<Tensor>& outs = ws.detector_out;
    const int64_t n = static_cast<int64_t>(ws.ultraface_priors.size());
    // Outputs are (scores [1,N,2], boxes [1,N,4]); tell them apart by their last dim.
    size_t si = 0, bi = 1;
    if (outs.size() == 2 && outs[0].rank() == 3 && outs[0].dim(2) == 4) std::swap(si, bi);
    UltrafaceOptions uo;
    uo.score_threshold = options_.ultraface_score_threshold;
    uo.nms_iou = options_.nms_iou;
    uo.top_k = options_.max_faces;
    ultraface_decode_into(output_data(outs, si, n * 2, "UltraFace"),
                          output_data(outs, bi, n * 4, "UltraFace"), n, ws.ultraface_priors,
                          rgb.width, rgb.height, uo, &ws.nms, &ws.boxes);
  }
}

FaceDetections FacePipeline::detect(const loaders::Image& image) {
  FaceDetections res;
  detect_into(image, &res);
  return res;
}

void FacePipeline::detect_into(const loaders::Image& image, FaceDetections* out) {
  const Clock::time_point t_start = Clock::now();
  FACET_CHECK(out != nullptr, "FacePipeline::detect_into: null result");
  FACET_CHECK(!image.empty(), "FacePipeline::detect: empty image");
  FACET_CHECK(image.pixels.size() >= image.row_bytes() * static_cast<size_t>(image.height),
              "FacePipeline::detect: image of ", image.width, "x", image.height, "x",
              image.channels, " has only ", image.pixels.size(), " bytes");
  Workspace& ws = *ws_;
  const loaders::Image& rgb = as_three_channels(image, &ws.rgb);
  FaceDetections& res = *out;
  res.image_width = rgb.width;
  res.image_height = rgb.height;
  res.timings = StageTimings();

  Clock::time_point t0 = Clock::now();
  run_detector(rgb);
  res.timings.detect_ms = ms_since(t0);

  // resize() keeps the elements (and their landmark vectors) that are still needed.
  res.faces.resize(ws.boxes.size());
  for (size_t i = 0; i < ws.boxes.size(); ++i) {
    FaceResult& f = res.faces[i];
    f.box = ws.boxes[i];
    f.roi = RoiBox();
    f.landmarks68.clear();
    f.pose_upstream = EulerAngles();
    f.pose_similarity = SimilarityFit();
    f.similarity_rms_image_px = 0;
    f.landmarks98.clear();
  }

  if (tddfa_) {
    t0 = Clock::now();
    for (FaceResult& f : res.faces) {
      const FaceBox& b = f.box;
      const RoiBox roi = tddfa_roi_from_box(b.x, b.y, b.x + b.w, b.y + b.h);
      tddfa_prepare_into(rgb, roi, &ws.crop, &ws.resize, &ws.tddfa_in);
      ws.inputs[0] = ws.tddfa_in;
      tddfa_->run_into(ws.inputs, &ws.tddfa_out);
      const float* param = output_data(ws.tddfa_out, 0, kTddfaParams, "3DDFA");
      TddfaResult& r = ws.tddfa_result;
      tddfa_postprocess_into(param, roi, basis_, &ws.tddfa_scratch, &r);
      f.roi = roi;
      f.landmarks68.assign(r.landmarks_image.begin(), r.landmarks_image.end());
      f.pose_upstream = r.upstream_pose;
      f.pose_similarity = r.similarity;
      f.similarity_rms_image_px = r.rms_residual_image_px;
    }
    res.timings.landmarks68_ms = ms_since(t0);
  }
  if (pfld_) {
    t0 = Clock::now();
    for (FaceResult& f : res.faces) {
      pfld_prepare_into(rgb, f.box, 112, &ws.crop, &ws.resize, &ws.pfld_crop);
      ws.inputs[0] = ws.pfld_crop.input;
      pfld_->run_into(ws.inputs, &ws.pfld_out);
      pfld_decode_into(output_data(ws.pfld_out, 0, 196, "PFLD"), 98, ws.pfld_crop, &f.landmarks98);
    }
    res.timings.landmarks98_ms = ms_since(t0);
  }
  res.timings.total_ms = ms_since(t_start);
}

Status FacePipeline::try_detect(const loaders::Image& image, FaceDetections* out) {
  return guard("in face detection", [&] { *out = detect(image); });
}

Status FacePipeline::try_detect_into(const loaders::Image& image, FaceDetections* out) {
  return guard("in face detection", [&] { detect_into(image, out); });
}

}  // namespace facet::models
