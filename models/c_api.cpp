// The C API (include/facet.h): a thin layer that catches every exception.
#include "facet.h"

#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "engine/session.h"
#include "engine/status.h"
#include "loaders/image.h"
#include "loaders/model_paths.h"
#include "loaders/onnx_loader.h"
#include "models/embedded_models.h"
#include "models/face_pipeline.h"
#include "models/image_ops.h"

struct facet_model {
  std::shared_ptr<facet::Graph> graph;
};

struct facet_session {
  std::unique_ptr<facet::Session> session;
  std::vector<facet::Tensor> inputs;
  std::vector<facet::Tensor> outputs;
};

struct facet_face_pipeline {
  std::unique_ptr<facet::models::FacePipeline> pipeline;
  facet::loaders::Image staging;  // the caller's pixels, repacked; reused across calls
};

struct facet_face_result {
  facet::models::FaceDetections det;
};

namespace {

thread_local std::string g_last_error;

facet_status set_error(facet_status code, const std::string& msg) {
  g_last_error = msg;
  return code;
}

// Runs fn, mapping exceptions to status codes.
template <class Fn>
facet_status guarded(facet_status error_code, Fn&& fn) {
  try {
    g_last_error.clear();
    fn();
    return FACET_OK;
  } catch (const facet::Error& e) {
    return set_error(error_code, e.what());
  } catch (const std::bad_alloc&) {
    return set_error(FACET_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return set_error(FACET_ERROR_INTERNAL, e.what());
  } catch (...) {
    return set_error(FACET_ERROR_INTERNAL, "unknown error");
  }
}

using facet::models::FaceResult;

facet_status to_pipeline_options(const facet_face_options* in,
                                 facet::models::FacePipelineOptions* out) {
  facet_face_options o;
  facet_face_options_init(&o);
  if (in) o = *in;
  if (o.detector != FACET_FACE_DETECTOR_YUNET && o.detector != FACET_FACE_DETECTOR_ULTRAFACE)
    return set_error(FACET_ERROR_INVALID_ARGUMENT,
                     facet::str_cat("options.detector must be FACET_FACE_DETECTOR_YUNET (0) or ",
                                    "FACET_FACE_DETECTOR_ULTRAFACE (1), got ", o.detector));
  if (!(o.nms_iou >= 0.f && o.nms_iou <= 1.f) || o.score_threshold > 1.f || o.max_faces < 0)
    return set_error(FACET_ERROR_INVALID_ARGUMENT,
                     "options: nms_iou must be in [0, 1], score_threshold <= 1, max_faces >= 0");
  out->detector = o.detector == FACET_FACE_DETECTOR_YUNET ? facet::models::DetectorKind::kYunet
                                                          : facet::models::DetectorKind::kUltraface;
  out->detect_long_side = o.detect_long_side;
  if (o.score_threshold >= 0.f)
    out->yunet_score_threshold = out->ultraface_score_threshold = o.score_threshold;
  out->nms_iou = o.nms_iou;
  out->max_faces = o.max_faces;
  out->landmarks68 = o.landmarks68 != 0;
  out->landmarks98 = o.landmarks98 != 0;
  out->threads = o.threads;
  return FACET_OK;
}

facet::models::ByteSpan span(const void* p, size_t n) {
  return {static_cast<const uint8_t*>(p), n};
}

// Face i of a result, or nullptr after setting the error.
const FaceResult* face_at(const facet_face_result* r, size_t i, facet_status* st) {
  if (!r) {
    *st = set_error(FACET_ERROR_INVALID_ARGUMENT, "null result");
    return nullptr;
  }
  if (i >= r->det.faces.size()) {
    *st = set_error(FACET_ERROR_INVALID_ARGUMENT,
                    facet::str_cat("face index ", i, " out of range (", r->det.faces.size(),
                                   " faces)"));
    return nullptr;
  }
  *st = FACET_OK;
  return &r->det.faces[i];
}

// Copies the caller's pixels into `dst` (RGB or gray, packed rows), checking the geometry.
facet_status stage_pixels(const uint8_t* pixels, int width, int height, size_t stride,
                          int channels, facet::loaders::Image* dst) {
  if (!pixels) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null pixels");
  if (width <= 0 || height <= 0)
    return set_error(FACET_ERROR_INVALID_ARGUMENT,
                     facet::str_cat("bad image size ", width, "x", height));
  if (channels != 1 && channels != 3 && channels != 4)
    return set_error(FACET_ERROR_INVALID_ARGUMENT,
                     facet::str_cat("channels must be 1, 3 or 4, got ", channels));
  const uint64_t max_pixels = facet::loaders::ImageLimits().max_pixels;
  if (static_cast<uint64_t>(width) * static_cast<uint64_t>(height) > max_pixels)
    return set_error(FACET_ERROR_INVALID_ARGUMENT,
                     facet::str_cat("image of ", width, "x", height, " pixels exceeds the limit of ",
                                    max_pixels));
  const uint64_t row = static_cast<uint64_t>(width) * static_cast<uint64_t>(channels);
  if (stride < row)
    return set_error(FACET_ERROR_INVALID_ARGUMENT,
                     facet::str_cat("stride ", stride, " is smaller than width * channels = ", row));
  const int out_c = channels == 4 ? 3 : channels;
  facet::models::reshape_image(dst, width, height, out_c);
  for (int y = 0; y < height; ++y) {
    const uint8_t* s = pixels + static_cast<size_t>(y) * stride;
    uint8_t* d = dst->row(y);
    if (channels != 4) {
      std::memcpy(d, s, static_cast<size_t>(row));
    } else {
      for (int x = 0; x < width; ++x) {
        d[3 * x] = s[4 * x];
        d[3 * x + 1] = s[4 * x + 1];
        d[3 * x + 2] = s[4 * x + 2];
      }
    }
  }
  return FACET_OK;
}

}  // namespace

extern "C" {

const char* facet_last_error(void) { return g_last_error.c_str(); }
const char* facet_version(void) { return "0.1.0"; }

facet_status facet_model_load_file(const char* path, facet_model** out) {
  if (!path || !out) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null argument");
  *out = nullptr;
  return guarded(FACET_ERROR_LOAD, [&] {
    auto m = std::make_unique<facet_model>();
    m->graph = facet::loaders::load_onnx_file(path);
    *out = m.release();
  });
}

facet_status facet_model_load_memory(const void* data, size_t size, const char* name,
                                     facet_model** out) {
  if (!data || !out) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null argument");
  *out = nullptr;
  return guarded(FACET_ERROR_LOAD, [&] {
    auto m = std::make_unique<facet_model>();
    m->graph = facet::loaders::load_onnx_bytes(static_cast<const uint8_t*>(data), size,
                                               name ? name : "<memory>");
    *out = m.release();
  });
}

void facet_model_free(facet_model* model) { delete model; }

size_t facet_model_input_count(const facet_model* model) {
  return model ? model->graph->inputs.size() : 0;
}
size_t facet_model_output_count(const facet_model* model) {
  return model ? model->graph->outputs.size() : 0;
}
const char* facet_model_input_name(const facet_model* model, size_t i) {
  if (!model || i >= model->graph->inputs.size()) return nullptr;
  return model->graph->values[static_cast<size_t>(model->graph->inputs[i])].name.c_str();
}
const char* facet_model_output_name(const facet_model* model, size_t i) {
  if (!model || i >= model->graph->outputs.size()) return nullptr;
  return model->graph->values[static_cast<size_t>(model->graph->outputs[i])].name.c_str();
}

facet_status facet_session_create(const facet_model* model, int threads, facet_session** out) {
  if (!model || !out) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null argument");
  *out = nullptr;
  return guarded(FACET_ERROR_INTERNAL, [&] {
    auto s = std::make_unique<facet_session>();
    facet::SessionOptions opts;
    opts.threads = threads;
    s->session = std::make_unique<facet::Session>(model->graph, opts);
    s->inputs.resize(model->graph->inputs.size());
    *out = s.release();
  });
}

void facet_session_free(facet_session* session) { delete session; }

facet_status facet_session_set_input(facet_session* session, size_t i, int dtype,
                                     const int64_t* dims, size_t rank, const void* data) {
  if (!session || (rank && !dims))
    return set_error(FACET_ERROR_INVALID_ARGUMENT, "null argument");
  if (i >= session->inputs.size())
    return set_error(FACET_ERROR_INVALID_ARGUMENT,
                     facet::str_cat("input index ", i, " out of range (the model has ",
                                    session->inputs.size(), " inputs)"));
  if (dtype != FACET_FLOAT32 && dtype != FACET_INT64)
    return set_error(FACET_ERROR_INVALID_ARGUMENT, "dtype must be FACET_FLOAT32 or FACET_INT64");
  return guarded(FACET_ERROR_INVALID_ARGUMENT, [&] {
    facet::Shape shape(dims, dims + rank);
    facet::Tensor t = facet::Tensor::empty(static_cast<facet::DType>(dtype), shape);
    FACET_CHECK(t.nbytes() == 0 || data != nullptr, "null data for a non-empty input");
    if (t.nbytes()) std::memcpy(t.raw(), data, t.nbytes());
    session->inputs[i] = std::move(t);
  });
}

facet_status facet_session_run(facet_session* session) {
  if (!session) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null session");
  return guarded(FACET_ERROR_RUN, [&] { session->outputs = session->session->run(session->inputs); });
}

facet_status facet_session_get_output(facet_session* session, size_t i, facet_dtype* dtype,
                                      int64_t* dims, size_t max_rank, size_t* rank,
                                      const void** data) {
  if (!session) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null session");
  if (i >= session->outputs.size())
    return set_error(FACET_ERROR_INVALID_ARGUMENT,
                     facet::str_cat("output index ", i, " out of range (", session->outputs.size(),
                                    " outputs available; did facet_session_run succeed?)"));
  const facet::Tensor& t = session->outputs[i];
  if (dtype) *dtype = static_cast<facet_dtype>(t.dtype());
  if (rank) *rank = static_cast<size_t>(t.rank());
  if (dims)
    for (size_t d = 0; d < max_rank && d < static_cast<size_t>(t.rank()); ++d)
      dims[d] = t.dim(static_cast<int>(d));
  if (data) *data = t.raw();
  return FACET_OK;
}

/* ---- face pipeline ---- */

void facet_face_options_init(facet_face_options* o) {
  if (!o) return;
  o->detector = FACET_FACE_DETECTOR_YUNET;
  o->detect_long_side = 320;
  o->score_threshold = -1.f;
  o->nms_iou = 0.3f;
  o->max_faces = 100;
  o->landmarks68 = 1;
  o->landmarks98 = 0;
  o->threads = 1;
}

int facet_face_have_embedded_models(void) { return facet::models::have_embedded_models() ? 1 : 0; }

facet_status facet_face_pipeline_create(const char* model_dir, const facet_face_options* options,
                                        facet_face_pipeline** out) {
  if (!out) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null output pointer");
  *out = nullptr;
  facet::models::FacePipelineOptions opts;
  if (facet_status st = to_pipeline_options(options, &opts); st != FACET_OK) return st;
  return guarded(FACET_ERROR_LOAD, [&] {
    const std::string explicit_dir = model_dir ? model_dir : "";
    std::string dir = explicit_dir;
    if (dir.empty()) {
      dir = facet::models::resolve_face_model_dir("");
      if (dir.empty()) {
        std::string searched;
        for (const std::string& d : facet::loaders::model_search_path("")) searched += "\n  " + d;
        facet::fail(facet::str_cat("no model folder found and no embedded models; searched:",
                                   searched));
      }
    }
    auto p = std::make_unique<facet_face_pipeline>();
    p->pipeline = std::make_unique<facet::models::FacePipeline>(dir, opts);
    *out = p.release();
  });
}

facet_status facet_face_pipeline_create_from_memory(const facet_face_model_bytes* models,
                                                    const facet_face_options* options,
                                                    facet_face_pipeline** out) {
  if (!models || !out) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null argument");
  *out = nullptr;
  facet::models::FacePipelineOptions opts;
  if (facet_status st = to_pipeline_options(options, &opts); st != FACET_OK) return st;
  facet::models::FaceModelBytes b;
  b.yunet = span(models->yunet, models->yunet_size);
  b.ultraface = span(models->ultraface, models->ultraface_size);
  b.tddfa = span(models->tddfa, models->tddfa_size);
  b.pfld = span(models->pfld, models->pfld_size);
  b.bfm_u_base = span(models->bfm_u_base, models->bfm_u_base_size);
  b.bfm_w_shp_base = span(models->bfm_w_shp_base, models->bfm_w_shp_base_size);
  b.bfm_w_exp_base = span(models->bfm_w_exp_base, models->bfm_w_exp_base_size);
  b.param_mean = span(models->param_mean, models->param_mean_size);
  b.param_std = span(models->param_std, models->param_std_size);
  return guarded(FACET_ERROR_LOAD, [&] {
    auto p = std::make_unique<facet_face_pipeline>();
    p->pipeline = std::make_unique<facet::models::FacePipeline>(b, opts);
    *out = p.release();
  });
}

void facet_face_pipeline_free(facet_face_pipeline* pipeline) { delete pipeline; }

facet_status facet_face_result_create(facet_face_result** out) {
  if (!out) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null output pointer");
  *out = nullptr;
  return guarded(FACET_ERROR_INTERNAL, [&] { *out = new facet_face_result(); });
}

void facet_face_result_free(facet_face_result* result) { delete result; }

facet_status facet_face_detect_into(facet_face_pipeline* pipeline, const uint8_t* pixels,
                                    int width, int height, size_t stride, int channels,
                                    facet_face_result* result) {
  if (!pipeline || !result) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null argument");
  g_last_error.clear();
  facet_status st = stage_pixels(pixels, width, height, stride, channels, &pipeline->staging);
  if (st == FACET_OK) {
    st = guarded(FACET_ERROR_RUN,
                 [&] { pipeline->pipeline->detect_into(pipeline->staging, &result->det); });
  }
  if (st != FACET_OK) result->det.faces.clear();
  return st;
}

facet_status facet_face_detect(facet_face_pipeline* pipeline, const uint8_t* pixels, int width,
                               int height, size_t stride, int channels, facet_face_result** out) {
  if (!pipeline || !out) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null argument");
  *out = nullptr;
  facet_face_result* r = nullptr;
  if (facet_status st = facet_face_result_create(&r); st != FACET_OK) return st;
  facet_status st = facet_face_detect_into(pipeline, pixels, width, height, stride, channels, r);
  if (st != FACET_OK) {
    facet_face_result_free(r);
    return st;
  }
  *out = r;
  return FACET_OK;
}

size_t facet_face_count(const facet_face_result* result) {
  return result ? result->det.faces.size() : 0;
}

facet_status facet_face_get_box(const facet_face_result* result, size_t i, float* x, float* y,
                                float* w, float* h, float* score) {
  facet_status st;
  const FaceResult* f = face_at(result, i, &st);
  if (!f) return st;
  if (x) *x = f->box.x;
  if (y) *y = f->box.y;
  if (w) *w = f->box.w;
  if (h) *h = f->box.h;
  if (score) *score = f->box.score;
  return FACET_OK;
}

facet_status facet_face_get_points5(const facet_face_result* result, size_t i, float xy[10]) {
  facet_status st;
  const FaceResult* f = face_at(result, i, &st);
  if (!f) return st;
  if (!xy) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null output array");
  if (!f->box.has_points)
    return set_error(FACET_ERROR_UNAVAILABLE, "this detector gives no facial points (use YuNet)");
  for (int k = 0; k < 5; ++k) {
    xy[2 * k] = f->box.points[k].x;
    xy[2 * k + 1] = f->box.points[k].y;
  }
  return FACET_OK;
}

facet_status facet_face_get_landmarks68(const facet_face_result* result, size_t i,
                                        float xyz[204]) {
  facet_status st;
  const FaceResult* f = face_at(result, i, &st);
  if (!f) return st;
  if (!xyz) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null output array");
  if (f->landmarks68.size() != 68)
    return set_error(FACET_ERROR_UNAVAILABLE, "68 landmarks were not computed (landmarks68 off)");
  for (size_t k = 0; k < 68; ++k) {
    xyz[3 * k] = static_cast<float>(f->landmarks68[k].x);
    xyz[3 * k + 1] = static_cast<float>(f->landmarks68[k].y);
    xyz[3 * k + 2] = static_cast<float>(f->landmarks68[k].z);
  }
  return FACET_OK;
}

facet_status facet_face_get_landmarks98(const facet_face_result* result, size_t i, float xy[196]) {
  facet_status st;
  const FaceResult* f = face_at(result, i, &st);
  if (!f) return st;
  if (!xy) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null output array");
  if (f->landmarks98.size() != 98)
    return set_error(FACET_ERROR_UNAVAILABLE, "98 landmarks were not computed (landmarks98 off)");
  for (size_t k = 0; k < 98; ++k) {
    xy[2 * k] = f->landmarks98[k].x;
    xy[2 * k + 1] = f->landmarks98[k].y;
  }
  return FACET_OK;
}

facet_status facet_face_get_pose(const facet_face_result* result, size_t i,
                                 facet_face_pose* pose) {
  facet_status st;
  const FaceResult* f = face_at(result, i, &st);
  if (!f) return st;
  if (!pose) return set_error(FACET_ERROR_INVALID_ARGUMENT, "null output pointer");
  if (f->landmarks68.size() != 68)
    return set_error(FACET_ERROR_UNAVAILABLE, "the pose was not computed (landmarks68 off)");
  pose->yaw = f->pose_upstream.yaw;
  pose->pitch = f->pose_upstream.pitch;
  pose->roll = f->pose_upstream.roll;
  const facet::models::SimilarityFit& s = f->pose_similarity;
  for (int k = 0; k < 9; ++k) pose->rotation[k] = s.rotation[static_cast<size_t>(k)];
  pose->scale = s.scale;
  for (int k = 0; k < 3; ++k) pose->translation[k] = s.translation[static_cast<size_t>(k)];
  pose->sim_yaw = s.angles.yaw;
  pose->sim_pitch = s.angles.pitch;
  pose->sim_roll = s.angles.roll;
  pose->rms_residual_crop_px = s.rms_residual;
  pose->rms_residual_image_px = f->similarity_rms_image_px;
  return FACET_OK;
}

}  // extern "C"
