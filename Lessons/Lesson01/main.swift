// swift-format-ignore-file
// Lesson 01: filtering and stride.
// A filter slides over an image; at each stop it multiplies the patch under it element by
// element with its weights and adds the products up. The stride is the size of each step.
import ConvNet
import Datasets
import LessonKit
import Pictures

let lesson = Lesson(number: 1, title: "Filtering and stride",
                    needs: DataNeeds(training: 1, because: "it filters training image 0"))

// The 6×6 picture of a "5": 1 is ink, 0 is paper.
let five = Tensor(shape: [6, 6], data: [
    0, 1, 1, 1, 1, 0,
    0, 1, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 0,
    0, 0, 0, 0, 1, 0,
    0, 0, 0, 0, 1, 0,
    0, 1, 1, 1, 1, 0,
])
// A 3×3 filter that responds to a vertical bar in its middle column.
let verticalBar = Tensor(shape: [3, 3], data: [
    0, 1, 0,
    0, 1, 0,
    0, 1, 0,
])

/// The filtering operation itself, written out: image H×W, filter FH×FW → output OH×OW.
/// Output cell (i, j) covers the patch whose top-left corner is (i·stride, j·stride).
func filter2D(_ image: Tensor, _ filter: Tensor, stride: Int) -> Tensor {
    let (h, w) = (image.shape[0], image.shape[1])
    let (fh, fw) = (filter.shape[0], filter.shape[1])
    let oh = (h - fh) / stride + 1, ow = (w - fw) / stride + 1
    var out = Tensor(shape: [oh, ow])
    for i in 0..<oh {
        for j in 0..<ow {
            var sum: Float = 0
            for u in 0..<fh {
                for v in 0..<fw { sum += image[i * stride + u, j * stride + v] * filter[u, v] }
            }
            out[i, j] = sum
        }
    }
    return out
}

/// The sum of products for output cell (i, j), written term by term.
func multiplyAccumulate(_ image: Tensor, _ filter: Tensor, stride: Int, cell i: Int, _ j: Int) -> String {
    var terms: [String] = []
    var sum: Float = 0
    for u in 0..<filter.shape[0] {
        for v in 0..<filter.shape[1] {
            let a = image[i * stride + u, j * stride + v], b = filter[u, v]
            terms.append("\(Int(a))·\(Int(b))")
            sum += a * b
        }
    }
    return terms.joined(separator: " + ") + " = \(Int(sum))"
}

lesson.step("A tiny image and a filter",
            """
            Here is a "5" drawn on a 6×6 grid (1 is ink, 0 is paper) and a 3×3 filter with \
            ones down its middle column. Laid over a patch of the image, the filter adds up \
            the ink in the patch's middle column: it answers "is there a vertical stroke \
            here?".
            """) {
    lesson.show("image", five, decimals: 0)
    lesson.show("filter (vertical bar)", verticalBar, decimals: 0)
}

lesson.step("Stride 3: four stops, a 2×2 output",
            """
            With stride 3 the filter jumps three pixels at a time, so it visits the four \
            3×3 blocks that tile the image, and the output is 2×2. Each output number is \
            a multiply-accumulate: nine products, added up. Here is the top-left one, \
            the block of rows 0–2 and columns 0–2, written out:
            """) {
    let out = filter2D(five, verticalBar, stride: 3)
    lesson.say("out[0, 0] = " + multiplyAccumulate(five, verticalBar, stride: 3, cell: 0, 0))
    lesson.show("output, stride 3", out, decimals: 0)
    lesson.say("3 means a whole vertical stroke under the filter's middle column: top left and bottom right, "
               + "where the 5 has its two vertical strokes. The bars across score 1 or 2: the filter barely sees them.")
}

lesson.step("Stride 1: sixteen stops, a 4×4 output",
            """
            With stride 1 the filter moves one pixel at a time: 4 positions across and 4 \
            down, since a 3-wide filter fits 6 − 3 + 1 = 4 times into 6 columns. In general \
            OH = (H − FH)/S + 1. A smaller stride sees every position, at the price of a \
            bigger output and more arithmetic (16·9 = 144 multiply-adds instead of 36).
            """) {
    let out = filter2D(five, verticalBar, stride: 1)
    lesson.say("out[2, 3] = " + multiplyAccumulate(five, verticalBar, stride: 1, cell: 2, 3))
    lesson.show("output, stride 1", out, decimals: 0)
    let panels = Panels(title: "A 3×3 vertical-bar filter on a 6×6 \"5\"", panels: [
        HeatMap(title: "image", matrix: Matrix(five), colourMap: .grey, scale: .fixed(0, 1), cellSize: 36,
                cellText: { "\(Int($0))" }).render(),
        HeatMap(title: "filter", matrix: Matrix(verticalBar), colourMap: .grey, scale: .fixed(0, 1), cellSize: 36,
                cellText: { "\(Int($0))" }).render(),
        HeatMap(title: "stride 3", matrix: Matrix(filter2D(five, verticalBar, stride: 3)), colourMap: .blues,
                scale: .fixed(0, 3), cellSize: 54, cellText: { "\(Int($0))" }).render(),
        HeatMap(title: "stride 1", matrix: Matrix(out), colourMap: .blues, scale: .fixed(0, 3), cellSize: 36,
                cellText: { "\(Int($0))" }).render(),
    ])
    lesson.saveFigure(panels.render(), "five-and-stride.png")
}

