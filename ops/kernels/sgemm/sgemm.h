// Packed SGEMM kernel family (f32) with a fused bias + activation epilogue.
//
//   C[i, j] = act(i, (accumulate ? C[i, j] : 0) + bias[i] + sum_k A[i, k] * B[k, j])
//   for rows i in [m_begin, m_end) and columns j in [n_begin, n_end) of an M x N problem.
//
// Scheme (BLIS-like). A (M x K, the weights) is packed once by sgemm_pack_a_f32 into panels of
// `mr` rows: panel p holds rows [p*mr, p*mr + mr), stored k-major (panel[k * mr + r]), rows past
// M zero-filled; panel p starts at p * mr * K. B (K x N) is usually not read in place by the
// micro-kernel (the avx512 variant reads a dense B with a short K in place, see
// reads_b_in_place there): the driver packs a KC x NC block at a time into the caller's
// workspace, in panels of `nr` columns (k-major, columns past the block zero-filled), through
// sgemm_pack_b_f32, unless B is already packed (kPacked: a constant B packed once with
// sgemm_pack_b_f32 over all of K and N, e.g. Gemm / MatMul weights in prepare()). B can be a
// dense row-major matrix, its transpose, an implicit im2col matrix of one image (so a
// convolution needs no im2col buffer) or prepacked panels. Each variant's register tile is
// mr x nr (avx2: 6 x 16 plus a 6 x 8 column tail, or dot products for a 1-2 column tail of a
// dense B; or 16 x 6 on 16-row panels (sgemm_conv_kernel); avx512: 8 x 32 plus an 8 x 16
// column tail and a column tile for a 1-4 column tail of a dense B, or for N < 128 not a
// multiple of 16 (7x7 maps) 32 x 14 tiles with the rows in the lanes; neon: 8 x 12; ref: any mr
// the caller packed with, no tiling). A row range of one row (m_end - m_begin == 1) takes a
// matrix-vector path in the avx2 and avx512 variants.
//
// Contract for every sgemm_f32_* kernel:
//  * Layout: C row-major with row stride ldc (elements); bias has M entries (per row) or is
//    nullptr; act.slope (PRelu) has M entries, indexed by row.
//  * m_begin must be a multiple of the variant's mr (the packed panel size) unless it equals
//    m_end; n_begin is free. 0 <= m_begin <= m_end <= M, 0 <= n_begin <= n_end <= N.
//  * workspace: kSgemmWorkspaceFloats floats owned by the calling thread (ref ignores it).
//  * No alignment requirements, zero overread: nothing outside A's packed panels, the
//    described B elements and the C rectangle is read; only the C rectangle is written.
//  * Aliasing: C must not overlap A, B, bias, slope or the workspace. Disjoint C rectangles may
//    be computed concurrently from different threads (each with its own workspace).
//  * Accumulation order: ref sums k = 0..K-1 in one float accumulator, then adds C (when
//    accumulating) and the bias. Optimized variants use FMA, several partial accumulators and
//    split K into blocks of at most kSgemmMaxKc, storing partial sums to C between blocks, so
//    they match ref only within
//    |out - ref| <= (1e-5 + 1e-4 |ref|) * sqrt(K)-scaled tolerances, never bit-exactly.
//  * Sigmoid in optimized variants uses a polynomial exp (relative error < 3e-7); the other
//    activations are exact given the pre-activation value.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facet {
enum class Isa;  // engine/cpu.h
}

