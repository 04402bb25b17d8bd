#include "rl2_kernels.h"

#include <stddef.h>

typedef float v16 __attribute__((ext_vector_type(16)));

// Unaligned vector loads and stores (macros, not functions: a function returning v16 would
// have a different ABI in each instruction set's variant).
#define LOAD(p)                            \
  ({                                       \
    v16 loaded_;                           \
    __builtin_memcpy(&loaded_, (p), 64);   \
    loaded_;                               \
  })
#define STORE(p, v)                        \
  do {                                     \
    v16 stored_ = (v);                     \
    __builtin_memcpy((p), &stored_, 64);   \
  } while (0)

#if defined(__x86_64__) && defined(__clang__)

#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,fma"))), apply_to = function)
#define KERNEL(name) name##_avx512
#include "conv_body.h"
#undef KERNEL
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define KERNEL(name) name##_avx2
#include "conv_body.h"
#undef KERNEL
#pragma clang attribute pop

#endif

#define KERNEL(name) name##_baseline
#include "conv_body.h"
#undef KERNEL

typedef enum { ISA_UNKNOWN, ISA_AVX512, ISA_AVX2, ISA_BASELINE } isa;

static isa chosen = ISA_UNKNOWN;

// Reads the CPU once; a benign race (every thread computes the same answer).
static isa current(void) {
  if (chosen != ISA_UNKNOWN) return chosen;
  isa found = ISA_BASELINE;
#if defined(__x86_64__) && defined(__clang__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("fma"))
    found = ISA_AVX512;
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    found = ISA_AVX2;
#endif
  chosen = found;
  return found;
}

#if defined(__x86_64__) && defined(__clang__)
#define DISPATCH(name, ...)                         \
  switch (current()) {                              \
    case ISA_AVX512: name##_avx512(__VA_ARGS__); break; \
    case ISA_AVX2: name##_avx2(__VA_ARGS__); break;     \
    default: name##_baseline(__VA_ARGS__); break;       \
  }
#else
#define DISPATCH(name, ...) name##_baseline(__VA_ARGS__);
#endif

void rl2_conv_forward(const float *x, rl2_conv_shape shape, int first, int end, const float *wt,
                      const float *bias, int accumulate, float *y) {
  DISPATCH(forward, x, shape, first, end, wt, bias, accumulate, y)
}

void rl2_conv_weight_gradient(const float *x, rl2_conv_shape shape, int first, int end,
                              const float *dy, float *dwt) {
  DISPATCH(weight_gradient, x, shape, first, end, dy, dwt)
}

void rl2_conv_input_gradient(const float *w, rl2_conv_shape shape, int first, int end,
                             const float *dy, float *dx) {
  DISPATCH(input_gradient, w, shape, first, end, dy, dx)
}

const char *rl2_kernels_isa(void) {
  switch (current()) {
    case ISA_AVX512: return "avx512";
    case ISA_AVX2: return "avx2";
    default: return "baseline";
  }
}
