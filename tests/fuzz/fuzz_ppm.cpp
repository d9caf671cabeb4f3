// libFuzzer harness: ppm (the body is facet::fuzz::ppm in fuzz_entry.cpp, shared with the replay).
#include "fuzz_entry.h"

FACET_FUZZ_HARNESS(ppm)
