import Testing

@testable import Pictures

/// Preparing a drawn digit the way MNIST's were.
@Suite struct MNISTStyleTests {
    /// A `width`×`height` sheet of `paper` with a `boxW`×`boxH` block of `ink` at (x, y).
    func sheet(_ width: Int, _ height: Int, paper: UInt8, ink: UInt8, x: Int, y: Int, boxW: Int, boxH: Int)
        -> DecodedImage
    {
        var samples = [UInt8](repeating: paper, count: width * height)
        for r in y..<(y + boxH) { for c in x..<(x + boxW) { samples[r * width + c] = ink } }
        return DecodedImage(width: width, height: height, channels: 1, samples: samples)
    }

    func box(_ pixels: [Float]) -> (left: Int, right: Int, top: Int, bottom: Int) {
        var (l, r, t, b) = (28, -1, 28, -1)
        for i in 0..<784 where pixels[i] > 0.5 {
            l = min(l, i % 28)
            r = max(r, i % 28)
            t = min(t, i / 28)
            b = max(b, i / 28)
        }
        return (l, r, t, b)
    }

    func centreOfMass(_ pixels: [Float]) -> (x: Float, y: Float) {
        var m: Float = 0
        var x: Float = 0
        var y: Float = 0
        for i in 0..<784 {
            m += pixels[i]
            x += pixels[i] * (Float(i % 28) + 0.5)
            y += pixels[i] * (Float(i / 28) + 0.5)
        }
        return (x / m, y / m)
    }

    /// A dark 40×80 bar in the corner of a big light sheet: light on dark, 10×20, centred.
    @Test func darkInkInACornerBecomesACentredLightDigit() throws {
        let pixels = try MNISTStyle.prepare(
            sheet(400, 300, paper: 240, ink: 10, x: 20, y: 30, boxW: 40, boxH: 80), path: "bar.png")
        #expect(pixels.count == 784)
        #expect(pixels.max()! > 0.99)
        #expect(pixels[0] == 0)  // the paper is black
        let b = box(pixels)
        #expect(b.bottom - b.top + 1 == 20, "the long side fills 20 pixels: \(b)")
        #expect(b.right - b.left + 1 == 10, "proportions kept: \(b)")
        let c = centreOfMass(pixels)
        #expect(abs(c.x - 14) <= 0.5 && abs(c.y - 14) <= 0.5, "centre of mass \(c)")
    }

    @Test func lightInkOnDarkPaperIsNotInverted() throws {
        let dark = try MNISTStyle.prepare(
            sheet(100, 100, paper: 240, ink: 10, x: 40, y: 10, boxW: 20, boxH: 60), path: "a.png")
        let light = try MNISTStyle.prepare(
            sheet(100, 100, paper: 10, ink: 240, x: 40, y: 10, boxW: 20, boxH: 60), path: "b.png")
        for i in 0..<784 { #expect(abs(dark[i] - light[i]) < 1e-5) }
    }

    @Test func thinStrokesTurnGrey() throws {
        // A 1-pixel line, 100 long: scaled by 1/5, it averages to about 1/5 in grey.
        let pixels = try MNISTStyle.prepare(
            sheet(200, 200, paper: 255, ink: 0, x: 100, y: 50, boxW: 1, boxH: 100), path: "line.png")
        let inked = pixels.filter { $0 > 0 }
        #expect(!inked.isEmpty)
        #expect(inked.max()! <= 1)
    }

    @Test func blankImagesAreRefusedByName() {
        #expect(throws: MNISTStyle.Problem.blank(path: "empty.png")) {
            try MNISTStyle.prepare(
                DecodedImage(width: 50, height: 40, channels: 1, samples: [UInt8](repeating: 200, count: 2000)),
                path: "empty.png")
        }
        #expect(throws: MNISTStyle.Problem.self) {
            try MNISTStyle.prepare(DecodedImage(width: 1, height: 1, channels: 1, samples: [0]), path: "dot.png")
        }
    }
}
