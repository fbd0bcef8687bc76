// swift-format-ignore-file
// Lesson 05: pooling.
// Pooling shrinks each feature map by summarising small windows: the largest value (max
// pooling) or the mean (average pooling). It has no weights; it makes the network
// tolerant of small shifts and cuts the work of the layers after it.
import ConvNet
import Datasets
import LessonKit
import Pictures

let lesson = Lesson(number: 5, title: "Pooling, and the argmax that routes the gradient back",
                    needs: DataNeeds(test: 4, because: "it pools test image 3"))

// The 4×4 example, one image with one channel: 1×1×4×4.
let x = Tensor(shape: [1, 1, 4, 4], data: [
    1, 2, 1, 0,
    0, 1, 2, 3,
    3, 0, 1, 2,
    2, 4, 0, 1,
])
// The gradient arriving from above for each of the four outputs.
let dout = Tensor(shape: [1, 1, 2, 2], data: [10, 20, 30, 40])

let maxPool = MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0)
let averagePool = AveragePooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0)
var mask = Tensor(shape: [4, 4])

lesson.step("Max pooling, forward",
            """
            A 2×2 window at stride 2 cuts the 4×4 input into four blocks, and max pooling \
            keeps the largest number of each: a 2×2 output. The layer also remembers \
            which input won in each window, the argmax; backward needs nothing else. Like \
            the book, the layer (Sources/ConvNet/Layers/MaxPooling.swift) does it through \
            im2col: every window of every channel becomes a row, the output is each row's \
            largest value, and backward puts each gradient in its row's winning column and \
            hands the rows to col2im.
            """) {
    let out = maxPool.forward(x, training: true)
    lesson.show("x", x.reshaped([4, 4]), decimals: 0)
    lesson.show("max pooling 2×2, stride 2", out.reshaped([2, 2]), decimals: 0)
    for winner in maxPool.winners { mask.data[winner] = 1 }
    lesson.show("argmax mask (1 = the input that won its window)", mask, decimals: 0)
}

lesson.step("Max pooling, backward",
            """
            Only the winner affected the output: nudging any other input of the window \
            a little changes nothing. So the whole gradient of each output goes to its \
            winner, and every other input gets 0. Here dout = 10, 20, 30, 40 for the four \
            outputs, to make it easy to see which went where.
            """) {
    let pooled = maxPool.forward(x, training: true)                           // 1×1×2×2, as in the step above
    let dx = maxPool.backward(dout)
    lesson.show("dout", dout.reshaped([2, 2]), decimals: 0)
    lesson.show("dx = dout routed through the argmax", dx.reshaped([4, 4]), decimals: 0)
    let figure = Panels(title: "Max pooling: forward keeps the winner, backward routes to it", panels: [
        HeatMap(title: "x", matrix: Matrix(x), colourMap: .blues, scale: .fixed(0, 4), cellSize: 40,
                cellText: { "\(Int($0))" }).render(),
        HeatMap(title: "pooled (forward)", matrix: Matrix(pooled), colourMap: .blues, scale: .fixed(0, 4), cellSize: 80,
                cellText: { "\(Int($0))" }).render(),
        HeatMap(title: "argmax", matrix: Matrix(mask), colourMap: .blues, scale: .fixed(0, 1), cellSize: 40,
                cellText: { "\(Int($0))" }).render(),
        HeatMap(title: "dout", matrix: Matrix(dout), colourMap: .blues, scale: .fixed(0, 40), cellSize: 80,
                cellText: { "\(Int($0))" }).render(),
        HeatMap(title: "dx", matrix: Matrix(dx), colourMap: .blues, scale: .fixed(0, 40), cellSize: 40,
                cellText: { "\(Int($0))" }).render(),
    ])
    lesson.saveFigure(figure.render(), "max-pooling-backward.png")
}

lesson.step("Average pooling",
            """
            Average pooling keeps the mean of each window instead. Every input counted \
            a quarter towards its output, so backward gives every input a quarter of its \
            output's gradient. Max pooling is the usual choice in image networks: it \
            keeps the strongest response of a feature wherever it sits in the window.
            """) {
    let out = averagePool.forward(x, training: true)
    lesson.show("average pooling 2×2, stride 2", out.reshaped([2, 2]), decimals: 2)
    lesson.show("dx = dout / 4 spread over each window", averagePool.backward(dout).reshaped([4, 4]), decimals: 1)
}

