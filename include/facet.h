/* facet C API: load an ONNX model, run it on float32/int64 tensors; run the face pipeline
 * (detection, 5 points, 68 3D landmarks with head pose, 98 landmarks) on 8-bit images.
 *
 * Usable from C99. Every function returns FACET_OK (0) or an error code; the message of the last
 * error on the calling thread is facet_last_error(). Handles are opaque; no C++ exception
 * crosses this API. A model handle may be shared by several sessions on different threads; a
 * session must be used by one thread at a time.
 */
#ifndef FACET_H_
#define FACET_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum facet_status {
  FACET_OK = 0,
  FACET_ERROR_INVALID_ARGUMENT = 1, /* null pointer, bad index, wrong count */
  FACET_ERROR_LOAD = 2,             /* model file missing, unreadable or malformed */
  FACET_ERROR_RUN = 3,              /* shape/dtype mismatch or planning failure */
  FACET_ERROR_OUT_OF_MEMORY = 4,
  FACET_ERROR_INTERNAL = 5,
  FACET_ERROR_UNAVAILABLE = 6       /* the value was not computed (e.g. landmarks98 disabled) */
} facet_status;

typedef enum facet_dtype { FACET_FLOAT32 = 1, FACET_INT64 = 7 } facet_dtype;

typedef struct facet_model facet_model;     /* a loaded, immutable graph */
typedef struct facet_session facet_session; /* runs a model; owns its memory arena */

/* Message of the last failed call on this thread ("" if none). Valid until the next call. */
const char* facet_last_error(void);
const char* facet_version(void);

facet_status facet_model_load_file(const char* path, facet_model** out);
facet_status facet_model_load_memory(const void* data, size_t size, const char* name,
                                     facet_model** out);
void facet_model_free(facet_model* model);
size_t facet_model_input_count(const facet_model* model);
size_t facet_model_output_count(const facet_model* model);
/* Name of input/output i, or NULL when out of range. Valid while the model lives. */
const char* facet_model_input_name(const facet_model* model, size_t i);
const char* facet_model_output_name(const facet_model* model, size_t i);

/* threads <= 0: one per core. */
facet_status facet_session_create(const facet_model* model, int threads, facet_session** out);
void facet_session_free(facet_session* session);

/* Sets input i from caller memory (copied at facet_session_run). dims has rank entries. */
/* dtype is a facet_dtype value, passed as int so that any value a caller passes is checked. */
facet_status facet_session_set_input(facet_session* session, size_t i, int dtype,
                                     const int64_t* dims, size_t rank, const void* data);
facet_status facet_session_run(facet_session* session);
/* Output i after a successful run: dtype, rank, dims (up to max_rank entries written) and a
 * pointer to its data, valid until the next run or facet_session_free. */
facet_status facet_session_get_output(facet_session* session, size_t i, facet_dtype* dtype,
                                      int64_t* dims, size_t max_rank, size_t* rank,
                                      const void** data);

/* ---------------------------------------------------------------------------------------------
 * Face pipeline.
 *
 * A pipeline handle holds the loaded models and all working buffers; use it from one thread at a
 * time (create one per thread). A result handle holds the faces of one image, by descending
 * score. Coordinates are image pixels (x right, y down, origin at the top-left corner of the top-
 * left pixel). facet_face_detect_into() reuses a result handle: after the first call for an image
 * size, detection on images of that size allocates no memory (as long as the number of faces does
 * not grow).
 * ------------------------------------------------------------------------------------------- */

typedef struct facet_face_pipeline facet_face_pipeline;
typedef struct facet_face_result facet_face_result;

typedef enum facet_face_detector {
  FACET_FACE_DETECTOR_YUNET = 0,    /* YuNet-s, any image size, gives 5 points */
  FACET_FACE_DETECTOR_ULTRAFACE = 1 /* UltraFace RFB-320, no points */
} facet_face_detector;

typedef struct facet_face_options {
  int detector;           /* facet_face_detector */
  int detect_long_side;   /* YuNet input long side in pixels (default 320); <= 0: image size */
  float score_threshold;  /* < 0: the detector's default (YuNet 0.6, UltraFace 0.7) */
  float nms_iou;          /* default 0.3 */
  int max_faces;          /* default 100 */
  int landmarks68;        /* nonzero: 3DDFA 68 points and pose (default 1) */
  int landmarks98;        /* nonzero: PFLD 98 points (default 0) */
  int threads;            /* per network; <= 0: one per core (default 1) */
} facet_face_options;

/* The defaults above. */
void facet_face_options_init(facet_face_options* options);

/* Loads the face models from model_dir (the shared layout: detection/, tddfa/, landmarks/).
 * model_dir NULL or "": searched like the CLI does ($FACET_MODELS, ../shared/models, ...) and,
 * when no folder is found, the models compiled in with -DFACET_EMBED_MODELS=ON.
 * model_dir "embedded": the compiled-in models. options NULL: defaults. */
