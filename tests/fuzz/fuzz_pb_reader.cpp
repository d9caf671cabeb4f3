// libFuzzer harness: pb_reader (the body is facet::fuzz::pb_reader in fuzz_entry.cpp, shared with the replay).
#include "fuzz_entry.h"

FACET_FUZZ_HARNESS(pb_reader)
