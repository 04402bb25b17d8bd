import RL2Envs
import XCTest

/// The PNG writer: signature, chunk CRCs, header fields, and pixels back from the stored blocks.
final class MazePNGTests: XCTestCase {
  func testChecksumsMatchTheirCheckValues() {
    XCTAssertEqual(PNG.crc32(Array("123456789".utf8)), 0xCBF4_3926, "CRC-32 check value")
    XCTAssertEqual(PNG.adler32(Array("Wikipedia".utf8)), 0x11E6_0398, "Adler-32 of 'Wikipedia'")
    XCTAssertEqual(PNG.adler32([]), 1)
  }

  func testEncodedImageDecodesToItsPixels() throws {
    let (width, height) = (200, 120)
    let rgb = (0..<(width * height * 3)).map { UInt8(truncatingIfNeeded: $0 &* 7 ^ ($0 >> 5)) }
    let file = PNG.encode(width: width, height: height, rgb: rgb)
    XCTAssertEqual(Array(file.prefix(8)), PNG.signature)

    var chunks: [(type: String, data: [UInt8])] = []
    var offset = 8
    while offset < file.count {
      let length = Int(bigEndian(file, offset))
      let typeAndData = Array(file[(offset + 4)..<(offset + 8 + length)])
      XCTAssertEqual(
        bigEndian(file, offset + 8 + length), PNG.crc32(typeAndData), "CRC of chunk \(chunks.count)"
      )
      chunks.append(
        (String(decoding: typeAndData.prefix(4), as: UTF8.self), Array(typeAndData.dropFirst(4))))
      offset += 12 + length
    }
    XCTAssertEqual(chunks.map(\.type), ["IHDR", "IDAT", "IEND"])
    let header = chunks[0].data
    XCTAssertEqual(bigEndian(header, 0), UInt32(width))
    XCTAssertEqual(bigEndian(header, 4), UInt32(height))
    XCTAssertEqual(Array(header[8...]), [8, 2, 0, 0, 0], "8-bit RGB, no interlace")

    let scanlines = try inflateStored(chunks[1].data)
    XCTAssertEqual(scanlines.count, height * (1 + width * 3))
    var pixels: [UInt8] = []
    for row in 0..<height {
      let start = row * (1 + width * 3)
      XCTAssertEqual(scanlines[start], 0, "filter type 0 on row \(row)")
      pixels += scanlines[(start + 1)..<(start + 1 + width * 3)]
    }
    XCTAssertEqual(pixels, rgb)
  }

  /// Reads a zlib stream of stored deflate blocks, checking the header, LEN/NLEN and Adler-32.
  func inflateStored(_ stream: [UInt8]) throws -> [UInt8] {
    XCTAssertEqual((Int(stream[0]) << 8 | Int(stream[1])) % 31, 0, "zlib header check bits")
    XCTAssertEqual(stream[0] & 0x0F, 8, "deflate")
    var output: [UInt8] = []
    var offset = 2
    var blocks = 0
    while true {
      let header = stream[offset]
      XCTAssertEqual(header >> 1, 0, "stored block")
      let length = Int(stream[offset + 1]) | Int(stream[offset + 2]) << 8
      let complement = Int(stream[offset + 3]) | Int(stream[offset + 4]) << 8
      XCTAssertEqual(length ^ complement, 0xFFFF, "NLEN is the complement of LEN")
      output += stream[(offset + 5)..<(offset + 5 + length)]
      offset += 5 + length
      blocks += 1
      if header & 1 == 1 { break }
    }
    XCTAssertEqual(blocks, 2, "72 120 bytes need two stored blocks")
    XCTAssertEqual(bigEndian(stream, offset), PNG.adler32(output))
    XCTAssertEqual(offset + 4, stream.count, "nothing after the checksum")
    return output
  }

  func bigEndian(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    (0..<4).reduce(0) { $0 << 8 | UInt32(bytes[offset + $1]) }
  }
}
