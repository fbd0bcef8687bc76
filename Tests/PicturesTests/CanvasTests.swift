import Foundation
import Pictures
import Testing

@Suite struct CanvasTests {
    @Test func horizontalLineIsDrawnWhereAsked() {
        var canvas = Canvas(width: 20, height: 10)
        canvas.line(from: (2, 5), to: (15, 5), .red)
        for x in 0..<20 {
            #expect(canvas[x, 5] == ((2...15).contains(x) ? .red : .white), "x = \(x)")
            #expect(canvas[x, 4] == .white)
        }
    }

    /// A rectangle partly or wholly off the canvas draws what is on it and nothing else
    /// (a chart point below its y range used to trap here).
    @Test func fillOutsideTheCanvasIsLeftOut() {
        var canvas = Canvas(width: 10, height: 10)
        canvas.fill(x: 3, y: 12, width: 5, height: 5, .red)
        canvas.fill(x: -9, y: -9, width: 5, height: 5, .red)
        canvas.fill(x: 12, y: 2, width: 5, height: 5, .red)
        #expect((0..<10).allSatisfy { x in (0..<10).allSatisfy { canvas[x, $0] == .white } })
        canvas.fill(x: 8, y: -2, width: 5, height: 4, .red)
        #expect(canvas[9, 1] == .red && canvas[8, 0] == .red && canvas[7, 1] == .white && canvas[9, 2] == .white)
        // A chart whose values fall below its y range.
        let chart = LineChart(
            title: "t", series: [.init(name: "s", y: [10, 40, 80, 90])], xLabel: "x", yLabel: "y", yRange: 50...100)
        #expect(chart.render().width > 0)
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
        for y in 0..<12 {
            for x in 0..<40 where canvas[x, y] == .black {
                ink += 1
                #expect(x >= 1 && x < 12 && y >= 1 && y < 8)
            }
        }
        #expect(ink > 10)
    }

    @Test func drawingOutsideIsClipped() {
        var canvas = Canvas(width: 4, height: 4)
        canvas.fill(x: -10, y: -10, width: 12, height: 12, .black)
        #expect(canvas[0, 0] == .black && canvas[1, 1] == .black && canvas[2, 2] == .white)
    }
}
