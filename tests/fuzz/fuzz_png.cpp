// libFuzzer harness: png (the body is facet::fuzz::png in fuzz_entry.cpp, shared with the replay).
#include "fuzz_entry.h"

FACET_FUZZ_HARNESS(png)
