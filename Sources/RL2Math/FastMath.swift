/// Single-precision exponential and logistic kernels vectorized with `SIMD16<Float>`.
///
/// e^x = 2^n · e^r with n = round(x·log₂e) and |r| ≤ ln2/2; e^r comes from the degree-6
/// minimax polynomial of Cephes' `expf` (relative error about 2 ulp over the whole range).
/// Inputs are clamped to [−87.3, 88.37] so the result stays finite and normal (n ≤ 127).
public enum FastMath {
  static let lowerBound: Float = -87.3
  static let upperBound: Float = 88.37
  static let roundingShift: Float = 0x1.8p23

  @inline(__always)
  static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
    var clamped = x
    clamped.replace(with: lowerBound, where: x .< lowerBound)
    clamped.replace(with: upperBound, where: x .> upperBound)
    // Adding 1.5·2²³ rounds x·log₂e to an integer held in the low mantissa bits, which avoids
    // a float-to-integer conversion the vectorizer cannot handle.
    let shifted = clamped * 1.442_695_04 + roundingShift
    let n = shifted - roundingShift
    let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p = SIMD16<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_907e-3
    p = p * r + 4.166_579_589e-2
    p = p * r + 1.666_666_546e-1
    p = p * r + 5.000_000_120e-1
    p = p * r * r + r + 1
    let integer =
      unsafeBitCast(shifted, to: SIMD16<Int32>.self)
      &- unsafeBitCast(SIMD16<Float>(repeating: roundingShift), to: SIMD16<Int32>.self)
    let exponent = (integer &+ 127) &<< 23
    return p * unsafeBitCast(exponent, to: SIMD16<Float>.self)
  }

  /// e^x for one value, through the same polynomial as the vector kernel.
  public static func exp(_ x: Float) -> Float {
    exp(SIMD16(repeating: x))[0]
  }

  /// x ← e^x over `count` contiguous values.
  public static func exp(_ x: UnsafeMutablePointer<Float>, count: Int) {
    apply(x, count: count) { exp($0) }
  }

  /// x ← 1 / (1 + e^(−x)) over `count` contiguous values.
  public static func sigmoid(_ x: UnsafeMutablePointer<Float>, count: Int) {
    apply(x, count: count) { 1 / (1 + exp(-$0)) }
  }

  @inline(__always)
  private static func apply(
    _ x: UnsafeMutablePointer<Float>, count: Int, _ kernel: (SIMD16<Float>) -> SIMD16<Float>
  ) {
    let width = SIMD16<Float>.scalarCount
    var i = 0
    let raw = UnsafeMutableRawPointer(x)
    while i + width <= count {
      let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
      raw.storeBytes(of: kernel(v), toByteOffset: i * 4, as: SIMD16<Float>.self)
      i += width
    }
    if i < count {
      var tail = SIMD16<Float>(repeating: 0)
      for j in 0..<(count - i) { tail[j] = x[i + j] }
      let result = kernel(tail)
      for j in 0..<(count - i) { x[i + j] = result[j] }
    }
  }
}
