// The convolution kernels' bodies, included once per instruction set by conv.c with
// KERNEL(name) naming the variant and a `#pragma clang attribute` giving its target.

// Four output columns at a time, so each weight vector loaded serves four products.
static void KERNEL(forward)(const float *x, rl2_conv_shape s, int first, int end,
                            const float *wt, const float *bias, int accumulate, float *y) {
  const int H = s.height, W = s.width, C = s.channels, K = s.kernel, S = s.stride;
  const int F = s.filters, G = F / 16, R = K * C;
  const int OH = (H - K) / S + 1, OW = (W - K) / S + 1;
  for (int n = first; n < end; n++) {
    for (int i = 0; i < OH; i++) {
      for (int j = 0; j < OW; j += 4) {
        const int count = OW - j < 4 ? OW - j : 4;
        for (int g = 0; g < G; g++) {
          float *out = y + ((size_t)(n * OH + i) * OW + j) * F + 16 * g;
          v16 start = bias ? LOAD(bias + 16 * g) : (v16)(0.0f);
          v16 a0 = start, a1 = start, a2 = start, a3 = start;
          if (accumulate) {
            a0 += LOAD(out);
            if (count > 1) a1 += LOAD(out + F);
            if (count > 2) a2 += LOAD(out + 2 * F);
            if (count > 3) a3 += LOAD(out + 3 * F);
          }
          for (int ky = 0; ky < K; ky++) {
            const float *r0 = x + ((size_t)(n * H + S * i + ky) * W + S * j) * C;
            const float *w = wt + ((size_t)ky * R * G + g) * 16;
            if (count == 4) {
              const float *r1 = r0 + S * C, *r2 = r1 + S * C, *r3 = r2 + S * C;
              for (int t = 0; t < R; t++) {
                const v16 lanes = LOAD(w + (size_t)t * G * 16);
                a0 += r0[t] * lanes;
                a1 += r1[t] * lanes;
                a2 += r2[t] * lanes;
                a3 += r3[t] * lanes;
              }
            } else {
              for (int t = 0; t < R; t++) {
                const v16 lanes = LOAD(w + (size_t)t * G * 16);
                a0 += r0[t] * lanes;
                if (count > 1) a1 += r0[S * C + t] * lanes;
                if (count > 2) a2 += r0[2 * S * C + t] * lanes;
              }
            }
          }
          STORE(out, a0);
          if (count > 1) STORE(out + F, a1);
          if (count > 2) STORE(out + 2 * F, a2);
          if (count > 3) STORE(out + 3 * F, a3);
        }
      }
    }
  }
}

// U consecutive patch values of one kernel row against every position of one image: the U
// accumulators stay in registers while the positions stream past, each gradient vector
// loaded once for U products.
static inline __attribute__((always_inline)) void KERNEL(weight_chunk)(
    const float *x, rl2_conv_shape s, int n, const float *dy, float *target, int g, int ky,
    int t0, const int U) {
  const int H = s.height, W = s.width, C = s.channels, K = s.kernel, S = s.stride;
  const int F = s.filters, G = F / 16;
  const int OH = (H - K) / S + 1, OW = (W - K) / S + 1;
  v16 acc[8];
  for (int u = 0; u < U; u++) acc[u] = LOAD(target + (size_t)u * G * 16);
  for (int i = 0; i < OH; i++) {
    const float *row = x + ((size_t)(n * H + S * i + ky) * W) * C + t0;
    const float *gradients = dy + ((size_t)(n * OH + i) * OW) * F + 16 * g;
    for (int j = 0; j < OW; j++) {
      const v16 gradient = LOAD(gradients + (size_t)j * F);
      const float *values = row + (size_t)S * j * C;
      for (int u = 0; u < U; u++) acc[u] += values[u] * gradient;
    }
  }
  for (int u = 0; u < U; u++) STORE(target + (size_t)u * G * 16, acc[u]);
}

static void KERNEL(weight_gradient)(const float *x, rl2_conv_shape s, int first, int end,
                                    const float *dy, float *dwt) {
  const int C = s.channels, K = s.kernel, G = s.filters / 16, R = K * C;
  const int U = R % 8 == 0 ? 8 : R % 5 == 0 ? 5 : R % 4 == 0 ? 4 : R % 3 == 0 ? 3 : 1;
  for (int n = first; n < end; n++) {
    for (int g = 0; g < G; g++) {
      for (int ky = 0; ky < K; ky++) {
        for (int t0 = 0; t0 < R; t0 += U) {
          float *target = dwt + ((size_t)(ky * R + t0) * G + g) * 16;
          switch (U) {
            case 8: KERNEL(weight_chunk)(x, s, n, dy, target, g, ky, t0, 8); break;
            case 5: KERNEL(weight_chunk)(x, s, n, dy, target, g, ky, t0, 5); break;
            case 4: KERNEL(weight_chunk)(x, s, n, dy, target, g, ky, t0, 4); break;
            case 3: KERNEL(weight_chunk)(x, s, n, dy, target, g, ky, t0, 3); break;
            default: KERNEL(weight_chunk)(x, s, n, dy, target, g, ky, t0, 1); break;
          }
        }
      }
    }
  }
}

static void KERNEL(input_gradient)(const float *w, rl2_conv_shape s, int first, int end,
                                   const float *dy, float *dx) {
  const int H = s.height, W = s.width, C = s.channels, K = s.kernel, S = s.stride;
  const int F = s.filters, R = K * C, L = K * R;
  const int OH = (H - K) / S + 1, OW = (W - K) / S + 1;
  for (int n = first; n < end; n++) {
    for (int i = 0; i < OH; i++) {
      for (int j = 0; j < OW; j++) {
        const float *gradients = dy + ((size_t)(n * OH + i) * OW + j) * F;
        for (int f = 0; f < F; f++) {
          const float g = gradients[f];
          if (g == 0) continue;
          for (int ky = 0; ky < K; ky++) {
            float *restrict target = dx + ((size_t)(n * H + S * i + ky) * W + S * j) * C;
            const float *restrict source = w + (size_t)f * L + ky * R;
            for (int t = 0; t < R; t++) target[t] += g * source[t];
          }
        }
      }
    }
  }
}
