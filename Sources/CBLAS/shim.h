// OpenBLAS's CBLAS interface (Debian: libopenblas-dev; pkg-config: openblas).
// Only RL2Math imports this module.
#include <cblas.h>
