/* facet C API: load an ONNX model, run it on float32/int64 tensors.
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
  FACET_ERROR_INTERNAL = 5
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
facet_status facet_session_set_input(facet_session* session, size_t i, facet_dtype dtype,
                                     const int64_t* dims, size_t rank, const void* data);
facet_status facet_session_run(facet_session* session);
/* Output i after a successful run: dtype, rank, dims (up to max_rank entries written) and a
 * pointer to its data, valid until the next run or facet_session_free. */
facet_status facet_session_get_output(facet_session* session, size_t i, facet_dtype* dtype,
                                      int64_t* dims, size_t max_rank, size_t* rank,
                                      const void** data);

#ifdef __cplusplus
}
#endif

#endif /* FACET_H_ */
