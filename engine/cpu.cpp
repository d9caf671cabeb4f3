#include "engine/cpu.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif

namespace facet {

namespace {
int g_override = -1;

Isa detect_best() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return Isa::kRef;
  if (__builtin_cpu_supports("avx512f")) return Isa::kAvx512;
  return Isa::kAvx2;
#elif defined(__aarch64__)
  return Isa::kNeon;
#else
  return Isa::kRef;
#endif
}

Isa capped() {
  Isa best = detect_best();
  const char* env = std::getenv("FACET_ISA");
  if (env == nullptr || *env == '\0') return best;
  if (std::strcmp(env, "ref") == 0) return Isa::kRef;
  if (std::strcmp(env, "avx2") == 0 && isa_has_avx2(best)) return Isa::kAvx2;
  if (std::strcmp(env, "avx512") == 0 && best == Isa::kAvx512) return Isa::kAvx512;
  if (std::strcmp(env, "neon") == 0 && best == Isa::kNeon) return Isa::kNeon;
  return best == Isa::kRef ? Isa::kRef : best;
}
}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
    case Isa::kNeon: return "neon";
    default: return "ref";
  }
}

bool cpu_supports(Isa isa) {
  if (isa == Isa::kRef) return true;
  const Isa best = detect_best();
  if (isa == Isa::kAvx2) return isa_has_avx2(best);
  return best == isa;
}

Isa active_isa() {
  if (g_override >= 0) return static_cast<Isa>(g_override);
  static const Isa isa = capped();
  return isa;
}

bool cpu_zmm_full_width() {
#if defined(__x86_64__) || defined(_M_X64)
  static const bool full = [] {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (__get_cpuid(0, &a, &b, &c, &d) == 0) return true;
    char vendor[13];
    std::memcpy(vendor, &b, 4);
    std::memcpy(vendor + 4, &d, 4);
    std::memcpy(vendor + 8, &c, 4);
    vendor[12] = '\0';
    if (std::strcmp(vendor, "AuthenticAMD") != 0) return true;
    if (__get_cpuid(1, &a, &b, &c, &d) == 0) return true;
    unsigned family = (a >> 8) & 0xF;
    if (family == 0xF) family += (a >> 20) & 0xFF;
    return family != 0x19;
  }();
  return full;
#else
  return false;
#endif
}

void set_isa_override(Isa isa) { g_override = static_cast<int>(isa); }
void clear_isa_override() { g_override = -1; }

}  // namespace facet
