import Foundation
import Pictures
import Testing

func temporaryPath(_ name: String) -> String {
    let dir = NSTemporaryDirectory() + "pictures-tests-\(UUID().uuidString)"
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

@Suite struct CanvasTests {
    @Test func horizontalLineIsDrawnWhereAsked() {
        var canvas = Canvas(width: 20, height: 10)
        canvas.line(from: (2, 5), to: (15, 5), .red)
        for x in 0..<20 {
            #expect(canvas[x, 5] == ((2...15).contains(x) ? .red : .white), "x = \(x)")
            #expect(canvas[x, 4] == .white)
        }
    }

    @Test func diagonalLineHitsBothEnds() {
        var canvas = Canvas(width: 10, height: 10)
        canvas.line(from: (0, 0), to: (9, 9), .black)
        for i in 0..<10 { #expect(canvas[i, i] == .black) }
        #expect(canvas[9, 0] == .white)
    }

    @Test func textPutsInkInsideItsBox() {
        var canvas = Canvas(width: 40, height: 12)
        canvas.text("Hi", x: 1, y: 1)
        var ink = 0
        for y in 0..<12 { for x in 0..<40 where canvas[x, y] == .black { ink += 1; #expect(x >= 1 && x < 12 && y >= 1 && y < 8) } }
        #expect(ink > 10)
    }

    @Test func drawingOutsideIsClipped() {
        var canvas = Canvas(width: 4, height: 4)
        canvas.fill(x: -10, y: -10, width: 12, height: 12, .black)
        #expect(canvas[0, 0] == .black && canvas[1, 1] == .black && canvas[2, 2] == .white)
    }
}

@Suite struct FigureTests {
    /// Cell 7 of a 5-column grid is drawn at row 1, column 2 of the layout, enlarged.
    @Test func gridCellIsWhereTheLayoutSays() {
        var maps = (0..<10).map { _ in Matrix(rows: 3, columns: 3, values: [Float](repeating: 0, count: 9)) }
        maps[7] = Matrix(rows: 3, columns: 3, values: [Float](repeating: 1, count: 9))
        let grid = ImageGrid(title: "t", maps: maps, columns: 5, scale: .fixed(0, 1), pixelSize: 4)
        let canvas = grid.render()
        let layout = grid.layout
        let (x, y) = layout.origin(of: 7, columns: 5)
        #expect(canvas[x, y] == .white)                 // map 7 is all ones → white
        #expect(canvas[x + 11, y + 11] == .white)
        let (x6, y6) = layout.origin(of: 6, columns: 5)
        #expect(canvas[x6 + 5, y6 + 5] == .black)        // its neighbour is zeros → black
        #expect(y == y6 && x > x6)
        #expect(canvas.width == layout.width && canvas.height == layout.height)
    }

    @Test func gridEnlargesWithNearestNeighbour() {
        let map = Matrix(rows: 2, columns: 2, values: [0, 1, 1, 0])
        let grid = ImageGrid(title: "", maps: [map], columns: 1, scale: .fixed(0, 1), pixelSize: 5)
        let canvas = grid.render()
        let (x, y) = grid.layout.origin(of: 0, columns: 1)
        #expect(canvas[x + 4, y + 4] == .black && canvas[x + 5, y + 4] == .white && canvas[x + 9, y + 9] == .black)
    }

    @Test func lineChartDrawsSeriesColourInsideThePlot() {
        let chart = LineChart(title: "loss", series: [.init(name: "a", x: [0, 10], y: [0, 0], colour: .red)],
                              xLabel: "step", yLabel: "loss", yRange: -1...1)
        let canvas = chart.render()
        let (left, top, right, bottom) = chart.plotArea
        let middle = (top + bottom) / 2
        // A flat series at y = 0 on a −1…1 axis runs through the vertical middle.
        let hits = (left + 5..<right - 200).filter { x in (middle - 1...middle + 1).contains { canvas[x, $0] == .red } }
        #expect(hits.count == right - 200 - left - 5)
        #expect(!(top..<(middle - 3)).contains { canvas[left + 50, $0] == .red })
    }

    @Test func barHeightsFollowValues() {
        let chart = BarChart(title: "p", values: [1, 0.5], labels: ["a", "b"], yLabel: "y", yMax: 1)
        let canvas = chart.render()
        let (left, top, _, bottom) = chart.plotArea
        let columnOf = { (i: Int) in left + 4 + i * chart.slot + chart.slot / 2 }
        let filled = { (i: Int) in (top..<bottom).filter { canvas[columnOf(i), $0] == Colour.series[0] }.count }
        let full = filled(0), half = filled(1)
        #expect(abs(full - (bottom - top)) <= 1)
        #expect(abs(half - (bottom - top) / 2) <= 1)
    }

    @Test func confusionMatrixColoursByCount() {
        let plot = HeatMap.confusionMatrix(title: "c", counts: [[9, 1], [0, 5]], classNames: ["0", "1"])
        let canvas = plot.render()
        let (x0, y0) = plot.cellOrigin
        let darkest = canvas[x0 + 2, y0 + 2], palest = canvas[x0 + plot.cellSize + 2, y0 + plot.cellSize * 1 - 40]
        #expect(Int(darkest.r) < 60)          // 9 of 9: the darkest blue
        #expect(palest.r > 200)               // 1 of 9: almost white
    }

    @Test func divergingMapIsWhiteAtZero() {
        let heat = HeatMap(title: "w", matrix: Matrix(rows: 1, columns: 3, values: [-2, 0, 2]), cellSize: 10)
        let canvas = heat.render()
        let (x0, y0) = heat.cellOrigin
        #expect(canvas[x0 + 15, y0 + 5] == .white)
        #expect(canvas[x0 + 5, y0 + 5].b > canvas[x0 + 5, y0 + 5].r)    // negative: blue
        #expect(canvas[x0 + 25, y0 + 5].r > canvas[x0 + 25, y0 + 5].b)  // positive: red
    }
}
