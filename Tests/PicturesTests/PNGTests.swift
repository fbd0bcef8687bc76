import Foundation
import Pictures
import Testing

func temporaryPath(_ name: String) -> String {
    let dir = testScratch + "/pictures-tests-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir + "/" + name
}

@Suite struct PNGTests {
    @Test func greyRoundTrip() throws {
        let path = temporaryPath("grey.png")
        let samples = (0..<(7 * 5)).map { UInt8($0 * 7) }
        try PNG.write(width: 7, height: 5, channels: 1, samples: samples, to: path)
        let back = try PNG.read(path: path)
        #expect(back == DecodedImage(width: 7, height: 5, channels: 1, samples: samples))
    }

    @Test func rgbRoundTrip() throws {
        var canvas = Canvas(width: 9, height: 4)
        canvas.set(2, 1, Colour(10, 200, 30))
        canvas.set(8, 3, Colour(255, 0, 128))
        let path = temporaryPath("rgb.png")
        try canvas.write(to: path)
        let back = try PNG.read(path: path)
        #expect(back.width == 9 && back.height == 4 && back.channels == 3)
        #expect(back.samples == canvas.pixels)
        // The file is a real PNG: it starts with the signature.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes[0..<4]) == [0x89, 0x50, 0x4E, 0x47])
    }

    @Test func notAPNG() throws {
        let path = temporaryPath("fake.png")
        try Data("this is text".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: PictureError.notPNG(path: path, reason: "it does not start with the PNG signature")) {
            try PNG.read(path: path)
        }
        // The signature, then garbage: libpng's own message comes through.
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5]).write(to: URL(fileURLWithPath: path))
        #expect(throws: PictureError.self) { try PNG.read(path: path) }
    }

    @Test func missingFileAndDirectory() {
        let path = temporaryPath("none.png")
        #expect(throws: PictureError.missingFile(path: path)) { try PNG.read(path: path) }
        let dir = NSTemporaryDirectory()
        #expect(throws: PictureError.notAFile(path: dir)) { try PNG.read(path: dir) }
    }

    @Test func unwritablePlaceGivesAnError() {
        let path = "/proc/definitely/not/writable.png"
        #expect(throws: PictureError.self) { try Canvas(width: 2, height: 2).write(to: path) }
    }

    @Test func greyLevelsOfColour() {
        let image = DecodedImage(width: 2, height: 1, channels: 3, samples: [255, 255, 255, 0, 0, 0])
        #expect(image.greyLevels == [255, 0])
    }
}
