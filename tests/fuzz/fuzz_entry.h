// Entry points shared by the libFuzzer harnesses (fuzz_*.cpp, built with -DFACET_LIBFUZZER) and
// the regression replay (replay_main.cpp, built in every normal test build).
//
// Each function feeds one input to facet code the way an embedding program would. Every
// facet::Error is an expected outcome (malformed input, a limit hit) and returns 0; anything
// else (a crash, a sanitizer report, another exception type, a hang) is a finding.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facet::fuzz {

int pb_reader(const uint8_t* data, size_t size);   // protobuf wire reader, schema-less walk
int onnx_load(const uint8_t* data, size_t size);   // loader + shape inference + planning (+ run)
int tensor(const uint8_t* data, size_t size);      // .npy if it starts with \x93NUMPY, else .pb
int png(const uint8_t* data, size_t size);         // decode_image on PNG-signed inputs
int jpeg(const uint8_t* data, size_t size);        // decode_image on JPEG-signed inputs
int ppm(const uint8_t* data, size_t size);         // decode_image on P5/P6 inputs

// Harness name ("onnx_load") -> entry, or nullptr.
using Entry = int (*)(const uint8_t*, size_t);
Entry find_entry(const char* name);

}  // namespace facet::fuzz

// One libFuzzer harness per file: only built with -DFACET_LIBFUZZER.
#ifdef FACET_LIBFUZZER
#define FACET_FUZZ_HARNESS(fn)                                                  \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {     \
    return ::facet::fuzz::fn(data, size);                                       \
  }
#else
#define FACET_FUZZ_HARNESS(fn)
#endif