namespace facet::ops {

// Activation applied in the store (same meanings as DwActKind in kernels/dwconv/dwconv.h).
enum class ActKind : int {
  kNone = 0,   // y = x
  kRelu,       // y = max(x, 0)
  kClip,       // y = min(max(x, alpha), beta)        (Relu6: alpha 0, beta 6)
  kLeakyRelu,  // y = x < 0 ? alpha * x : x
  kPRelu,      // y = x < 0 ? slope[row] * x : x
  kHardSwish,  // y = x * min(max(x / 6 + 0.5, 0), 1)  (ONNX HardSwish)
  kSigmoid,    // y = 1 / (1 + exp(-x))
};

// Plain aggregate (no default member initializers, so no inline constructor is shared by
// files compiled with different ISA flags). The caller fills every field.
struct Activation {
  ActKind kind;
  float alpha;
  float beta;
  const float* slope;  // kPRelu: one per output row; otherwise ignored (may be null)
};

enum class SgemmBKind : int {
  kDense = 0,  // B[k, j] = data[k * ld + j]
  kDenseT,     // B[k, j] = data[j * ld + k]          (op(B) = transpose of an N x K matrix)
  kPacked,     // B[k, j] = data[(j / panel_nr) * ld + k * panel_nr + j % panel_nr]: the layout
               //   sgemm_pack_b_f32(b, 0, K, 0, N, panel_nr, data) writes (ld = K * panel_nr).
               //   Read in place when panel_nr equals the variant's nr and n_begin is a
               //   multiple of it; otherwise repacked like any other B.
  kIm2col,     // B[k, j] = image[c, iy, ix] or 0 outside the image, with
               //   k = (c * kernel_h + ky) * kernel_w + kx, j = oy * out_w + ox,
               //   iy = oy * stride_h - pad_top + ky * dilation_h,
               //   ix = ox * stride_w - pad_left + kx * dilation_w;
               //   image = data, [channels, in_h, in_w] densely packed; K = channels * kh * kw,
               //   N = out_h * out_w.
};

struct SgemmB {
  SgemmBKind kind;
  const float* data;
  int64_t ld;  // kDense / kDenseT / kPacked only
  int64_t channels, in_h, in_w, out_h, out_w;  // kIm2col only (the rest too)
  int64_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  int64_t panel_nr;  // kPacked only
};

struct SgemmParams {
  int64_t m, n, k;
  const float* packed_a;  // sgemm_pack_a_f32 output for this variant's mr
  int64_t a_mr;           // mr the panels were packed with (must be the variant's mr)
  SgemmB b;
  float* c;
  int64_t ldc;
  const float* bias;  // [M] or nullptr
  int accumulate;     // 1: add to the existing C; 0: C is write-only
  Activation act;
};

// Cache blocking shared by the optimized drivers: K is split into ceil(K / kSgemmMaxKc) equal
// blocks (each <= kSgemmMaxKc, see sgemm_kc); N into near-equal blocks of at most
// sgemm_nc(kc, nr) columns, so a packed KC x NC block of B (<= kSgemmWorkspaceFloats floats,
// 256 KB) stays in L2 while every A panel of the row range passes over it.
constexpr int64_t kSgemmMaxKc = 512;
constexpr int64_t kSgemmWorkspaceFloats = 65536;
// N-blocks are at most this many columns: with a small K (<= 128) the A panels are tiny and
// more N blocks cost nothing, while a smaller B block takes less workspace.
constexpr int64_t kSgemmMaxNc = 512;

using SgemmFn = void (*)(const SgemmParams& p, int64_t m_begin, int64_t m_end, int64_t n_begin,
                         int64_t n_end, float* workspace);

// Reference: plain loops, no tiling; reads A through the packed panels and B element by
// element (im2col computed on the fly); ignores the workspace.
void sgemm_f32_ref(const SgemmParams& p, int64_t m_begin, int64_t m_end, int64_t n_begin,
                   int64_t n_end, float* workspace);
// AVX2+FMA, 6 x 16 register tile (x86-64 only; the symbol exists only there).
void sgemm_f32_6x16_avx2(const SgemmParams& p, int64_t m_begin, int64_t m_end, int64_t n_begin,
                         int64_t n_end, float* workspace);
// AVX2+FMA, A in 16-row panels; picks per call by the N range a 16 x 6 tile
// (broadcast activations; small N such as 7x7 maps) or the 6 x 16 tile on row slices.
void sgemm_f32_16x6_avx2(const SgemmParams& p, int64_t m_begin, int64_t m_end, int64_t n_begin,
                         int64_t n_end, float* workspace);
// AVX-512F, 8 x 32 register tile (x86-64 only; chosen for Isa::kAvx512).
void sgemm_f32_8x32_avx512(const SgemmParams& p, int64_t m_begin, int64_t m_end,
                           int64_t n_begin, int64_t n_end, float* workspace);
// NEON, 8 x 12 register tile with vfmaq_laneq_f32 (aarch64 only).
void sgemm_f32_8x12_neon(const SgemmParams& p, int64_t m_begin, int64_t m_end, int64_t n_begin,
                         int64_t n_end, float* workspace);

struct SgemmKernel {
  SgemmFn fn;
  int64_t mr;  // panel height to pack A with
  int64_t nr;
  const char* name;
};
// The variant for `isa`; an ISA this build/CPU cannot run falls back to ref (mr 8).
SgemmKernel sgemm_kernel(Isa isa);
// The small-N candidate (avx2: sgemm_f32_16x6_avx2, mr 16, nr 6; otherwise, avx512 included,
// sgemm_kernel).
// Tested like every variant and benchmarked in bench_gemm (sgemm/, sgemm_cold/), but ConvOp
// does not use it: on MobileNetV1's 1x1 layers it measured 2-20% slower than the 6 x 16
// variant (N = 49 included), and the panel height must be fixed in prepare(), before N is known.
SgemmKernel sgemm_conv_kernel(Isa isa);

// Floats needed by sgemm_pack_a_f32 for an M x K matrix: ceil(M / mr) * mr * K.
int64_t sgemm_packed_a_floats(int64_t mr, int64_t m, int64_t k);
// Packs op(A) (M x K) scaled by alpha: A[i * lda + k], or with trans_a A[k * lda + i].
// `packed` holds sgemm_packed_a_floats(mr, m, k) floats.
void sgemm_pack_a_f32(int64_t mr, bool trans_a, int64_t m, int64_t k, float alpha,
                      const float* a, int64_t lda, float* packed);
// Packs B[k0 .. k0+kc, n0 .. n0+nc] into ceil(nc / nr) panels of kc * nr floats (panel q
// holds columns n0 + q*nr ..; dst[q * kc * nr + kk * nr + jj]), zero-filling columns >= nc.
void sgemm_pack_b_f32(const SgemmB& b, int64_t k0, int64_t kc, int64_t n0, int64_t nc,
                      int64_t nr, float* dst);
// K-block size used by the optimized drivers for a given K.
int64_t sgemm_kc(int64_t k);
// Largest N-block (a multiple of nr, at least nr, at most kSgemmMaxNc rounded down to nr) whose
// packed kc x NC block fits the workspace.
int64_t sgemm_nc(int64_t kc, int64_t nr);
// Workspace floats the optimized variants use at most for a problem with this K and at most n
// columns per call (n_end - n_begin): a packed block of B, at most K x (min(n, kSgemmMaxNc)
// rounded up to the panel width) floats, bounded here by K * (min(n, kSgemmMaxNc) + 47) (47:
// any of the panel widths 6, 12, 16 minus one), and never more than kSgemmWorkspaceFloats.
int64_t sgemm_workspace_floats(int64_t k, int64_t n);
// Floats of a fully packed B (kPacked) for panel width nr: ceil(N / nr) * nr * K.
int64_t sgemm_packed_b_floats(int64_t nr, int64_t k, int64_t n);

// Applies `act` (after adding bias[row0 + r] when bias is non-null) to rows [0, rows) of a
// row-major matrix with row stride ld; row r uses bias/slope entry row0 + r. Scalar; for
// paths that do not fuse the epilogue into a GEMM.
void activation_apply_f32(const Activation& act, const float* bias, int64_t row0, float* data,
                          int64_t rows, int64_t cols, int64_t ld);
// The same function on one value (row = bias/slope index), the spec of the epilogue.
float activation_ref(const Activation& act, float x, int64_t row);

}  // namespace facet::ops