facet_status facet_face_pipeline_create(const char* model_dir, const facet_face_options* options,
                                        facet_face_pipeline** out);

/* The model files held in memory (copied during the call). Only the models the options need must
 * be given: the detector's, tddfa + the five .f32 arrays for landmarks68, pfld for landmarks98. */
typedef struct facet_face_model_bytes {
  const void* yunet;          size_t yunet_size;          /* yunet_s_dynamic.onnx */
  const void* ultraface;      size_t ultraface_size;      /* ultraface_rfb_320x240_simplified.onnx */
  const void* tddfa;          size_t tddfa_size;          /* tddfa_v2_mb05_120x120.onnx */
  const void* pfld;           size_t pfld_size;           /* pfld_ghostone_98pt_112x112.onnx */
  const void* bfm_u_base;     size_t bfm_u_base_size;     /* bfm68_u_base.f32 */
  const void* bfm_w_shp_base; size_t bfm_w_shp_base_size; /* bfm68_w_shp_base.f32 */
  const void* bfm_w_exp_base; size_t bfm_w_exp_base_size; /* bfm68_w_exp_base.f32 */
  const void* param_mean;     size_t param_mean_size;     /* param_mean_62.f32 */
  const void* param_std;      size_t param_std_size;      /* param_std_62.f32 */
} facet_face_model_bytes;

facet_status facet_face_pipeline_create_from_memory(const facet_face_model_bytes* models,
                                                    const facet_face_options* options,
                                                    facet_face_pipeline** out);
void facet_face_pipeline_free(facet_face_pipeline* pipeline);

/* Nonzero when this build has the face models compiled in. */
int facet_face_have_embedded_models(void);

/* Detects faces in an 8-bit image: `channels` 1 (gray), 3 (RGB) or 4 (RGBA, alpha ignored),
 * rows `stride` bytes apart (stride >= width * channels). *out receives a new result handle (free
 * it with facet_face_result_free), also when no face is found (count 0). */
facet_status facet_face_detect(facet_face_pipeline* pipeline, const uint8_t* pixels, int width,
                               int height, size_t stride, int channels, facet_face_result** out);
/* The same into an existing result handle (from facet_face_result_create or facet_face_detect),
 * reusing its storage. On failure the result holds no faces. */
facet_status facet_face_detect_into(facet_face_pipeline* pipeline, const uint8_t* pixels,
                                    int width, int height, size_t stride, int channels,
                                    facet_face_result* result);

facet_status facet_face_result_create(facet_face_result** out);
void facet_face_result_free(facet_face_result* result);

/* Number of faces (0 for NULL). */
size_t facet_face_count(const facet_face_result* result);
/* Box of face i: top-left x, y, width, height (any pointer may be NULL) and score in [0, 1]. */
facet_status facet_face_get_box(const facet_face_result* result, size_t i, float* x, float* y,
                                float* w, float* h, float* score);
/* 5 points (x, y) x 5: subject's right eye, left eye, nose tip, right and left mouth corner.
 * FACET_ERROR_UNAVAILABLE with UltraFace. */
facet_status facet_face_get_points5(const facet_face_result* result, size_t i, float xy[10]);
/* 68 landmarks (x, y, z) x 68 (iBUG order; z scaled like x/y, smallest z = 0).
 * FACET_ERROR_UNAVAILABLE when landmarks68 is off. */
facet_status facet_face_get_landmarks68(const facet_face_result* result, size_t i,
                                        float xyz[204]);
/* 98 landmarks (x, y) x 98 (WFLW order). FACET_ERROR_UNAVAILABLE when landmarks98 is off. */
facet_status facet_face_get_landmarks98(const facet_face_result* result, size_t i, float xy[196]);

typedef struct facet_face_pose {
  /* Upstream 3DDFA_V2 angles in degrees (from its non-orthonormal 3x4 matrix). */
  double yaw, pitch, roll;
  /* Least-squares similarity from the unposed 68-point model shape to the posed one in 3DDFA's
   * 120x120 crop frame (y up): posed = scale * R * model + t. R is row-major, orthonormal, det +1. */
  double rotation[9];
  double scale;
  double translation[3];
  double sim_yaw, sim_pitch, sim_roll; /* degrees, Euler angles of R (upstream convention) */
  double rms_residual_crop_px;         /* fit residual, crop pixels */
  double rms_residual_image_px;        /* the same in image pixels */
} facet_face_pose;

/* FACET_ERROR_UNAVAILABLE when landmarks68 is off. */
facet_status facet_face_get_pose(const facet_face_result* result, size_t i,
                                 facet_face_pose* pose);

#ifdef __cplusplus
}
#endif

#endif /* FACET_H_ */
