// swift-format-ignore-file
// Lesson 03: im2col.
// Copy every window the filter visits into one row of a matrix, and the whole convolution
// becomes a single matrix multiply, the one operation computers do fastest.
import ConvNet
import Datasets
import LessonKit
import Pictures

let lesson = Lesson(number: 3, title: "im2col: convolution as one matrix multiply",
                    needs: DataNeeds(training: 100, because: "it times a convolution of 100 training images"))

// A small two-channel input, 1×2×4×4: channel 0 holds 1…16, channel 1 holds 21…36.
let small = Tensor(shape: [1, 2, 4, 4], data: (1...16).map(Float.init) + (21...36).map(Float.init))

lesson.step("The im2col matrix of a small input",
            """
            Take a 1×2×4×4 input (one image, two channels) and a 3×3 filter at stride 1: \
            the filter stops at 2×2 = 4 places. im2col copies the window under each stop \
            into one row: 2 channels × 3 × 3 = 18 numbers, channel 0's window first, row by \
            row, then channel 1's. So the matrix is 4×18, one row per output pixel, one \
            column per filter weight. Pixels that lie in several windows are copied \
            several times: that is the price of im2col.
            """) {
    lesson.show("x, channel 0", small.item(0).item(0), decimals: 0)
    lesson.show("x, channel 1", small.item(0).item(1), decimals: 0)
    let col = im2col(small, filterHeight: 3, filterWidth: 3, stride: 1, padding: 0)   // 4×18
    lesson.show("im2col(x), rows = stops (0,0) (0,1) (1,0) (1,1)", col, decimals: 0)
    let columnLabels = (0..<18).map { k in "\(k / 9)\((k % 9) / 3)\(k % 3)" }
    let heat = HeatMap(title: "im2col of a 1×2×4×4 input, 3×3 filter", matrix: Matrix(col), colourMap: .blues,
                       scale: .eachOwn, cellSize: 30, cellText: { "\(Int($0))" },
                       rowLabels: ["(0,0)", "(0,1)", "(1,0)", "(1,1)"], columnLabels: columnLabels,
                       xLabel: "column: channel, filter row, filter column (c i j)", yLabel: "stop")
    lesson.saveFigure(heat.render(), "im2col-matrix.png")
    lesson.say("Column labels in the figure read c i j: channel, then the filter row and column that weight sits at.")
}

lesson.step("Convolution = im2col × Wᵀ",
            """
            Flatten each filter FN×C×FH×FW into a row of C·FH·FW = 18 weights, in the same \
            order as im2col's columns. Then every output pixel is one row of im2col times \
            one filter row: out = col · Wᵀ + b, an (N·OH·OW)×FN matrix, here 4×2, which is \
            N×OH×OW×FN reordered to N×FN×OH×OW. Two filters: one averages channel 0's \
            window, the other takes channel 1's centre pixel minus channel 0's.
            """) {
    var w = Tensor(shape: [2, 2, 3, 3])
    for i in 0..<3 { for j in 0..<3 { w[0, 0, i, j] = 1.0 / 9 } }
    w[1, 1, 1, 1] = 1
    w[1, 0, 1, 1] = -1
    let b = Tensor(shape: [2], data: [0, 0.5])
    let col = im2col(small, filterHeight: 3, filterWidth: 3, stride: 1, padding: 0)  // 4×18
    let product = matrixMultiply(col, w.reshaped([2, 18]), transposeB: true)          // 4×2
    lesson.show("col · Wᵀ (rows = stops, columns = filters), before the bias", product, decimals: 2)
    let layer = Convolution(weights: w, bias: b, stride: 1, padding: 0)
    let out = layer.forward(small, training: false)
    lesson.show("Convolution layer output 1×2×2×2 (filter 0 then filter 1)", out, decimals: 2)
    lesson.say("Filter 0 gives the window means (6, 7, 10, 11); filter 1 gives 20 + 0.5 everywhere.")
}

