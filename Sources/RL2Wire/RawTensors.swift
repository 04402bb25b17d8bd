import Foundation

/// Raw little-endian encodings of the arrays that travel as `bytes`. On little-endian hosts
/// (every platform Swift runs on today) an array's memory already is its encoding, so both
/// directions are one copy; big-endian hosts swap each element.
enum RawTensors {
  static func encode(_ values: [Float]) -> Data { encodeWords(values.map(\.bitPattern)) }
  static func encode(_ values: [Double]) -> Data { encodeWords(values.map(\.bitPattern)) }
  static func encode(_ values: [Int32]) -> Data { encodeWords(values) }
  static func encode(_ values: [Bool]) -> Data { Data(values.map { $0 ? 1 : 0 }) }

  static func floats(_ data: Data) -> [Float] {
    decodeWords(data, as: UInt32.self).map(Float.init(bitPattern:))
  }

  static func doubles(_ data: Data) -> [Double] {
    decodeWords(data, as: UInt64.self).map(Double.init(bitPattern:))
  }

  static func int32s(_ data: Data) -> [Int32] { decodeWords(data, as: Int32.self) }

  private static func encodeWords<Word: FixedWidthInteger>(_ words: [Word]) -> Data {
    let littleEndian = isLittleEndianHost ? words : words.map(\.littleEndian)
    return littleEndian.withUnsafeBytes { Data($0) }
  }

  /// The whole words of `data`; trailing bytes that do not fill one are ignored (callers
  /// check lengths first).
  private static func decodeWords<Word: FixedWidthInteger>(
    _ data: Data, as: Word.Type
  ) -> [Word] {
    let count = data.count / MemoryLayout<Word>.size
    var words = [Word](repeating: 0, count: count)
    words.withUnsafeMutableBytes { destination in
      data.withUnsafeBytes { source in
        destination.copyMemory(
          from: UnsafeRawBufferPointer(rebasing: source[0..<(count * MemoryLayout<Word>.size)]))
      }
    }
    return isLittleEndianHost ? words : words.map { Word(littleEndian: $0) }
  }

  private static let isLittleEndianHost = 1.littleEndian == 1
}
