// swift-format-ignore-file
// Lesson 02: padding.
// A frame of zeros around the input lets the filter stop at the border too, so the output
// keeps its size, and the border pixels count as much as the middle ones.
import ConvNet
import Datasets
import LessonKit
import Pictures

let lesson = Lesson(number: 2, title: "Padding and the output-size formula",
                    needs: DataNeeds(training: 8, because: "it pads training image 7"))

/// Zero padding, written out: a C×H×W image gets `p` rows and columns of zeros on every
/// side and becomes C×(H+2p)×(W+2p). (im2col in the core pads on the fly instead of
/// copying, reading a zero whenever a window hangs over the border.)
func zeroPad(_ image: Tensor, _ p: Int) -> Tensor {
    let (c, h, w) = (image.shape[0], image.shape[1], image.shape[2])
    var out = Tensor(shape: [c, h + 2 * p, w + 2 * p])
    for ch in 0..<c {
        for r in 0..<h {
            for col in 0..<w { out[ch, r + p, col + p] = image[ch, r, col] }
        }
    }
    return out
}

lesson.step("What padding does",
            """
            Without padding a 3×3 filter cannot be centred on a border pixel, so a 4×4 \
            input gives only a 2×2 output, and each layer would shrink the image. Padding \
            P adds P rows and columns of zeros on every side. Here is a 4×4 input padded \
            with P = 1: it becomes 6×6, and a 3×3 filter at stride 1 now gives 4×4, the \
            size we started with.
            """) {
    let x = Tensor(shape: [1, 4, 4], data: (1...16).map(Float.init))
    let padded = zeroPad(x, 1)
    lesson.show("input", x.reshaped([4, 4]), decimals: 0)
    lesson.show("padded with P = 1", padded.reshaped([6, 6]), decimals: 0)
    let ones = Convolution(weights: Tensor(shape: [1, 1, 3, 3], repeating: 1), bias: .zeros([1]), stride: 1, padding: 1)
    let out = ones.forward(x.reshaped([1, 1, 4, 4]), training: false)
    lesson.show("3×3 filter of ones, stride 1, padding 1 (each cell: sum of its neighbourhood)", out.reshaped([4, 4]), decimals: 0)
    lesson.say("The corner 1 + 2 + 5 + 6 = 14 sees only four real pixels: the other five are padding zeros.")
}

lesson.step("The output-size formula",
            """
            A filter of size FH on an input of size H, with padding P and stride S, stops \
            OH = (H + 2P − FH)/S + 1 times down the image, and the same across. The \
            division must come out whole: otherwise the last window would hang over the \
            edge. "Same" padding P = (FH − 1)/2 (odd FH, stride 1) keeps OH = H. The \
            table comes from convolutionOutputSize in the core, the function every layer \
            uses to check its input.
            """) {
    let cases: [(h: Int, fh: Int, p: Int, s: Int, note: String)] = [
        (6, 3, 0, 1, "Lesson 01, stride 1"),
        (6, 3, 0, 3, "Lesson 01, stride 3"),
        (4, 3, 1, 1, "step 1 above"),
        (28, 5, 0, 1, "SimpleConvNet's layer"),
        (28, 5, 2, 1, "\"same\": P = (5 − 1)/2"),
        (28, 3, 1, 1, "\"same\": P = (3 − 1)/2"),
        (32, 4, 1, 2, "stride 2 halves the size"),
        (24, 2, 0, 2, "2×2 pooling, Lesson 05"),
        (7, 7, 0, 1, "filter as big as the input"),
    ]
    var rows: [[String]] = []
    for k in cases {
        let oh = try convolutionOutputSize(input: k.h, filter: k.fh, stride: k.s, padding: k.p)
        rows.append(["\(k.h)", "\(k.fh)", "\(k.p)", "\(k.s)", "(\(k.h) + \(2 * k.p) − \(k.fh))/\(k.s) + 1", "\(oh)", k.note])
    }
    lesson.table(["H", "FH", "P", "S", "formula", "OH", "case"], rows)
    // Height and width are worked out apart: a 28×31 input under a 5×3 filter, padding 1.
    let layer = Convolution(filters: 1, channels: 1, filterHeight: 5, filterWidth: 3, stride: 1, padding: 1,
                            weightStd: 1, rng: &lesson.rng)
    let shape = try layer.outputShape(for: [1, 1, 28, 31])
    lesson.say("Not square: a 28×31 input and a 5×3 filter with padding 1 give OH = (28 + 2 − 5)/1 + 1 = 26 and "
               + "OW = (31 + 2 − 3)/1 + 1 = 31; the layer says \(shape[2])×\(shape[3]).")
}