var data: MNIST!
lesson.step("Naive loops against im2col on a batch of digits",
            """
            Now a real layer: 30 filters of 5×5 on a batch of 100 digits, the first layer \
            of Lesson 09's network. The six loops below and the library's Convolution \
            (im2col plus the blocked, vectorised matrix multiply of the core) must give \
            the same numbers up to rounding: Float sums added in another order differ in \
            the last bits. Then their speeds side by side.
            """) {
    /// The direct definition, six nested loops per image:
    ///   out[n, f, y, x] = b[f] + Σ_c Σ_i Σ_j  x[n, c, y·S − P + i, x·S − P + j] · W[f, c, i, j]
    /// x: N×C×H×W, w: FN×C×FH×FW, b: FN → N×FN×OH×OW. Plain arrays and index arithmetic,
    /// the way you would write it in C.
    func naiveConvolution(_ x: Tensor, _ w: Tensor, _ b: Tensor, stride s: Int, padding p: Int) -> Tensor {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (fn, fh, fw) = (w.shape[0], w.shape[2], w.shape[3])
        let oh = (h + 2 * p - fh) / s + 1, ow = (wd + 2 * p - fw) / s + 1
        let xs = x.data, ws = w.data
        var out = [Float](repeating: 0, count: n * fn * oh * ow)
        for img in 0..<n {
            for f in 0..<fn {                                   // 1. every filter
                for y in 0..<oh {                               // 2. every output row
                    for xo in 0..<ow {                          // 3. every output column
                        var sum = b.data[f]
                        for ch in 0..<c {                       // 4. every input channel
                            for i in 0..<fh {                   // 5. every filter row
                                let iy = y * s - p + i
                                if iy < 0 || iy >= h { continue }          // padding: zero
                                for j in 0..<fw {               // 6. every filter column
                                    let ix = xo * s - p + j
                                    if ix < 0 || ix >= wd { continue }
                                    sum += xs[((img * c + ch) * h + iy) * wd + ix] * ws[((f * c + ch) * fh + i) * fw + j]
                                }
                            }
                        }
                        out[((img * fn + f) * oh + y) * ow + xo] = sum
                    }
                }
            }
        }
        return Tensor(shape: [n, fn, oh, ow], data: out)
    }

    data = lesson.loadData()
    let n = lesson.quick ? 10 : 100
    let x = data.train.firstBatch(n).x                                        // n×1×28×28
    let layer = Convolution(filters: 30, channels: 1, filterHeight: 5, filterWidth: 5, stride: 1, padding: 0,
                            weightStd: 0.2, rng: &lesson.rng)
    let (slow, naiveSeconds) = lesson.time { naiveConvolution(x, layer.W.value, layer.b.value, stride: 1, padding: 0) }
    _ = layer.forward(x, training: false)                                     // once before timing
    let repeats = 10
    let (fast, fastSeconds) = lesson.time { () -> Tensor in
        var out = Tensor(shape: [0])
        for _ in 0..<repeats { out = layer.forward(x, training: false) }
        return out
    }
    let multiplyAdds = Double(n * 30 * 24 * 24 * 25)
    lesson.say("output \(fast.shape); largest difference between the two: \(fast.maxAbsDifference(slow))")
    lesson.table(["method", "time for \(n) digits", "multiply-adds per second"], [
        ["six loops", String(format: "%.1f ms", naiveSeconds * 1000), String(format: "%.2f G", multiplyAdds / naiveSeconds / 1e9)],
        ["im2col + matrix multiply", String(format: "%.2f ms", fastSeconds / Double(repeats) * 1000),
         String(format: "%.2f G", multiplyAdds / (fastSeconds / Double(repeats)) / 1e9)],
    ])
    lesson.say("""
        The loops live in this lesson, which `swift run` builds without optimisation; the core \
        is always compiled optimised (see Package.swift). With `swift run -c release Lesson03` \
        both are optimised and the gap shrinks to what blocking and vector registers buy.
        """)
}

lesson.step("col2im: the way gradients go back",
            """
            In backward, the gradient arrives for every entry of the im2col matrix, and \
            each entry was a copy of one input pixel. The pixel's gradient is the sum over \
            all its copies: col2im adds every row back into the window it came from. It is \
            the adjoint (transpose) of im2col: for any x and y, ⟨im2col(x), y⟩ = \
            ⟨x, col2im(y)⟩. Feeding col2im a matrix of ones counts how many windows each \
            pixel belongs to.
            """) {
    var rng = lesson.rng
    let x = Tensor.randomNormal([2, 3, 7, 7], rng: &rng)
    let col = im2col(x, filterHeight: 3, filterWidth: 3, stride: 2, padding: 1)   // 2·4·4 × 27
    let y = Tensor.randomNormal(col.shape, rng: &rng)
    let back = col2im(y, inputShape: x.shape, filterHeight: 3, filterWidth: 3, stride: 2, padding: 1)
    let left = (col * y).sum(), right = (x * back).sum()
    lesson.say("x 2×3×7×7, random; 3×3 windows, stride 2, padding 1; y random, the shape of im2col(x):")
    lesson.say(String(format: "⟨im2col(x), y⟩ = %.4f    ⟨x, col2im(y)⟩ = %.4f", left, right))

    let ones = Tensor(shape: [4, 18], repeating: 1)
    let counts = col2im(ones, inputShape: [1, 2, 4, 4], filterHeight: 3, filterWidth: 3, stride: 1, padding: 0)
    lesson.show("col2im(ones) for the small input, channel 0: windows per pixel", counts.item(0).item(0), decimals: 0)

    let digitCounts = col2im(Tensor(shape: [24 * 24, 25], repeating: 1), inputShape: [1, 1, 28, 28],
                             filterHeight: 5, filterWidth: 5, stride: 1, padding: 0)
    lesson.say("The same count for another case, the figure: a 28×28 digit under the 5×5 filters of Lesson 09.")
    let heat = HeatMap(title: "Another case: 5×5 windows on a 28×28 digit, windows per pixel", matrix: Matrix(digitCounts),
                       colourMap: .blues, scale: .fixed(0, 25), cellSize: 12,
                       xLabel: "centre pixels: 25 windows, corners: 1")
    lesson.saveFigure(heat.render(), "col2im-counts.png")
}

lesson.exercises([
    Exercise("How many rows and columns does im2col give for a batch of 100 digits, 5×5 filters, stride 1, "
             + "padding 2? How many times bigger than the batch is it? Then check that each row of im2col is a window.",
             check: "swift test --disable-xctest --filter ConvNetTests.Im2colTests",
             answer: "docs/answers/Lesson03.md"),
    Exercise("In col2im (Sources/ConvNet/Layers/Im2col.swift), write each value instead of adding it "
             + "(`image[pixel] = …` for `image[pixel] += …`). Which test catches it, and why does the forward pass still work?",
             check: "swift test --disable-xctest --filter ConvNetTests.Im2colTests",
             answer: "docs/answers/Lesson03.md"),
    Exercise("Run `swift run -c release Lesson03` and compare the speed table with the debug one. "
             + "Then look at how the core's matrix multiply is checked against a plain triple loop.",
             check: "swift test --disable-xctest --filter ConvNetTests.MatrixMultiplyTests",
             answer: "docs/answers/Lesson03.md"),
])
lesson.finish()
