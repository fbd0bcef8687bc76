import Foundation

/// Curves on shared axes: loss or accuracy against steps or epochs, several runs
/// compared on one plot, with ticks, axis labels and a legend.
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var x: [Double]
        public var y: [Double]
        public var colour: Colour?
        public var dashed: Bool
        public init(name: String, x: [Double], y: [Double], colour: Colour? = nil, dashed: Bool = false) {
            require(x.count == y.count, "series \(name): \(x.count) x values but \(y.count) y values")
            self.name = name
            self.x = x
            self.y = y
            self.colour = colour
            self.dashed = dashed
        }
        /// y against 1, 2, 3, …
        public init(name: String, y: [Double], colour: Colour? = nil, dashed: Bool = false) {
            self.init(name: name, x: (0..<y.count).map { Double($0 + 1) }, y: y, colour: colour, dashed: dashed)
        }
    }

    public var title: String
    public var series: [Series]
    public var xLabel: String
    public var yLabel: String
    public var yRange: ClosedRange<Double>?
    public var width = 640
    public var height = 420
    /// A logarithmic y axis (labelled at powers of ten), for a loss that falls by orders
    /// of magnitude; values that are not positive are left out.
    public var logarithmicY = false
    /// About how many labelled lines the y axis gets.
    public var yTickCount = 5

    public init(title: String, series: [Series], xLabel: String, yLabel: String, yRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.series = series
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yRange = yRange
    }

    /// The plotting area inside the axes.
    public var plotArea: (left: Int, top: Int, right: Int, bottom: Int) {
        (70, 44, max(width, Canvas.titleWidth(title)) - 24, height - 48)
    }

    public func render() -> Canvas {
        // On a logarithmic axis the curves are drawn in log10(y), and labelled in y.
        let series =
            logarithmicY
            ? self.series.map { s -> Series in
                var logged = s
                logged.y = s.y.map { $0 > 0 ? log10($0) : .nan }
                return logged
            } : self.series
        let yRange =
            logarithmicY
            ? self.yRange.map { log10(Swift.max($0.lowerBound, 1e-300))...log10(Swift.max($0.upperBound, 1e-300)) }
            : self.yRange
        let finite = series.flatMap { zip($0.x, $0.y).filter { $0.0.isFinite && $0.1.isFinite } }
        let xs = finite.map(\.0)
        let ys = finite.map(\.1)
        var xLo = xs.min() ?? 0
        var xHi = xs.max() ?? 1
        var yLo = yRange?.lowerBound ?? (ys.min() ?? 0)
        var yHi = yRange?.upperBound ?? (ys.max() ?? 1)
        if xHi <= xLo {
            xLo -= 0.5
            xHi += 0.5
        }
        if yHi <= yLo {
            yLo -= 0.5
            yHi += 0.5
        }
        if yRange == nil {
            let pad = (yHi - yLo) * 0.05
            yLo -= pad
            yHi += pad
        }

        var canvas = Canvas(width: max(width, Canvas.titleWidth(title)), height: height)
        canvas.title(title)
        let (left, top, right, bottom) = plotArea
        func px(_ x: Double) -> Int { left + Int(((x - xLo) / (xHi - xLo) * Double(right - left)).rounded()) }
        func py(_ y: Double) -> Int { bottom - Int(((y - yLo) / (yHi - yLo) * Double(bottom - top)).rounded()) }

        // Grid lines and ticks.
        var xt = Ticks.nice(xLo, xHi, about: 6)
        var yt = Ticks.nice(yLo, yHi, about: yTickCount)
        if logarithmicY {
            // Whole powers of ten, every one or every few, as the range allows.
            let decades = Array(Int(yLo.rounded(.up))...Swift.max(Int(yLo.rounded(.up)), Int(yHi.rounded(.down))))
            let every = Swift.max(1, decades.count / yTickCount + (decades.count % yTickCount == 0 ? 0 : 1))
            yt = (decades.filter { ($0 - decades[0]) % every == 0 }.map(Double.init), 1)
        }
        // Whole-number x values (epochs, steps) get whole-number ticks only.
        if xt.step < 1 && xs.allSatisfy({ $0 == $0.rounded() }) {
            xt = (Array(stride(from: xLo.rounded(.up), through: xHi, by: 1)), 1)
        }
        for v in xt.values {
            canvas.fill(x: px(v), y: top, width: 1, height: bottom - top, .lightGrey)
            canvas.text(Ticks.label(v, step: xt.step), centreX: px(v), y: bottom + 6)
        }
        for v in yt.values {
            canvas.fill(x: left, y: py(v), width: right - left, height: 1, .lightGrey)
            let label = logarithmicY ? (v == 0 ? "1" : "1e\(Int(v))") : Ticks.label(v, step: yt.step)
            canvas.text(label, x: left - Canvas.textWidth(label) - 6, y: py(v) - 3)
        }
        canvas.line(from: (left, top), to: (left, bottom), .darkGrey)
        canvas.line(from: (left, bottom), to: (right, bottom), .darkGrey)
        canvas.text(xLabel, centreX: (left + right) / 2, y: bottom + 22, colour: .darkGrey)
        canvas.verticalText(yLabel, x: 8, centreY: (top + bottom) / 2, colour: .darkGrey)

        // The curves, clipped to the plotting area.
        var clipped = Canvas(width: right - left + 1, height: bottom - top + 1)
        for (i, s) in series.enumerated() {
            let colour = s.colour ?? Colour.series[i % Colour.series.count]
            var previous: (Int, Int)? = nil
            var travelled = 0
            for (x, y) in zip(s.x, s.y) {
                guard x.isFinite, y.isFinite else {
                    previous = nil
                    continue
                }
                let point = (px(x) - left, py(y) - top)
                if let p = previous {
                    if s.dashed {
                        // Cut the segment into 4-pixel pieces and draw every other 8 pixels.
                        let length = max(abs(point.0 - p.0), abs(point.1 - p.1))
                        let pieces = max(1, length / 4)
                        for k in 0..<pieces where ((travelled + k * 4) / 8) % 2 == 0 {
                            func at(_ t: Int) -> (Int, Int) {
                                (p.0 + (point.0 - p.0) * t / pieces, p.1 + (point.1 - p.1) * t / pieces)
                            }
                            clipped.line(from: at(k), to: at(k + 1), colour, thickness: 2)
                        }
                        travelled += length
                    } else {
                        clipped.line(from: p, to: point, colour, thickness: 2)
                    }
                }
                // Few points (one per epoch, say): mark each one.
                if s.x.count <= 30 { clipped.fill(x: point.0 - 2, y: point.1 - 2, width: 5, height: 5, colour) }
                previous = point
            }
        }
        // Paste only the drawn (non-white) pixels, so the grid stays visible.
        for y in 0..<clipped.height {
            for x in 0..<clipped.width where clipped[x, y] != .white { canvas.set(left + x, top + y, clipped[x, y]) }
        }

        // Legend in the top-right corner of the plot.
        if series.count > 1 || !(series.first?.name.isEmpty ?? true) {
            let textW = series.map { Canvas.textWidth($0.name) }.max() ?? 0
            let boxW = textW + 36
            let boxH = series.count * 14 + 8
            // The corner of the plot where the curves leave the most room: right first.
            func inkedAt(_ x0: Int, _ y0: Int) -> Int {
                var n = 0
                for y in Swift.max(0, y0 - top)..<Swift.min(clipped.height, y0 - top + boxH) {
                    for x in Swift.max(0, x0 - left)..<Swift.min(clipped.width, x0 - left + boxW)
                    where clipped[x, y] != .white { n += 1 }
                }
                return n
            }
            let corners = [
                (right - boxW - 6, top + 6), (right - boxW - 6, bottom - boxH - 6),
                (left + 6, top + 6), (left + 6, bottom - boxH - 6),
            ]
            let (bx, by) = corners.min { inkedAt($0.0, $0.1) < inkedAt($1.0, $1.1) } ?? corners[0]
            canvas.fill(x: bx, y: by, width: boxW, height: boxH, .white)
            canvas.rectangle(x: bx, y: by, width: boxW, height: boxH, .midGrey)
            for (i, s) in series.enumerated() {
                let colour = s.colour ?? Colour.series[i % Colour.series.count]
                let y = by + 8 + i * 14
                if s.dashed {
                    for k in 0..<3 { canvas.fill(x: bx + 6 + 7 * k, y: y + 2, width: 4, height: 3, colour) }
                } else {
                    canvas.fill(x: bx + 6, y: y + 2, width: 18, height: 3, colour)
                }
                canvas.text(s.name, x: bx + 30, y: y)
            }
        }
        return canvas
    }
}
