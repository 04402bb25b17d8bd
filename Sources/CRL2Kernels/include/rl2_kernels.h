#ifndef RL2_KERNELS_H
#define RL2_KERNELS_H

// The per-thread denormal switch the numeric code runs under, and direct 2-D convolution kernels
// in single precision for filter counts that are multiples of 16 (the vision encoder's 16
// filters). Images are NHWC; a kernel covers K×K×C input values, R = K·C of them contiguous per
// kernel row, L = K·R in all. Each entry point picks, once per process, the widest instruction
// set the CPU has (AVX-512, AVX2 with FMA, or the portable x86-64 baseline), so a portable build
// still runs at the machine's vector width.

#ifdef __cplusplus
extern "C" {
#endif

/// The shape of one convolution: input H×W×C, K×K kernels with stride S, F filters.
typedef struct {
  int height, width, channels, kernel, stride, filters;
} rl2_conv_shape;

/// y[n, i, j, ·] (+)= b + Σ x[n, S·i + ky, S·j + kx, c]·W[·, (ky·K + kx)·C + c] for images
/// [first, end). `wt` holds the weights regrouped as wt[(k·G + g)·16 + lane] = W[16g + lane, k]
/// (G = F/16 blocks); `bias` may be NULL; `accumulate` adds into y instead of overwriting it.
void rl2_conv_forward(const float *x, rl2_conv_shape shape, int first, int end, const float *wt,
                      const float *bias, int accumulate, float *y);

/// dwt[(k·G + g)·16 + lane] += Σ_{n, i, j} x[…patch k of (n, i, j)…]·dy[n, i, j, 16g + lane]
/// over images [first, end).
void rl2_conv_weight_gradient(const float *x, rl2_conv_shape shape, int first, int end,
                              const float *dy, float *dwt);

/// dx[…patch of (n, i, j)…] += Σ_f dy[n, i, j, f]·W[f, ·] over images [first, end), with W in
/// its natural [F, L] layout; zero output gradients are skipped.
void rl2_conv_input_gradient(const float *w, rl2_conv_shape shape, int first, int end,
                             const float *dy, float *dx);

/// Sets (on ≠ 0) or clears flush-to-zero and denormals-are-zero for the calling thread's
/// floating-point unit and returns whether they were set before. Does nothing (and returns 0) on
/// CPUs this file does not know.
int rl2_flush_denormals(int on);

/// Whether the calling thread flushes denormals to zero.
int rl2_flushes_denormals(void);

/// The instruction set the kernels run with: "avx512", "avx2" or "baseline".
const char *rl2_kernels_isa(void);

#ifdef __cplusplus
}
#endif

#endif
