// libFuzzer harness: onnx_load (the body is facet::fuzz::onnx_load in fuzz_entry.cpp, shared with the replay).
#include "fuzz_entry.h"

FACET_FUZZ_HARNESS(onnx_load)
