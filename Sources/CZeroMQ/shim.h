// libzmq's C API (Debian: libzmq3-dev; pkg-config: libzmq).
// Only the ZeroMQ module imports this; it wraps every call in a safe Swift API.
#include <zmq.h>
