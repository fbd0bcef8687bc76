/// Turns a picture of one handwritten digit, of any size, into a 28×28 input prepared the
/// way MNIST's digits were: light ink on a dark background, the digit's bounding box scaled
/// to fit 20×20 (keeping its proportions, with grey levels from the averaging), and placed
/// in the 28×28 frame so that its centre of mass sits at the centre.
public enum MNISTStyle {
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case blank(path: String)
        public var description: String {
            switch self {
            case .blank(let path): return "\(path): no digit found (the image is one flat colour)"
            }
        }
    }

    /// 784 values in [0, 1], row by row. `path` is only used in error messages.
    public static func prepare(_ image: DecodedImage, path: String) throws -> [Float] {
        let (w, h) = (image.width, image.height)
        var ink = image.greyLevels.map { Float($0) / 255 }

        // 1. Ink must be bright. The border is paper: if it is light, the ink is dark
        //    (a pen on paper), so invert.
        var border: [Float] = []
        for x in 0..<w {
            border.append(ink[x])
            border.append(ink[(h - 1) * w + x])
        }
        for y in 0..<h {
            border.append(ink[y * w])
            border.append(ink[y * w + w - 1])
        }
        let paper = border.reduce(0, +) / Float(border.count)
        if paper > 0.5 { ink = ink.map { 1 - $0 } }
        let background = min(paper, 1 - paper)
        // 2. Paper becomes exactly 0, the strongest ink 1.
        let strongest = ink.max() ?? 0
        guard strongest - background > 0.1 else { throw Problem.blank(path: path) }
        ink = ink.map { max(0, ($0 - background) / (strongest - background)) }

        // 3. The bounding box of everything clearly inked.
        var (left, right, top, bottom) = (w, -1, h, -1)
        for y in 0..<h {
            for x in 0..<w where ink[y * w + x] > 0.25 {
                left = min(left, x)
                right = max(right, x)
                top = min(top, y)
                bottom = max(bottom, y)
            }
        }
        guard right >= left else { throw Problem.blank(path: path) }
        let boxW = right - left + 1
        let boxH = bottom - top + 1

        // 4. Scale the box so its longer side is 20 pixels; each new pixel is the mean of
        //    the source area it covers (so thin strokes turn grey, as in MNIST).
        let scale = 20 / Float(max(boxW, boxH))
        let newW = max(1, Int((Float(boxW) * scale).rounded()))
        let newH = max(1, Int((Float(boxH) * scale).rounded()))
        var small = [Float](repeating: 0, count: newW * newH)
        for ny in 0..<newH {
            for nx in 0..<newW {
                let x0 = left + nx * boxW / newW
                let x1 = max(x0 + 1, left + (nx + 1) * boxW / newW)
                let y0 = top + ny * boxH / newH
                let y1 = max(y0 + 1, top + (ny + 1) * boxH / newH)
                var sum: Float = 0
                for y in y0..<y1 { for x in x0..<x1 { sum += ink[y * w + x] } }
                small[ny * newW + nx] = sum / Float((x1 - x0) * (y1 - y0))
            }
        }

        // 5. Centre of mass of the scaled digit → the middle of the 28×28 frame.
        var mass: Float = 0
        var cx: Float = 0
        var cy: Float = 0
        for y in 0..<newH {
            for x in 0..<newW {
                let v = small[y * newW + x]
                mass += v
                cx += v * Float(x)
                cy += v * Float(y)
            }
        }
        let shiftX = min(max(Int((14 - cx / mass - 0.5).rounded()), 0), 28 - newW)
        let shiftY = min(max(Int((14 - cy / mass - 0.5).rounded()), 0), 28 - newH)
        var out = [Float](repeating: 0, count: 784)
        for y in 0..<newH { for x in 0..<newW { out[(y + shiftY) * 28 + x + shiftX] = small[y * newW + x] } }
        return out
    }
}
