/* A C99 program using the facet face API: reads a binary PPM (P6) photo, finds the faces and
 * prints each face's box, score, 5 points, a few of the 68 landmarks and the head pose.
 *
 *   usage: facet_c_face_example PHOTO.ppm [MODEL_DIR | embedded]
 *
 * Without MODEL_DIR the models are searched like the CLI does ($FACET_MODELS, ../shared/models,
 * ...), falling back to the models compiled in with -DFACET_EMBED_MODELS=ON. */
#include <stdio.h>
#include <stdlib.h>

#include "facet.h"

/* Skips whitespace and '#' comments in a PNM header; returns the next character or EOF. */
static int pnm_skip(FILE* f) {
  int c = fgetc(f);
  for (;;) {
    if (c == '#') {
      while (c != '\n' && c != EOF) c = fgetc(f);
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      c = fgetc(f);
    } else {
      return c;
    }
  }
}

static int pnm_int(FILE* f, int* v) {
  int c = pnm_skip(f);
  long n = 0;
  if (c < '0' || c > '9') return 0;
  while (c >= '0' && c <= '9') {
    n = n * 10 + (c - '0');
    if (n > 1000000) return 0;
    c = fgetc(f);
  }
  /* c is the single whitespace after the number (the last one ends the header). */
  *v = (int)n;
  return 1;
}

/* Reads an 8-bit P6 file into a malloc'd RGB buffer. Returns NULL with a message on failure. */
static uint8_t* read_ppm(const char* path, int* width, int* height) {
  FILE* f = fopen(path, "rb");
  uint8_t* pixels = NULL;
  int maxval = 0;
  size_t bytes;
  if (!f) {
    fprintf(stderr, "%s: cannot open\n", path);
    return NULL;
  }
  if (fgetc(f) != 'P' || fgetc(f) != '6' || !pnm_int(f, width) || !pnm_int(f, height) ||
      !pnm_int(f, &maxval) || *width <= 0 || *height <= 0 || maxval != 255) {
    fprintf(stderr, "%s: not an 8-bit binary PPM (P6)\n", path);
    fclose(f);
    return NULL;
  }
  bytes = (size_t)*width * (size_t)*height * 3;
  pixels = (uint8_t*)malloc(bytes);
  if (!pixels || fread(pixels, 1, bytes, f) != bytes) {
    fprintf(stderr, "%s: truncated pixel data\n", path);
    free(pixels);
    pixels = NULL;
  }
  fclose(f);
  return pixels;
}

int main(int argc, char** argv) {
  facet_face_options options;
  facet_face_pipeline* pipeline = NULL;
  facet_face_result* result = NULL;
  uint8_t* pixels;
  int width = 0, height = 0, run;
  size_t i, n;

  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s PHOTO.ppm [MODEL_DIR | embedded]\n", argv[0]);
    return 2;
  }
  pixels = read_ppm(argv[1], &width, &height);
  if (!pixels) return 1;

  facet_face_options_init(&options);
  options.landmarks98 = 1;
  if (facet_face_pipeline_create(argc == 3 ? argv[2] : NULL, &options, &pipeline) != FACET_OK) {
    fprintf(stderr, "cannot load the face models: %s\n", facet_last_error());
    free(pixels);
    return 1;
  }
  if (facet_face_result_create(&result) != FACET_OK) {
    fprintf(stderr, "%s\n", facet_last_error());
    facet_face_pipeline_free(pipeline);
    free(pixels);
    return 1;
  }
  /* Twice into the same result: the second call reuses all buffers (a video loop would). */
  for (run = 0; run < 2; ++run) {
    if (facet_face_detect_into(pipeline, pixels, width, height, (size_t)width * 3, 3, result) !=
        FACET_OK) {
      fprintf(stderr, "detection failed: %s\n", facet_last_error());
      facet_face_result_free(result);
      facet_face_pipeline_free(pipeline);
      free(pixels);
      return 1;
    }
  }

  n = facet_face_count(result);
  printf("%s: %dx%d, faces: %zu\n", argv[1], width, height, n);
  for (i = 0; i < n; ++i) {
    float x, y, w, h, score, p5[10], lm68[204], lm98[196];
    facet_face_pose pose;
    int k;
    facet_face_get_box(result, i, &x, &y, &w, &h, &score);
    printf("face %zu: box %.1f %.1f %.1f %.1f score %.3f\n", i, x, y, w, h, score);
    if (facet_face_get_points5(result, i, p5) == FACET_OK) {
      printf("  points5:");
      for (k = 0; k < 5; ++k) printf(" (%.1f, %.1f)", p5[2 * k], p5[2 * k + 1]);
      printf("\n");
    }
    if (facet_face_get_landmarks68(result, i, lm68) == FACET_OK)
      printf("  landmarks68: nose tip (%.2f, %.2f, %.2f), chin (%.2f, %.2f, %.2f)\n", lm68[90],
             lm68[91], lm68[92], lm68[24], lm68[25], lm68[26]);
    if (facet_face_get_pose(result, i, &pose) == FACET_OK) {
      printf("  pose upstream: yaw %.2f pitch %.2f roll %.2f\n", pose.yaw, pose.pitch, pose.roll);
      printf("  pose similarity: yaw %.2f pitch %.2f roll %.2f scale %.4f t (%.2f, %.2f, %.2f) "
             "rms %.3f px\n",
             pose.sim_yaw, pose.sim_pitch, pose.sim_roll, pose.scale, pose.translation[0],
             pose.translation[1], pose.translation[2], pose.rms_residual_image_px);
    }
    if (facet_face_get_landmarks98(result, i, lm98) == FACET_OK)
      printf("  landmarks98: first (%.2f, %.2f), last (%.2f, %.2f)\n", lm98[0], lm98[1], lm98[194],
             lm98[195]);
  }

  /* Errors are values: a bad stride is reported, not a crash. */
  if (facet_face_detect_into(pipeline, pixels, width, height, 5, 3, result) != FACET_OK)
    printf("expected error: %s\n", facet_last_error());

  facet_face_result_free(result);
  facet_face_pipeline_free(pipeline);
  free(pixels);
  return 0;
}
