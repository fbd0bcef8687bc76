import Foundation

/// One matrix drawn as coloured cells, with a colour bar that tells what the colours
/// mean. Signed data (weights, gradients) uses the diverging map, centred on zero.
/// With `cellText`, each cell shows its value (a confusion matrix shows its counts).
public struct HeatMap {
    public var title: String
    public var matrix: Matrix
    public var colourMap: ColourMap
    public var scale: ValueScale
    public var cellSize: Int
    public var cellText: ((Float) -> String)?
    public var rowLabels: [String]?
    public var columnLabels: [String]?
    public var xLabel: String?
    public var yLabel: String?

    public init(
        title: String, matrix: Matrix, colourMap: ColourMap = .diverging, scale: ValueScale = .eachSymmetric,
        cellSize: Int? = nil, cellText: ((Float) -> String)? = nil, rowLabels: [String]? = nil,
        columnLabels: [String]? = nil, xLabel: String? = nil, yLabel: String? = nil
    ) {
        self.title = title
        self.matrix = matrix
        self.colourMap = colourMap
        self.scale = scale
        self.cellSize = cellSize ?? max(4, 320 / max(matrix.rows, matrix.columns))
        self.cellText = cellText
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// A confusion matrix: row = true class, column = predicted class, counts in cells.
    public static func confusionMatrix(title: String, counts: [[Int]], classNames: [String]) -> HeatMap {
        let n = counts.count
        let values = counts.flatMap { $0.map(Float.init) }
        return HeatMap(
            title: title, matrix: Matrix(rows: n, columns: n, values: values), colourMap: .blues,
            scale: .fixed(0, values.max() ?? 1), cellSize: 44, cellText: { String(Int($0)) },
            rowLabels: classNames, columnLabels: classNames, xLabel: "predicted", yLabel: "true")
    }

    /// Where the cells start (for tests and for the renderer).
    public var cellOrigin: (x: Int, y: Int) {
        let rowLabelWidth = (rowLabels ?? []).map { Canvas.textWidth($0) }.max().map { $0 + 8 } ?? 0
        return (20 + (yLabel == nil ? 0 : 14) + rowLabelWidth, 44 + (columnLabels == nil ? 0 : staggered ? 26 : 14))
    }

    /// Column labels wider than a cell go on two alternating rows, so neighbours never overlap.
    var staggered: Bool {
        ((columnLabels ?? []).map { Canvas.textWidth($0) }.max() ?? 0) > cellSize - 2
    }

    public func render() -> Canvas {
        let range = scale.range(of: 0, in: [matrix])
        let (x0, y0) = cellOrigin
        let gridW = matrix.columns * cellSize
        let gridH = matrix.rows * cellSize
        let barX = x0 + gridW + 20
        let barW = 16
        let tickLabels = Ticks.nice(Double(range.0), Double(range.1), about: 4)
        let labelW = tickLabels.values.map { Canvas.textWidth(Ticks.label($0, step: tickLabels.step)) }.max() ?? 0
        let width = max(barX + barW + 8 + labelW + 16, Canvas.titleWidth(title))
        let height = y0 + gridH + (xLabel == nil ? 16 : 34)
        var canvas = Canvas(width: width, height: height)
        canvas.title(title)

        for r in 0..<matrix.rows {
            for c in 0..<matrix.columns {
                let colour = colourMap.colour(normalise(matrix[r, c], range))
                let x = x0 + c * cellSize
                let y = y0 + r * cellSize
                canvas.fill(x: x, y: y, width: cellSize, height: cellSize, colour)
                if let cellText {
                    let text = cellText(matrix[r, c])
                    canvas.text(
                        text, centreX: x + cellSize / 2, y: y + cellSize / 2 - 3,
                        colour: ColourMap.needsLightText(colour) ? .white : .black)
                }
            }
        }
        canvas.rectangle(x: x0 - 1, y: y0 - 1, width: gridW + 2, height: gridH + 2, .darkGrey)
        if let rowLabels {
            for (r, label) in rowLabels.enumerated() where r < matrix.rows {
                canvas.text(label, x: x0 - Canvas.textWidth(label) - 6, y: y0 + r * cellSize + cellSize / 2 - 3)
            }
        }
        if let columnLabels {
            for (c, label) in columnLabels.enumerated() where c < matrix.columns {
                canvas.text(
                    label, centreX: x0 + c * cellSize + cellSize / 2, y: y0 - 12 - (staggered && c % 2 == 1 ? 12 : 0))
            }
        }
        if let xLabel { canvas.text(xLabel, centreX: x0 + gridW / 2, y: y0 + gridH + 12, colour: .darkGrey) }
        if let yLabel { canvas.verticalText(yLabel, x: 8, centreY: y0 + gridH / 2, colour: .darkGrey) }

        // The colour bar: high values at the top, ticks on its right.
        for y in 0..<gridH {
            let t = 1 - Float(y) / Float(max(gridH - 1, 1))
            canvas.fill(x: barX, y: y0 + y, width: barW, height: 1, colourMap.colour(t))
        }
        canvas.rectangle(x: barX - 1, y: y0 - 1, width: barW + 2, height: gridH + 2, .darkGrey)
        for v in tickLabels.values {
            let t = normalise(Float(v), range)
            let y = y0 + Int((1 - t) * Float(gridH - 1))
            canvas.fill(x: barX + barW, y: y, width: 4, height: 1, .darkGrey)
            canvas.text(Ticks.label(v, step: tickLabels.step), x: barX + barW + 7, y: y - 3)
        }
        return canvas
    }
}
