/* A C99 program using the facet C API: loads a model, feeds a constant input, prints each
 * output's shape and first values.  usage: facet_c_example MODEL.onnx */
#include <stdio.h>
#include <stdlib.h>

#include "facet.h"

int main(int argc, char** argv) {
  facet_model* model = NULL;
  facet_session* session = NULL;
  int64_t dims[8];
  size_t rank = 0, i, k;
  float* input;
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODEL.onnx\n", argv[0]);
    return 2;
  }
  if (facet_model_load_file(argv[1], &model) != FACET_OK) {
    fprintf(stderr, "load failed: %s\n", facet_last_error());
    return 1;
  }
  if (facet_session_create(model, 1, &session) != FACET_OK) {
    fprintf(stderr, "session failed: %s\n", facet_last_error());
    facet_model_free(model);
    return 1;
  }
  /* The input shape must be known: this example takes it from the command-line model's
   * conventional NCHW face-model input, 1x3x120x120 unless the run fails. */
  dims[0] = 1; dims[1] = 3; dims[2] = 120; dims[3] = 120;
  input = (float*)calloc(3 * 120 * 120, sizeof(float));
  for (i = 0; i < 3 * 120 * 120; ++i) input[i] = (float)(i % 255) / 255.0f;
  if (facet_session_set_input(session, 0, FACET_FLOAT32, dims, 4, input) != FACET_OK ||
      facet_session_run(session) != FACET_OK) {
    fprintf(stderr, "run failed: %s\n", facet_last_error());
    free(input);
    facet_session_free(session);
    facet_model_free(model);
    return 1;
  }
  for (i = 0; i < facet_model_output_count(model); ++i) {
    facet_dtype dt;
    const void* data = NULL;
    facet_session_get_output(session, i, &dt, dims, 8, &rank, &data);
    printf("%s: rank %zu [", facet_model_output_name(model, i), rank);
    for (k = 0; k < rank; ++k) printf(k ? ",%lld" : "%lld", (long long)dims[k]);
    printf("]");
    if (dt == FACET_FLOAT32) {
      const float* f = (const float*)data;
      printf(" first values %.5f %.5f %.5f", f[0], f[1], f[2]);
    }
    printf("\n");
  }
  /* Errors are values: a bad index gives a message, not a crash. */
  if (facet_session_get_output(session, 99, NULL, NULL, 0, NULL, NULL) != FACET_OK)
    printf("expected error: %s\n", facet_last_error());
  free(input);
  facet_session_free(session);
  facet_model_free(model);
  return 0;
}
