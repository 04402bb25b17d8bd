#include "rl2_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>

// MXCSR bit 15 flushes denormal results to zero (FTZ); bit 6 reads denormal inputs as zero (DAZ).
static const unsigned int rl2_denormal_bits = 0x8040u;

int rl2_flush_denormals(int on) {
  unsigned int csr = _mm_getcsr();
  int was = (csr & rl2_denormal_bits) == rl2_denormal_bits;
  _mm_setcsr(on ? (csr | rl2_denormal_bits) : (csr & ~rl2_denormal_bits));
  return was;
}

int rl2_flushes_denormals(void) {
  return (_mm_getcsr() & rl2_denormal_bits) == rl2_denormal_bits;
}

#elif defined(__aarch64__)

// FPCR bit 24 (FZ) flushes denormal inputs and results to zero.
static const unsigned long rl2_fz_bit = 1ul << 24;

int rl2_flush_denormals(int on) {
  unsigned long fpcr;
  __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
  int was = (fpcr & rl2_fz_bit) != 0;
  fpcr = on ? (fpcr | rl2_fz_bit) : (fpcr & ~rl2_fz_bit);
  __asm__ volatile("msr fpcr, %0" : : "r"(fpcr));
  return was;
}

int rl2_flushes_denormals(void) {
  unsigned long fpcr;
  __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
  return (fpcr & rl2_fz_bit) != 0;
}

#else

int rl2_flush_denormals(int on) {
  (void)on;
  return 0;
}

int rl2_flushes_denormals(void) { return 0; }

#endif
