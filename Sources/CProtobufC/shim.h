// protobuf-c's runtime (Debian: libprotobuf-c-dev; pkg-config: libprotobuf-c), used by the
// C build of the wire schema that proves peers in other languages can decode our messages.
#include <protobuf-c/protobuf-c.h>
