/// Vertical bars with a label under each and the value above it: class probabilities,
/// a histogram of pixel values, counts per class.
public struct BarChart {
    public var title: String
    public var values: [Double]
    public var labels: [String]
    public var yLabel: String
    public var xLabel: String?
    /// Bars to draw in the accent colour (for example the predicted class).
    public var highlighted: Set<Int>
    /// How each value is written above its bar; nil writes nothing.
    public var valueText: ((Double) -> String)?
    public var yMax: Double?
    public var height = 400

    public init(
        title: String, values: [Double], labels: [String], yLabel: String, xLabel: String? = nil,
        highlighted: Set<Int> = [], valueText: ((Double) -> String)? = nil, yMax: Double? = nil
    ) {
        require(values.count == labels.count, "\(values.count) bars but \(labels.count) labels")
        self.title = title
        self.values = values
        self.labels = labels
        self.yLabel = yLabel
        self.xLabel = xLabel
        self.highlighted = highlighted
        self.valueText = valueText
        self.yMax = yMax
    }

    public var barWidth: Int { max(3, min(48, 560 / max(values.count, 1) - 4)) }
    public var slot: Int { max(barWidth + 4, (labels.map { Canvas.textWidth($0) }.max() ?? 0) + 6) }
    public var plotArea: (left: Int, top: Int, right: Int, bottom: Int) {
        let left = 70
        let right = left + slot * values.count + 8
        return (left, 48, right, height - (xLabel == nil ? 32 : 48))
    }

    public func render() -> Canvas {
        let (left, top, right, bottom) = plotArea
        let width = max(right + 24, Canvas.titleWidth(title))
        var canvas = Canvas(width: width, height: height)
        canvas.title(title)
        let hi = yMax ?? max(values.max() ?? 1, 1e-12)
        let ticks = Ticks.nice(0, hi, about: 5)
        func py(_ v: Double) -> Int { bottom - Int((v / hi * Double(bottom - top)).rounded()) }
        for v in ticks.values {
            canvas.fill(x: left, y: py(v), width: right - left, height: 1, .lightGrey)
            let label = Ticks.label(v, step: ticks.step)
            canvas.text(label, x: left - Canvas.textWidth(label) - 6, y: py(v) - 3)
        }
        // Only label every k-th bar when there are too many for their labels.
        let every = max(1, (labels.map { Canvas.textWidth($0) }.max() ?? 0) / max(slot - 2, 1) + 1)
        for (i, v) in values.enumerated() {
            let x = left + 4 + i * slot + (slot - barWidth) / 2
            let colour = highlighted.contains(i) ? Colour.series[1] : Colour.series[0]
            let top = py(min(max(v, 0), hi))
            canvas.fill(x: x, y: top, width: barWidth, height: bottom - top, colour)
            if let valueText { canvas.text(valueText(v), centreX: x + barWidth / 2, y: top - 10) }
            if i % every == 0 { canvas.text(labels[i], centreX: x + barWidth / 2, y: bottom + 6) }
        }
        canvas.line(from: (left, top), to: (left, bottom), .darkGrey)
        canvas.line(from: (left, bottom), to: (right, bottom), .darkGrey)
        if let xLabel { canvas.text(xLabel, centreX: (left + right) / 2, y: bottom + 22, colour: .darkGrey) }
        canvas.verticalText(yLabel, x: 8, centreY: (top + bottom) / 2, colour: .darkGrey)
        return canvas
    }
}
