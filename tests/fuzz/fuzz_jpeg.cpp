// libFuzzer harness: jpeg (the body is facet::fuzz::jpeg in fuzz_entry.cpp, shared with the replay).
#include "fuzz_entry.h"

FACET_FUZZ_HARNESS(jpeg)
