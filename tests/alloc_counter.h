// The test binary's counting global operator new (defined once, in tests/engine/test_no_alloc.cpp):
// every call of operator new / new[] in the process increments the counter.
#pragma once

namespace facet::test {

// Number of global operator new calls so far (all threads).
long allocation_count();
// False in sanitizer builds, where the sanitizer owns operator new and the counter is not
// installed; allocation tests skip there.
bool allocation_counting_enabled();

}  // namespace facet::test
