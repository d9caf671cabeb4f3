// libFuzzer harness: tensor (the body is facet::fuzz::tensor in fuzz_entry.cpp, shared with the replay).
#include "fuzz_entry.h"

FACET_FUZZ_HARNESS(tensor)
