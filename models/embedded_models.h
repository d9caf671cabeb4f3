// Model files compiled into the binary (configure with -DFACET_EMBED_MODELS=ON).
//
// At build time cmake/embed_models.cmake runs a small generator over the face models in
// FACET_MODELS_DIR and writes a C++ source holding each file as a byte array, keyed by its path
// relative to the model folder ("detection/yunet_s_dynamic.onnx", "tddfa/bfm68_u_base.f32", ...).
// Without the option the table is empty and every lookup returns nullptr.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facet::models {

struct EmbeddedFile {
  const char* path;     // relative to the model folder, '/' separated
  const uint8_t* data;  // size bytes, static storage
  size_t size;
};

// True when the build embedded the model files.
bool have_embedded_models();
// All embedded files (nullptr and *count = 0 when none).
const EmbeddedFile* embedded_files(size_t* count);
// The file with this relative path, or nullptr.
const EmbeddedFile* find_embedded_file(const char* path);

}  // namespace facet::models
