import Foundation

/// A rows×columns grid of numbers to draw: an image, a feature map, a filter.
/// Pictures does not depend on the ConvNet core; LessonKit turns tensors into these.
public struct Matrix: Sendable {
    public let rows: Int
    public let columns: Int
    public let values: [Float]  // row-major

    public init(rows: Int, columns: Int, values: [Float]) {
        require(values.count == rows * columns, "\(values.count) values do not fill \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public subscript(row: Int, column: Int) -> Float { values[row * columns + column] }

    public var range: (min: Float, max: Float) {
        (values.min() ?? 0, values.max() ?? 0)
    }
}

/// How the values of one or more maps are turned into [0, 1] for a colour map.
public enum ValueScale: Sendable {
    /// Each map stretched from its own minimum to its own maximum.
    case eachOwn
    /// Every map on the same scale, from the smallest to the largest value of all.
    case shared
    /// Each map symmetric about zero, [−m, m] with m its largest |value| (for weights).
    case eachSymmetric
    /// All maps symmetric about zero on one shared m.
    case sharedSymmetric
    /// A fixed range, for example 0...1 for pixels.
    case fixed(Float, Float)

    /// The (low, high) range of map `index` of `maps`.
    func range(of index: Int, in maps: [Matrix]) -> (Float, Float) {
        func symmetric(_ m: [Matrix]) -> (Float, Float) {
            let a = m.map { $0.values.map(abs).max() ?? 0 }.max() ?? 0
            return (-a, a)
        }
        switch self {
        case .eachOwn: return maps[index].range
        case .shared:
            return (maps.map { $0.range.min }.min() ?? 0, maps.map { $0.range.max }.max() ?? 0)
        case .eachSymmetric: return symmetric([maps[index]])
        case .sharedSymmetric: return symmetric(maps)
        case .fixed(let lo, let hi): return (lo, hi)
        }
    }
}

/// Maps value v of range (lo, hi) to [0, 1]; a flat range maps to the middle.
@inline(__always)
func normalise(_ v: Float, _ range: (Float, Float)) -> Float {
    let (lo, hi) = range
    return hi > lo ? (v - lo) / (hi - lo) : 0.5
}

/// Axis ticks at "nice" steps (1, 2 or 5 times a power of ten) covering lo...hi.
enum Ticks {
    static func nice(_ lo: Double, _ hi: Double, about count: Int = 5) -> (values: [Double], step: Double) {
        guard hi > lo, lo.isFinite, hi.isFinite else { return ([lo], 1) }
        let raw = (hi - lo) / Double(max(count, 1))
        let power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        let first = ceil(lo / step - 1e-9) * step
        var values: [Double] = []
        var v = first
        while v <= hi + step * 1e-9 {
            values.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return (values, step)
    }

    /// A label with as many decimals as the step needs ("0.25", "1000", "2e-05").
    static func label(_ v: Double, step: Double) -> String {
        if v != 0 && (abs(v) >= 1e6 || abs(v) < 1e-3) { return String(format: "%.0e", v) }
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        return String(format: "%.\(min(decimals, 4))f", v)
    }
}

extension Canvas {
    /// Writes this canvas as a PNG file (atomically).
    public func write(to path: String) throws { try PNG.write(self, to: path) }

    /// A figure title, large and centred at the top.
    mutating func title(_ string: String) {
        text(string, centreX: width / 2, y: 10, colour: .black, scale: 2)
    }

    /// Width a title needs (for sizing figures so it is never clipped).
    static func titleWidth(_ string: String) -> Int { textWidth(string, scale: 2) + 48 }
}
