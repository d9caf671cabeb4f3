// CPU feature detection and the ISA cap.
//
// active_isa() is the best instruction set the CPU (and OS) supports, capped by the environment
// variable FACET_ISA=ref|avx2|avx512|neon. Kernel families pick their variant from it once, at
// prepare time. On x86-64, AVX2 requires both avx2 and fma (and OS-saved YMM state, which
// __builtin_cpu_supports includes); AVX-512 additionally avx512f (and OS-saved ZMM state).
// AVX-512 is a level above AVX2: families without an AVX-512 variant run their AVX2 one there
// (isa_has_avx2). On aarch64, NEON is baseline.
#pragma once

namespace facet {

enum class Isa { kRef = 0, kAvx2 = 1, kNeon = 2, kAvx512 = 3 };

// True for the x86-64 levels that include AVX2+FMA (kAvx2, kAvx512).
inline bool isa_has_avx2(Isa isa) { return isa == Isa::kAvx2 || isa == Isa::kAvx512; }

const char* isa_name(Isa isa);
bool cpu_supports(Isa isa);  // ignoring FACET_ISA; kAvx2 holds on an AVX-512 CPU too
Isa active_isa();            // honouring FACET_ISA; computed once
// False on CPUs known to run 512-bit vector ops as two 256-bit halves (AMD Zen 4, family 19h),
// where an AVX-512 kernel that gains from width alone is no faster than its AVX2 twin; true on
// other x86-64 CPUs (Zen 5, Intel); false on non-x86 builds, which have no zmm registers.
// Tuning only: correctness never depends on it.
bool cpu_zmm_full_width();
// For tests: temporarily force an ISA (must be supported). Not thread-safe.
void set_isa_override(Isa isa);
void clear_isa_override();

}  // namespace facet
