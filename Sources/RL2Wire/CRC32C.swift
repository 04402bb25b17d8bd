import Foundation

/// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), the checksum of weights
/// on the wire; CRC32C("123456789") = 0xE3069283.
///
/// Slicing-by-8: eight tables let the loop consume eight bytes per step (table k maps a byte
/// to its CRC contribution k positions ahead), several times faster than the bytewise loop.
public enum CRC32C {
  /// The eight tables, one after the other.
  static let table: [UInt32] = {
    var tables = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
    for byte in 0..<256 {
      var crc = UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
      tables[0][byte] = crc
    }
    for k in 1..<8 {
      for byte in 0..<256 {
        let previous = tables[k - 1][byte]
        tables[k][byte] = (previous >> 8) ^ tables[0][Int(previous & 0xFF)]
      }
    }
    return tables.flatMap { $0 }
  }()

  public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32
  where Bytes.Element == UInt8 {
    let contiguous = Array(bytes)
    return contiguous.withUnsafeBytes { checksum(buffer: $0) }
  }

  public static func checksum(_ data: Data) -> UInt32 {
    data.withUnsafeBytes { checksum(buffer: $0) }
  }

  static func checksum(buffer: UnsafeRawBufferPointer) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    table.withUnsafeBufferPointer { t in
      var i = 0
      let count = buffer.count
      while i + 8 <= count {
        let low = UInt32(littleEndianBytes: buffer, at: i) ^ crc
        let high = UInt32(littleEndianBytes: buffer, at: i + 4)
        crc =
          t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
          ^ t[5 * 256 + Int((low >> 16) & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
          ^ t[3 * 256 + Int(high & 0xFF)] ^ t[2 * 256 + Int((high >> 8) & 0xFF)]
          ^ t[1 * 256 + Int((high >> 16) & 0xFF)] ^ t[Int(high >> 24)]
        i += 8
      }
      while i < count {
        crc = t[Int((crc ^ UInt32(buffer[i])) & 0xFF)] ^ (crc >> 8)
        i += 1
      }
    }
    return crc ^ 0xFFFF_FFFF
  }
}

extension UInt32 {
  fileprivate init(littleEndianBytes buffer: UnsafeRawBufferPointer, at offset: Int) {
    self = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
  }
}
