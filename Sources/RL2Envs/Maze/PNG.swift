/// A minimal PNG writer (ISO/IEC 15948): 8-bit RGB, no interlacing, filter 0 on every scanline,
/// and the zlib stream (RFC 1950) made of stored deflate blocks (RFC 1951 §3.2.4), so nothing is
/// compressed and nothing outside the standard library is needed.
///
///     let bytes = PNG.encode(width: 2, height: 1, rgb: [255, 0, 0, 0, 0, 255])
///     try Data(bytes).write(to: URL(fileURLWithPath: "red-blue.png"))
///
/// File layout: the 8-byte signature, then chunks of (length, type, data, CRC-32 of type + data):
/// IHDR (width, height, bit depth 8, colour type 2, compression 0, filter 0, interlace 0), one
/// IDAT holding the zlib stream, and an empty IEND.
public enum PNG {
  public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
  /// The largest payload of one stored deflate block.
  public static let maximumStoredBlock = 65_535

  /// The PNG file of a width × height image; `rgb` holds 3 bytes per pixel, row by row from the
  /// top.
  public static func encode(width: Int, height: Int, rgb: [UInt8]) -> [UInt8] {
    precondition(width >= 1 && height >= 1, "a PNG needs at least 1×1 pixels")
    precondition(
      rgb.count == width * height * 3,
      "rgb has \(rgb.count) bytes, expected width·height·3 = \(width * height * 3)")
    var scanlines: [UInt8] = []
    scanlines.reserveCapacity(height * (1 + width * 3))
    for row in 0..<height {
      scanlines.append(0)
      scanlines += rgb[(row * width * 3)..<((row + 1) * width * 3)]
    }
    var header: [UInt8] = []
    header += bigEndian(UInt32(width))
    header += bigEndian(UInt32(height))
    header += [8, 2, 0, 0, 0]
    return signature + chunk("IHDR", header) + chunk("IDAT", zlibStored(scanlines))
      + chunk("IEND", [])
  }

  /// A zlib stream of stored blocks: header 0x78 0x01 (deflate, 32 KiB window, no dictionary,
  /// check bits making it a multiple of 31), blocks of ≤ 65 535 bytes each headed by BFINAL/BTYPE
  /// = 00, LEN and its complement NLEN (little-endian), then the Adler-32 of the data big-endian.
  public static func zlibStored(_ data: [UInt8]) -> [UInt8] {
    var stream: [UInt8] = [0x78, 0x01]
    stream.reserveCapacity(data.count + 2 + 5 * (data.count / maximumStoredBlock + 1) + 4)
    var start = 0
    repeat {
      let end = min(start + maximumStoredBlock, data.count)
      let length = UInt16(end - start)
      stream.append(end == data.count ? 1 : 0)
      stream += [
        UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8),
      ]
      stream += data[start..<end]
      start = end
    } while start < data.count
    return stream + bigEndian(adler32(data))
  }

  /// Adler-32 (RFC 1950 §8.2): A = 1 + Σ bytes, B = Σ A after each byte, both mod 65 521;
  /// the checksum is B·2¹⁶ + A. Sums are reduced every 5552 bytes, the longest run that cannot
  /// overflow 32 bits.
  public static func adler32(_ data: [UInt8]) -> UInt32 {
    var (a, b): (UInt32, UInt32) = (1, 0)
    var start = 0
    while start < data.count {
      let end = min(start + 5552, data.count)
      for byte in data[start..<end] {
        a += UInt32(byte)
        b += a
      }
      (a, b) = (a % 65_521, b % 65_521)
      start = end
    }
    return b << 16 | a
  }

  /// CRC-32 with PNG's (and zlib's) reflected polynomial 0xEDB88320, initial value and final
  /// xor 0xFFFFFFFF (ISO/IEC 15948 annex D), one table lookup per byte.
  public static func crc32<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
    }
    return crc ^ 0xFFFF_FFFF
  }

  private static let crcTable: [UInt32] = (0..<256).map { (index: UInt32) in
    var value = index
    for _ in 0..<8 {
      value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
    }
    return value
  }

  private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let typeBytes = Array(type.utf8)
    return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(crc32(typeBytes + data))
  }

  private static func bigEndian(_ value: UInt32) -> [UInt8] {
    [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
  }
}
