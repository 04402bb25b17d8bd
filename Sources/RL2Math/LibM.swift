#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The C library's double-precision functions, under a namespace so they do not collide with the
/// `TensorScalar` requirements of the same names.
enum LibM {
  @inline(__always) static func exp(_ x: Double) -> Double {
    #if canImport(Glibc)
      Glibc.exp(x)
    #else
      Darwin.exp(x)
    #endif
  }

  @inline(__always) static func log(_ x: Double) -> Double {
    #if canImport(Glibc)
      Glibc.log(x)
    #else
      Darwin.log(x)
    #endif
  }

  @inline(__always) static func cos(_ x: Double) -> Double {
    #if canImport(Glibc)
      Glibc.cos(x)
    #else
      Darwin.cos(x)
    #endif
  }

  @inline(__always) static func lgamma(_ x: Double) -> Double {
    #if canImport(Glibc)
      Glibc.lgamma(x)
    #else
      Darwin.lgamma(x)
    #endif
  }
}