lesson.step("The same thing, done by the library's Convolution layer",
            """
            The Convolution layer of the ConvNet module does exactly this for batches of \
            many-channel images (Lessons 03 and 04 show how it is made fast). Its input \
            is N×C×H×W and its filters FN×C×FH×FW, so our image becomes 1×1×6×6 and the \
            filter 1×1×3×3. The results agree with the loop above.
            """) {
    for stride in [3, 1] {
        let layer = Convolution(weights: verticalBar.reshaped([1, 1, 3, 3]), bias: .zeros([1]),
                                stride: stride, padding: 0)
        let out = layer.forward(five.reshaped([1, 1, 6, 6]), training: false)
        let mine = filter2D(five, verticalBar, stride: stride)
        lesson.say("stride \(stride): Convolution gives \(out.shape), largest difference from filter2D: "
                   + "\(out.reshaped(mine.shape).maxAbsDifference(mine))")
    }
}

var data: MNIST!
lesson.step("Classic filters on a real digit",
            """
            Image processing has used hand-made 3×3 filters for decades. A box blur \
            averages the nine pixels; sharpen adds the pixel's difference from its \
            neighbours back onto it; the Sobel filters weigh the difference between the \
            left and right columns (a vertical edge) or the top and bottom rows (a \
            horizontal edge). The vertical Sobel filter has −1 on its left column and +1 on \
            its right, so its output is positive where the image gets lighter from left to \
            right and negative at the opposite edge, where it gets darker. A \
            convolutional network learns its own filters \
            instead of being given them, but the first layer's often look like these.
            """) {
    data = lesson.loadData()
    let digit = data.train.image(0).reshaped([1, 1, 28, 28])     // 1×1×28×28, a "5"
    let names = ["blur", "sharpen", "vertical edge", "horizontal edge"]
    let filters = Tensor(shape: [4, 1, 3, 3], data: [
        1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9,   // blur
        0, -1, 0, -1, 5, -1, 0, -1, 0,                                   // sharpen
        -1, 0, 1, -2, 0, 2, -1, 0, 1,                                    // Sobel x
        -1, -2, -1, 0, 0, 0, 1, 2, 1,                                    // Sobel y
    ])
    for (k, name) in names.enumerated() {
        lesson.show(name, filters.item(k).reshaped([3, 3]), decimals: k == 0 ? 3 : 0)
    }
    // Four filters at once: output 1×4×26×26, one map per filter.
    let conv = Convolution(weights: filters, bias: .zeros([4]), stride: 1, padding: 0)
    let maps = conv.forward(digit, training: false)
    lesson.say("digit \(digit.shape) → feature maps \(maps.shape)")
    // Stride 2 needs (H − 3) to be even, so drop the last row and column (always blank
    // in MNIST) to get 27×27; Lesson 02 explains the rule.
    var cropped = Tensor(shape: [1, 1, 27, 27])
    for r in 0..<27 { for c in 0..<27 { cropped[0, 0, r, c] = digit[0, 0, r, c] } }
    let strided = Convolution(weights: filters.slice(2..<3), bias: .zeros([1]), stride: 2, padding: 0)
        .forward(cropped, training: false)
    lesson.say("the vertical-edge filter at stride 2 on the 27×27 crop → \(strided.shape): half the size each way")

    // One scale for all four, with its colour bar: the blur's 0.11s are pale beside sharpen's 5.
    var filterGrid = ImageGrid(title: "The four 3×3 filters, on one scale", maps: Matrix.maps(filters), columns: 4,
                               labels: names, scale: .sharedSymmetric, colourMap: .diverging, pixelSize: 24)
    filterGrid.colourBar = true
    lesson.saveFigure(filterGrid.render(), "filters.png")
    let figure = Panels(title: "Feature maps of a training digit", panels: [
        ImageGrid(title: "input", maps: [Matrix(digit)], columns: 1, labels: ["28×28"],
                  scale: .fixed(0, 1), pixelSize: 4).render(),
        ImageGrid(title: "stride 1", maps: Matrix.maps(maps), columns: 2, labels: names.map { $0 + " 26×26" },
                  scale: .eachSymmetric, colourMap: .diverging, pixelSize: 4).render(),
        ImageGrid(title: "stride 2", maps: [Matrix(strided)], columns: 1, labels: ["vertical edge 13×13"],
                  scale: .eachSymmetric, colourMap: .diverging, pixelSize: 4).render(),
    ])
    lesson.saveFigure(figure.render(), "feature-maps.png")
    lesson.say("In the maps red is positive and blue negative; white is zero, where the filter sees nothing.")
}

