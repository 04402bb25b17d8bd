import Foundation

/// Raw little-endian encodings of the arrays that travel as `bytes`.
enum RawTensors {
  static func encode(_ values: [Float]) -> Data {
    var data = Data(capacity: values.count * 4)
    for value in values { append(value.bitPattern, 4, to: &data) }
    return data
  }

  static func encode(_ values: [Double]) -> Data {
    var data = Data(capacity: values.count * 8)
    for value in values { append(value.bitPattern, 8, to: &data) }
    return data
  }

  static func encode(_ values: [Int32]) -> Data {
    var data = Data(capacity: values.count * 4)
    for value in values { append(UInt32(bitPattern: value), 4, to: &data) }
    return data
  }

  static func encode(_ values: [Bool]) -> Data { Data(values.map { $0 ? 1 : 0 }) }

  private static func append<I: FixedWidthInteger>(_ bits: I, _ width: Int, to data: inout Data) {
    for k in 0..<width { data.append(UInt8(truncatingIfNeeded: bits >> (8 * k))) }
  }

  /// The little-endian word of `width` bytes at element `index`.
  private static func word(_ data: Data, _ index: Int, _ width: Int) -> UInt64 {
    var bits: UInt64 = 0
    let start = data.startIndex + index * width
    for k in 0..<width { bits |= UInt64(data[start + k]) << (8 * k) }
    return bits
  }

  static func floats(_ data: Data) -> [Float] {
    (0..<(data.count / 4)).map { Float(bitPattern: UInt32(word(data, $0, 4))) }
  }

  static func doubles(_ data: Data) -> [Double] {
    (0..<(data.count / 8)).map { Double(bitPattern: word(data, $0, 8)) }
  }

  static func int32s(_ data: Data) -> [Int32] {
    (0..<(data.count / 4)).map { Int32(bitPattern: UInt32(word(data, $0, 4))) }
  }
}
