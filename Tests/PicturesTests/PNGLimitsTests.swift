import Testing

@testable import Pictures

@Suite struct PNGLimitsTests {
    /// CRC-32 as PNG chunks use it.
    func crc(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }

    func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc(body))
    }

    /// A valid header announcing a 9000×20000 grey image: refused from the header, before
    /// the 180 MB it would take are allocated.
    @Test func hugeDimensionsAreRefusedFromTheHeader() {
        let ihdr = bigEndian(9000) + bigEndian(20000) + [8, 0, 0, 0, 0]
        let bytes: [UInt8] =
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr)
            + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) + chunk("IEND", [])
        #expect(throws: PictureError.tooLarge(path: "huge.png", width: 9000, height: 20000)) {
            _ = try PNG.decode(bytes, path: "huge.png")
        }
    }
}