lesson.step("Combinations that do not fit are rejected",
            """
            Some frameworks silently drop the pixels the last window cannot reach. The \
            core refuses instead and says why, so a shape mistake shows up where it is \
            made. Here are three bad combinations and what the core says about each.
            """) {
    let bad: [(h: Int, fh: Int, p: Int, s: Int)] = [(28, 3, 0, 2), (5, 7, 0, 1), (28, 5, 0, 0)]
    for k in bad {
        do {
            let oh = try convolutionOutputSize(input: k.h, filter: k.fh, stride: k.s, padding: k.p)
            lesson.say("H \(k.h), FH \(k.fh), P \(k.p), S \(k.s): accepted, OH = \(oh) (unexpected!)")
        } catch {
            lesson.say("H \(k.h), FH \(k.fh), P \(k.p), S \(k.s) → rejected: \(error)")
        }
    }
    // A layer checks the same before it touches any data.
    let layer = Convolution(weights: Tensor(shape: [1, 1, 3, 3], repeating: 1), bias: .zeros([1]), stride: 2, padding: 0)
    do {
        _ = try layer.outputShape(for: [1, 1, 28, 28])
    } catch {
        lesson.say("Convolution 3×3, stride 2, padding 0 on 1×1×28×28 → rejected: \(error)")
    }
}

lesson.step("Padding a real digit",
            """
            A 5×5 vertical-edge filter on a 28×28 digit: without padding the feature map \
            is 24×24, and strokes near the border are cut off; with "same" padding P = 2 \
            it stays 28×28. MNIST digits sit in the middle of their box, so little is \
            lost here, but in a deep network every layer would shrink the image by 4 \
            without padding.
            """) {
    let data = lesson.loadData()
    let digit = data.train.image(lesson.quick ? 1 : 7)               // 1×28×28
    // A 5×5 vertical edge filter: left columns negative, right columns positive.
    var edge = Tensor(shape: [1, 1, 5, 5])
    for r in 0..<5 { for c in 0..<5 { edge[0, 0, r, c] = Float(c - 2) / 10 } }
    var inputs: [Matrix] = [], outputs: [Matrix] = [], labels: [String] = [], outLabels: [String] = []
    var rows: [[String]] = []
    for p in [0, 2, 4] {
        let padded = zeroPad(digit, p)
        let layer = Convolution(weights: edge, bias: .zeros([1]), stride: 1, padding: p)
        let out = layer.forward(digit.reshaped([1, 1, 28, 28]), training: false)
        inputs.append(Matrix(padded))
        outputs.append(Matrix(out))
        labels.append("P = \(p): \(28 + 2 * p)×\(28 + 2 * p)")
        outLabels.append("output \(out.shape[2])×\(out.shape[3])")
        rows.append(["\(p)", "\(padded.shape[1])×\(padded.shape[2])", "\(out.shape[2])×\(out.shape[3])"])
    }
    lesson.table(["P", "padded input", "feature map"], rows)
    // The padding is zeros, as black as MNIST's background, so a green frame marks the
    // original 28×28 inside each padded input.
    let inputGrid = ImageGrid(title: "padded inputs", maps: inputs, columns: 1, labels: labels,
                              scale: .fixed(0, 1), pixelSize: 3)
    var inputPanel = inputGrid.render()
    let l = inputGrid.layout
    for (i, p) in [0, 2, 4].enumerated() {
        let (x0, y0) = l.origin(of: i, columns: 1)
        let xOffset = (l.cellWidth - inputs[i].columns * l.pixelSize) / 2
        inputPanel.rectangle(x: x0 + xOffset + p * l.pixelSize, y: y0 + p * l.pixelSize,
                             width: 28 * l.pixelSize, height: 28 * l.pixelSize, .green)
    }
    let figure = Panels(title: "Zero padding and a 5×5 edge filter, stride 1", panels: [
        inputPanel,
        ImageGrid(title: "feature maps", maps: outputs, columns: 1, labels: outLabels, scale: .sharedSymmetric,
                  colourMap: .diverging, pixelSize: 3).render(),
    ])
    lesson.saveFigure(figure.render(), "padding.png")
    lesson.say("In the figure a green frame marks the original 28×28 digit inside each padded input.")
    lesson.say("With P = 4 the output (32×32) is larger than the input: padding beyond \"same\" only adds zeros around the edge.")
}

lesson.exercises([
    Exercise("What padding keeps a 7×7 filter's output the same size as its input at stride 1? And which "
             + "strides are allowed for H = 28, FH = 5, P = 2? Check your answers against the formula's tests.",
             check: "swift test --disable-xctest --filter ConvNetTests.OutputSizeTests",
             answer: "docs/answers/Lesson02.md"),
    Exercise("In convolutionOutputSize (Sources/ConvNet/Layers/Layer.swift), delete the `guard span % stride == 0` "
             + "check so that it rounds down instead of refusing. Which test catches it, and why is refusing the better choice?",
             check: "swift test --disable-xctest --filter ConvNetTests.OutputSizeTests",
             answer: "docs/answers/Lesson02.md"),
    Exercise("im2col pads the batch first, with `padded` (Sources/ConvNet/Layers/Im2col.swift). Make it put "
             + "the image in the top-left corner of the bigger canvas instead of the middle (drop the two `+ padding` "
             + "in the `out[…] = x.data[…]` line). Which convolution tests fail, and which still pass?",
             check: "swift test --disable-xctest --filter ConvNetTests.ConvolutionTests",
             answer: "docs/answers/Lesson02.md"),
])
lesson.finish()
