/// Turns a number in [0, 1] into a colour.
public enum ColourMap: Sendable {
    /// Black (0) to white (1): pixels as they are.
    case grey
    /// White (0) to black (1): ink on paper.
    case ink
    /// Blue (0) through white (0.5) to red (1): for signed values such as filter
    /// weights, where 0.5 stands for zero.
    case diverging
    /// White (0) to dark blue (1): for counts, such as a confusion matrix.
    case blues

    public func colour(_ t: Float) -> Colour {
        let t = t.isNaN ? 0 : min(max(t, 0), 1)
        switch self {
        case .grey: return Colour(grey: UInt8((t * 255).rounded()))
        case .ink: return Colour(grey: UInt8(((1 - t) * 255).rounded()))
        case .diverging:
            return ColourMap.blend(
                [
                    (0, Colour(33, 80, 160)), (0.25, Colour(120, 170, 220)), (0.5, .white),
                    (0.75, Colour(235, 140, 110)), (1, Colour(170, 20, 30)),
                ], t)
        case .blues:
            return ColourMap.blend(
                [(0, Colour(247, 251, 255)), (0.5, Colour(107, 174, 214)), (1, Colour(8, 48, 107))], t)
        }
    }

    /// Linear interpolation between anchor colours.
    private static func blend(_ anchors: [(Float, Colour)], _ t: Float) -> Colour {
        for i in 1..<anchors.count where t <= anchors[i].0 {
            let (t0, c0) = anchors[i - 1]
            let (t1, c1) = anchors[i]
            let f = (t - t0) / (t1 - t0)
            func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Float(a) + (Float(b) - Float(a)) * f).rounded()) }
            return Colour(mix(c0.r, c1.r), mix(c0.g, c1.g), mix(c0.b, c1.b))
        }
        return anchors[anchors.count - 1].1
    }

    /// Whether text on this colour should be white rather than black.
    static func needsLightText(_ c: Colour) -> Bool {
        (299 * Int(c.r) + 587 * Int(c.g) + 114 * Int(c.b)) / 1000 < 110
    }
}