lesson.step("Gradient checks",
            """
            The same check as Lesson 04: compare backward with the numerical slope of \
            L = Σ out ⊙ R. For max pooling the inputs must have no ties (two equal \
            maxima in a window) and keep a gap larger than h between values, or the \
            nudge ±h would change the winner and the slope would jump; random normal \
            numbers spread ten times wider than h are such inputs. Overlapping windows \
            (3×3 at stride 1) are checked too: there an input can win several windows \
            and collects all their gradients.
            """) {
    var rng = lesson.rng
    let input = Tensor.randomNormal([2, 3, 6, 6], std: 10, rng: &rng)
    let layers: [(String, Layer)] = [
        ("2×2 windows, stride 2", MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0)),
        ("3×3 windows, stride 1, padding 1 (overlapping)", MaxPooling(poolHeight: 3, poolWidth: 3, stride: 1, padding: 1)),
        ("2×2 windows, stride 2", AveragePooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0)),
    ]
    for (windows, layer) in layers {
        for result in checkGradients(of: layer, input: input, threshold: 1e-3, rng: &rng) {
            lesson.say("\(windows): \(result.description)")
        }
    }
}

lesson.step("Pooled feature maps of a digit",
            """
            In a network, pooling comes after a convolution and its ReLU (Lesson 07: \
            ReLU keeps positive values and sets negative ones to 0). Four edge filters \
            with padding 1 give four 28×28 maps; ReLU keeps the positive responses; 2×2 \
            max pooling halves each map to 14×14 but keeps every stroke; average pooling \
            blurs them a little.
            """) {
    let data = lesson.loadData()
    let digit = data.test.image(lesson.quick ? 0 : 3).reshaped([1, 1, 28, 28])
    let filters = Tensor(shape: [4, 1, 3, 3], data: [
        -1, 0, 1, -2, 0, 2, -1, 0, 1,         // dark → light, left to right
        1, 0, -1, 2, 0, -2, 1, 0, -1,         // light → dark, left to right
        -1, -2, -1, 0, 0, 0, 1, 2, 1,         // dark → light, top to bottom
        1, 2, 1, 0, 0, 0, -1, -2, -1,         // light → dark, top to bottom
    ])
    let conv = Convolution(weights: filters, bias: .zeros([4]), stride: 1, padding: 1)
    let relu = ReLU()
    let maps = relu.forward(conv.forward(digit, training: false), training: false)  // 1×4×28×28
    let maxed = maxPool.forward(maps, training: false)                                // 1×4×14×14
    let averaged = averagePool.forward(maps, training: false)                         // 1×4×14×14
    lesson.say("digit \(digit.shape) → convolution + ReLU \(maps.shape) → pooling \(maxed.shape)")
    let names = ["left edges", "right edges", "top edges", "bottom edges"]
    // Pooled maps drawn with pixels twice as big, so all three columns are the same size
    // on the page and the coarser grid shows. As in Lesson 00, white is high (black zero),
    // on one scale for all three columns, shown by the colour bar.
    let high = maps.max()
    func grid(_ title: String, _ t: Tensor, pixelSize: Int) -> Canvas {
        var grid = ImageGrid(title: title, maps: Matrix.maps(t), columns: 2, labels: names, scale: .fixed(0, high),
                             colourMap: .grey, pixelSize: pixelSize)
        grid.colourBar = true
        return grid.render()
    }
    let figure = Panels(title: "Edge maps of a digit before and after 2×2 pooling", panels: [
        grid("conv + ReLU, 28×28", maps, pixelSize: 3),
        grid("max pool, 14×14", maxed, pixelSize: 6),
        grid("average pool, 14×14", averaged, pixelSize: 6),
    ])
    lesson.saveFigure(figure.render(), "pooled-feature-maps.png")
}

lesson.exercises([
    Exercise("In MaxPooling.backward (Sources/ConvNet/Layers/MaxPooling.swift), send each gradient to the first "
             + "input of the window instead of the winner (column 0 of dmax for `argmax[row]`). Watch the pooling "
             + "gradient check fail and read which element it names. (BrokenBackwardTests plants the same bug "
             + "without touching the layer.)",
             check: "swift test --disable-xctest --filter ConvNetTests.PoolingTests",
             answer: "docs/answers/Lesson05.md"),
    Exercise("With 3×3 windows at stride 1, one input can win several windows. What should its gradient be? "
             + "Find the test that compares both poolings with naive loops for overlapping windows.",
             check: "swift test --disable-xctest --filter ConvNetTests.PoolingTests",
             answer: "docs/answers/Lesson05.md"),
    Exercise("Why must the gradient check's inputs avoid ties? In Tests/ConvNetTests/PoolingTests.swift, make "
             + "`gradientChecks` use `Tensor(shape: [2, 2, 6, 6], repeating: 1)` as its input, and predict what happens "
             + "before you run it.",
             check: "swift test --disable-xctest --filter ConvNetTests.PoolingTests/gradientChecks",
             answer: "docs/answers/Lesson05.md"),
])
lesson.finish()
