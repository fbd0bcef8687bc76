/// An 8-bit RGB colour.
public struct Colour: Equatable, Sendable {
    public var r: UInt8, g: UInt8, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { (self.r, self.g, self.b) = (r, g, b) }
    public init(grey: UInt8) { self.init(grey, grey, grey) }

    public static let white = Colour(255, 255, 255)
    public static let black = Colour(0, 0, 0)
    public static let lightGrey = Colour(225, 225, 225)
    public static let midGrey = Colour(150, 150, 150)
    public static let darkGrey = Colour(70, 70, 70)
    public static let red = Colour(200, 40, 40)
    public static let green = Colour(30, 140, 60)
    /// Distinct colours for chart series (a colour-blind-friendly order).
    public static let series: [Colour] = [
        Colour(0, 114, 178), Colour(230, 120, 0), Colour(0, 158, 115), Colour(204, 51, 120),
        Colour(86, 70, 160), Colour(150, 110, 30), Colour(90, 90, 90), Colour(40, 170, 220),
    ]
}

/// An RGB picture in memory that figures are drawn on; written out with `PNG.write`.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    /// width × height × 3 bytes, row by row.
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: Colour = .white) {
        require(width > 0 && height > 0, "a canvas must be at least 1×1, got \(width)×\(height)")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, width: width, height: height, background)
    }

    public subscript(x: Int, y: Int) -> Colour {
        get {
            let i = (y * width + x) * 3
            return Colour(pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set { set(x, y, newValue) }
    }

    /// Sets one pixel; points outside the canvas are ignored (clipping).
    @inline(__always)
    public mutating func set(_ x: Int, _ y: Int, _ colour: Colour) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = colour.r
        pixels[i + 1] = colour.g
        pixels[i + 2] = colour.b
    }

    /// Fills a rectangle; the part outside the canvas (all of it, even) is left out.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ colour: Colour) {
        let (x0, x1) = (max(x, 0), min(x + w, width))
        let (y0, y1) = (max(y, 0), min(y + h, height))
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 {
            for xx in x0..<x1 { set(xx, yy, colour) }
        }
    }

    /// The outline of a rectangle, one pixel thick.
    public mutating func rectangle(x: Int, y: Int, width w: Int, height h: Int, _ colour: Colour) {
        fill(x: x, y: y, width: w, height: 1, colour)
        fill(x: x, y: y + h - 1, width: w, height: 1, colour)
        fill(x: x, y: y, width: 1, height: h, colour)
        fill(x: x + w - 1, y: y, width: 1, height: h, colour)
    }

    /// A straight line (Bresenham), `thickness` pixels wide.
    public mutating func line(
        from start: (x: Int, y: Int), to end: (x: Int, y: Int), _ colour: Colour,
        thickness: Int = 1
    ) {
        var (x0, y0) = start
        let (x1, y1) = end
        let dx = abs(x1 - x0)
        let dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1
        let sy = y0 < y1 ? 1 : -1
        var error = dx + dy
        let low = -(thickness - 1) / 2
        let high = thickness / 2
        while true {
            for ox in low...high { for oy in low...high { set(x0 + ox, y0 + oy, colour) } }
            if x0 == x1 && y0 == y1 { break }
            let e2 = 2 * error
            if e2 >= dy {
                error += dy
                x0 += sx
            }
            if e2 <= dx {
                error += dx
                y0 += sy
            }
        }
    }

    /// Text with its top-left corner at (x, y), each font pixel drawn as scale×scale.
    public mutating func text(_ string: String, x: Int, y: Int, colour: Colour = .black, scale: Int = 1) {
        var penX = x
        for character in string {
            for (row, ink) in Font.rows(for: character).enumerated() {
                for (column, on) in ink.enumerated() where on {
                    fill(x: penX + column * scale, y: y + row * scale, width: scale, height: scale, colour)
                }
            }
            penX += Font.advance * scale
        }
    }

    /// Text centred horizontally on `centreX`.
    public mutating func text(_ string: String, centreX: Int, y: Int, colour: Colour = .black, scale: Int = 1) {
        text(string, x: centreX - Canvas.textWidth(string, scale: scale) / 2, y: y, colour: colour, scale: scale)
    }

    /// Text turned a quarter anticlockwise (for a y-axis label), centred on `centreY`.
    public mutating func verticalText(_ string: String, x: Int, centreY: Int, colour: Colour = .black) {
        var penY = centreY + Canvas.textWidth(string) / 2
        for character in string {
            for (row, ink) in Font.rows(for: character).enumerated() {
                for (column, on) in ink.enumerated() where on { set(x + row, penY - column, colour) }
            }
            penY -= Font.advance
        }
    }

    public static func textWidth(_ string: String, scale: Int = 1) -> Int { Font.width(of: string) * scale }
    public static func textHeight(scale: Int = 1) -> Int { 7 * scale }

    /// Copies a whole canvas onto this one with its top-left corner at (x, y).
    public mutating func draw(_ other: Canvas, x: Int, y: Int) {
        for yy in 0..<other.height { for xx in 0..<other.width { set(x + xx, y + yy, other[xx, yy]) } }
    }
}