lesson.step("Why convolution, and not a fully connected layer",
            """
            A fully connected (Affine) layer would take the digit as a flat list of 784 \
            numbers, with a weight of its own from every pixel to every output. Nothing in \
            it says which pixels are neighbours: shuffle the 784 pixels in any fixed order, \
            shuffle the rows of its weights the same way, and its outputs stay the same \
            (up to rounding, as the sums are added in another order). \
            The shape of the picture is lost when it is flattened. A convolution slides one \
            small filter over the picture instead, so it keeps the shape: move the digit and \
            its feature map moves with it. And one filter is a handful of weights, used at \
            every position. The numbers below measure all three.
            """) {
    let digit = data.train.image(0).reshaped([1, 1, 28, 28])      // 1×1×28×28
    let flat = digit.reshaped([1, 784])                            // 1×784, what Affine sees
    var rng = lesson.rng
    let affine = Affine(inputSize: 784, outputSize: 100, weightStd: 0.05, rng: &rng)   // W: 784×100
    // One fixed shuffle p of the pixels, applied to the input and to the rows of W alike.
    let p = rng.permutation(784)
    var shuffled = flat, shuffledW = affine.W.value
    for i in 0..<784 {
        shuffled[0, i] = flat[0, p[i]]
        for j in 0..<100 { shuffledW[i, j] = affine.W.value[p[i], j] }
    }
    let outputs = affine.forward(flat, training: false)            // 1×100
    let shuffledOutputs = Affine(weights: shuffledW, bias: affine.b.value).forward(shuffled, training: false)
    lesson.say(String(format: "Affine, pixels and weights shuffled alike: largest output difference %.1e",
                      outputs.maxAbsDifference(shuffledOutputs)))

    // The digit moved 2 pixels to the right (MNIST leaves a blank margin, so nothing falls off).
    var moved = Tensor(shape: [1, 1, 28, 28])
    for r in 0..<28 { for c in 2..<28 { moved[0, 0, r, c] = digit[0, 0, r, c - 2] } }
    let changed = (0..<784).filter { moved.data[$0] != digit.data[$0] }.count
    lesson.say("moved 2 pixels right: \(changed) of the 784 inputs to Affine change")
    let edge = Convolution(weights: Tensor(shape: [1, 1, 3, 3], data: [-1, 0, 1, -2, 0, 2, -1, 0, 1]),
                           bias: .zeros([1]), stride: 1, padding: 1)
    let map = edge.forward(digit, training: false)                 // 1×1×28×28
    let movedMap = edge.forward(moved, training: false)            // 1×1×28×28
    var largest: Float = 0
    for r in 0..<28 { for c in 2..<28 { largest = max(largest, abs(movedMap[0, 0, r, c] - map[0, 0, r, c - 2])) } }
    lesson.say(String(format: "edge map of the moved digit vs the map moved: largest difference %.1e", largest))

    // As many outputs as 30 filters of 5×5 give on a 28×28 digit (30×24×24), fully connected or convolved.
    let outputCount = 30 * 24 * 24
    lesson.table(["layer", "outputs", "weights"], [
        ["Affine 784 → 17280", "\(outputCount)", "\(784 * outputCount)"],
        ["Convolution, 30 filters of 5×5", "\(outputCount)", "\(30 * 5 * 5)"],
    ])

    let pictures = ImageGrid(title: "What each layer is given", maps: [Matrix(digit), Matrix(shuffled.reshaped([1, 1, 28, 28])), Matrix(moved)],
                             columns: 3, labels: ["the digit", "shuffled: the same to Affine", "moved 2 pixels right"],
                             scale: .fixed(0, 1), pixelSize: 4)
    var maps = ImageGrid(title: "Vertical-edge maps", maps: [Matrix(map), Matrix(movedMap)], columns: 2,
                         labels: ["of the digit", "of the moved digit"], scale: .sharedSymmetric, colourMap: .diverging,
                         pixelSize: 4)
    maps.colourBar = true
    lesson.saveFigure(Panels(title: "A flat list of pixels loses the picture; a convolution keeps it",
                             panels: [pictures.render(), maps.render()]).render(), "why-convolution.png")
}

lesson.exercises([
    Exercise("Work out by hand the 2×2 output of the horizontal bar filter (ones across the middle row) "
             + "at stride 3 on the 6×6 \"5\". Then check the library's Convolution still matches naive loops "
             + "for strides 1, 2 and 3.",
             check: "swift test --disable-xctest --filter ConvNetTests.ConvolutionTests",
             answer: "docs/answers/Lesson01.md"),
    Exercise("A 3×3 filter at stride 2 on a 6×6 image: how many stops fit? Try it in the formula "
             + "OH = (H − FH)/S + 1, then see what the core says about such a combination.",
             check: "swift test --disable-xctest --filter ConvNetTests.OutputSizeTests",
             answer: "docs/answers/Lesson01.md"),
    Exercise("In im2col (Sources/ConvNet/Layers/Im2col.swift), make it forget the stride in the row direction: "
             + "in the line `let pixel = …`, write `oy + fy` for `oy * stride + fy`. Which tests notice, and why "
             + "do the stride-1 cases still pass?",
             check: "swift test --disable-xctest --filter ConvNetTests.Im2colTests",
             answer: "docs/answers/Lesson01.md"),
])
lesson.finish()
