import Foundation
import Pictures
import Testing

@Suite struct FigureTests {
    /// Cell 7 of a 5-column grid is drawn at row 1, column 2 of the layout, enlarged.
    @Test func gridCellIsWhereTheLayoutSays() {
        var maps = (0..<10).map { _ in Matrix(rows: 3, columns: 3, values: [Float](repeating: 0, count: 9)) }
        maps[7] = Matrix(rows: 3, columns: 3, values: [Float](repeating: 1, count: 9))
        let grid = ImageGrid(title: "t", maps: maps, columns: 5, scale: .fixed(0, 1), pixelSize: 4)
        let canvas = grid.render()
        let layout = grid.layout
        let (x, y) = layout.origin(of: 7, columns: 5)
        #expect(canvas[x, y] == .white)  // map 7 is all ones → white
        #expect(canvas[x + 11, y + 11] == .white)
        let (x6, y6) = layout.origin(of: 6, columns: 5)
        #expect(canvas[x6 + 5, y6 + 5] == .black)  // its neighbour is zeros → black
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
        let chart = LineChart(
            title: "loss", series: [.init(name: "a", x: [0, 10], y: [0, 0], colour: .red)],
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
        let full = filled(0)
        let half = filled(1)
        #expect(abs(full - (bottom - top)) <= 1)
        #expect(abs(half - (bottom - top) / 2) <= 1)
    }

    @Test func confusionMatrixColoursByCount() {
        let plot = HeatMap.confusionMatrix(title: "c", counts: [[9, 1], [0, 5]], classNames: ["0", "1"])
        let canvas = plot.render()
        let (x0, y0) = plot.cellOrigin
        let darkest = canvas[x0 + 2, y0 + 2]
        let palest = canvas[x0 + plot.cellSize + 2, y0 + plot.cellSize * 1 - 40]
        #expect(Int(darkest.r) < 60)  // 9 of 9: the darkest blue
        #expect(palest.r > 200)  // 1 of 9: almost white
    }

    @Test func divergingMapIsWhiteAtZero() {
        let heat = HeatMap(title: "w", matrix: Matrix(rows: 1, columns: 3, values: [-2, 0, 2]), cellSize: 10)
        let canvas = heat.render()
        let (x0, y0) = heat.cellOrigin
        #expect(canvas[x0 + 15, y0 + 5] == .white)
        #expect(canvas[x0 + 5, y0 + 5].b > canvas[x0 + 5, y0 + 5].r)  // negative: blue
        #expect(canvas[x0 + 25, y0 + 5].r > canvas[x0 + 25, y0 + 5].b)  // positive: red
    }

    /// A colour bar is drawn for a scale common to every map, with its top colour the map's
    /// highest; with each map on its own scale there is nothing one bar could say.
    @Test func imageGridColourBarOnlyForACommonScale() {
        let maps = [
            Matrix(rows: 2, columns: 2, values: [0, 1, 2, 3]), Matrix(rows: 2, columns: 2, values: [3, 2, 1, 0]),
        ]
        var shared = ImageGrid(title: "t", maps: maps, columns: 2, scale: .fixed(0, 3), colourMap: .grey, pixelSize: 10)
        let plain = shared.render()
        shared.colourBar = true
        let withBar = shared.render()
        #expect(withBar.width > plain.width)
        let l = shared.layout
        let barX = l.left + 2 * (l.cellWidth + l.gap) + 8
        #expect(withBar[barX + 5, l.top] == ColourMap.grey.colour(1))  // white (3) at the top
        #expect(withBar[barX + 5, l.top + l.cellHeight - 1] == ColourMap.grey.colour(0))  // black (0) at the bottom
        var own = ImageGrid(title: "t", maps: maps, columns: 2, scale: .eachOwn, colourMap: .grey, pixelSize: 10)
        own.colourBar = true
        #expect(own.render().width == plain.width)
    }
}
