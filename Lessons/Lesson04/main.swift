// swift-format-ignore-file
// Lesson 04: the Convolution layer, forward and backward.
// Forward is im2col and one matrix multiply (Lesson 03). Backward needs three things:
// the gradient for the bias, for the weights, and for the input, each one more product.
import ConvNet
import Datasets
import LessonKit
import Pictures

let lesson = Lesson(number: 4, title: "Convolution forward and backward",
                    needs: DataNeeds(training: 32, because: "it learns a filter from 32 training images"))

/// An RGB-like 3×32×32 picture: red rises left to right, green top to bottom, and blue
/// is a bright disc in the middle.
func colourfulImage() -> Tensor {
    var x = Tensor(shape: [1, 3, 32, 32])
    for r in 0..<32 {
        for c in 0..<32 {
            x[0, 0, r, c] = Float(c) / 31
            x[0, 1, r, c] = Float(r) / 31
            let d = Float((r - 16) * (r - 16) + (c - 16) * (c - 16)).squareRoot()
            x[0, 2, r, c] = d < 10 ? 1 : 0
        }
    }
    return x
}

let rgb = colourfulImage()                                             // 1×3×32×32
let layer = Convolution(filters: 4, channels: 3, filterHeight: 5, filterWidth: 5, stride: 1, padding: 2,
                        weightStd: 0.1, rng: &lesson.rng)
layer.b.value = Tensor(shape: [4], data: [0.1, -0.2, 0.3, 0])

lesson.step("Forward on several channels",
            """
            A colour image has three channels, so each filter has three 5×5 slices, one \
            per channel: the weights are FN×C×FH×FW = 4×3×5×5. An output pixel is the sum \
            of C·FH·FW = 75 products (every channel's window times its slice) plus the \
            filter's one bias. The channels are summed, not kept apart: 4 filters give 4 \
            output maps, whatever the number of input channels. The layer pads by 2, so \
            the maps stay 32×32: (32 + 2·2 − 5)/1 + 1 = 32 (Lesson 02).
            """) {
    let out = layer.forward(rgb, training: true)
    lesson.say("x \(rgb.shape), W \(layer.W.value.shape), b \(layer.b.value.shape) → out \(out.shape)")
    // Output (f = 1, y = 10, x = 20) by the definition: 75 products and a bias.
    let (f, y, xo) = (1, 10, 20)
    var sum = layer.b.value[f]
    var products = 0
    for c in 0..<3 {
        for i in 0..<5 {
            for j in 0..<5 {
                let (r, col) = (y - 2 + i, xo - 2 + j)                  // padding 2
                if r >= 0 && r < 32 && col >= 0 && col < 32 { sum += rgb[0, c, r, col] * layer.W.value[f, c, i, j] }
                products += 1
            }
        }
    }
    lesson.say(String(format: "out[0, %d, %d, %d] by hand: %d products + bias = %.6f; the layer says %.6f",
                      f, y, xo, products, sum, out[0, f, y, xo]))
}

lesson.step("Backward: the three gradients and their shapes",
            """
            Backward receives dout, the gradient of the loss for every output: N×FN×OH×OW, \
            the shape of the output. Reorder it to a (N·OH·OW)×FN matrix, one row per \
            output pixel, like the forward product out = col · Wᵀ + b. Then:
            - db = the sum of dout over every pixel of every image: one number per filter, FN.
            - dW = doutᵀ · col: (FN × N·OH·OW)(N·OH·OW × C·FH·FW) = FN × C·FH·FW, reshaped to \
            FN×C×FH×FW, the shape of W (each weight collects input × gradient over all \
            the places it was used).
            - dcol = dout · W: (N·OH·OW × FN)(FN × C·FH·FW), the shape of col; col2im adds \
            it back into dx, N×C×H×W, the shape of x (Lesson 03).

            Every gradient has the shape of the thing it is the gradient of.
            """) {
    let out = layer.forward(rgb, training: true)
    let dout = Tensor.randomNormal(out.shape, rng: &lesson.rng)
    let dx = layer.backward(dout)
    lesson.table(["gradient", "shape", "has the shape of"], [
        ["dout", "\(dout.shape)", "out"],
        ["db", "\(layer.db.shape)", "b"],
        ["dW", "\(layer.dW.shape)", "W"],
        ["dx", "\(dx.shape)", "x"],
    ])
    var db1: Float = 0
    for y in 0..<32 { for x in 0..<32 { db1 += dout[0, 1, y, x] } }
    lesson.say(String(format: "db[1] = Σ dout[0, 1, :, :] = %.5f; the layer says %.5f", db1, layer.db[1]))
}

lesson.step("A gradient check",
            """
            Is backward right? Nudge each input and each weight by ±h, run forward again, \
            and see how L = Σ out ⊙ R changes, for a fixed random R: the slope (L(+h) − \
            L(−h))/2h is the numerical gradient, and backward(R) must agree with it. \
            Relative error = largest |analytic − numerical| / largest |analytic| + \
            |numerical|; with Float and h = 0.01 it should be below 1e-3. Small sizes \
            keep the check quick: each of the numbers needs two forward passes.
            """) {
    var rng = lesson.rng
    let small = Convolution(filters: 3, channels: 3, filterHeight: 3, filterWidth: 3, stride: 2, padding: 1,
                            weightStd: 0.5, rng: &rng)
    small.b.value = .randomNormal([3], rng: &rng)
    let x = Tensor.randomNormal([2, 3, 7, 7], rng: &rng)
    for result in checkGradients(of: small, input: x, threshold: 1e-3, rng: &rng) {
        lesson.say(result.description)
    }
}

var data: MNIST!
lesson.step("Learning an edge filter back from its outputs",
            """
            Backward is what learning runs on. Filter some digits with a known 3×3 \
            vertical-edge filter to get targets; then start a second Convolution layer \
            from random weights and let gradient descent find the filter again. The loss \
            is half the mean squared difference, whose gradient for each output is \
            (out − target)/count; the layer's own backward turns that into dW and db, \
            and gradient descent with momentum steps against them: it keeps a velocity \
            v ← 0.9·v − lr·∂L/∂W and moves W ← W + v, so steps along a steady slope \
            grow (Lesson 07 compares it with plain SGD, RMSprop and Adam).
            """) {
    data = lesson.loadData()
    let x = data.train.firstBatch(lesson.quick ? 8 : 32).x                   // N×1×28×28
    let truth = Convolution(weights: Tensor(shape: [1, 1, 3, 3], data: [-1, 0, 1, -2, 0, 2, -1, 0, 1]),
                            bias: .zeros([1]), stride: 1, padding: 1)
    let target = truth.forward(x, training: false)                           // N×1×28×28
    var rng = lesson.rng
    let learner = Convolution(filters: 1, channels: 1, filterHeight: 3, filterWidth: 3, stride: 1, padding: 1,
                              weightStd: 0.5, rng: &rng)
    let start = learner.W.value
    let optimizer = Momentum(learningRate: 0.5, momentum: 0.9)
    var losses: [Double] = []
    let steps = lesson.quick ? 150 : 300
    for step in 0...steps {
        let out = learner.forward(x, training: true)
        let diff = out - target
        let loss = 0.5 * (diff * diff).mean()
        losses.append(Double(loss))
        if step % 50 == 0 { lesson.say(String(format: "step %3d   loss %.2e", step, loss)) }
        if step == steps { break }
        _ = learner.backward(diff * (1 / Float(diff.count)))
        optimizer.update(learner.parameters)
    }
    lesson.show("true filter", truth.W.value.reshaped([3, 3]), decimals: 3)
    lesson.show("learned filter", learner.W.value.reshaped([3, 3]), decimals: 3)
    lesson.say(String(format: "learned bias %.4f (true 0); largest weight error %.4f",
                      learner.b.value[0], learner.W.value.maxAbsDifference(truth.W.value)))
    let cell = 40
    func weights(_ t: Tensor, _ title: String) -> Canvas {
        HeatMap(title: title, matrix: Matrix(t), colourMap: .diverging, scale: .fixed(-2, 2), cellSize: cell,
                cellText: { String(format: "%.2f", $0) }).render()
    }
    var chart = LineChart(title: "loss", series: [.init(name: "½ mean (out − target)²", y: losses)],
                          xLabel: "step", yLabel: "loss (log scale)")
    chart.logarithmicY = true                  // it falls from about 1 to 1e-8: a straight scale would show nothing after step 50
    var small = chart
    small.width = 420
    small.height = 260
    let figure = Panels(title: "Learning a 3×3 edge filter with the layer's own backward", panels: [
        weights(start, "start (random)"), weights(learner.W.value, "learned"), weights(truth.W.value, "true"),
        small.render(),
    ])
    lesson.saveFigure(figure.render(), "learned-edge-filter.png")
}

lesson.step("Thirty random filters on a digit",
            """
            Lesson 09's network starts with 30 random 5×5 filters like these. Random \
            filters are rough blurs and edge detectors in random directions; each gives \
            a 24×24 feature map of the digit. Training will shape them into the strokes \
            and edges that tell digits apart.
            """) {
    let digit = data.train.image(0).reshaped([1, 1, 28, 28])
    var rng = lesson.rng
    let conv = Convolution(filters: 30, channels: 1, filterHeight: 5, filterWidth: 5, stride: 1, padding: 0,
                           weightStd: Network.heStd(fanIn: 25), rng: &rng)
    let maps = conv.forward(digit, training: false)                         // 1×30×24×24
    lesson.say("digit \(digit.shape) → 30 feature maps \(maps.shape)")
    let figure = Panels(title: "30 random 5×5 filters and their feature maps", panels: [
        ImageGrid(title: "filters", maps: Matrix.maps(conv.W.value), columns: 5, scale: .sharedSymmetric,
                  colourMap: .diverging, pixelSize: 8).render(),
        ImageGrid(title: "feature maps", maps: Matrix.maps(maps), columns: 5, scale: .sharedSymmetric,
                  colourMap: .diverging, pixelSize: 2).render(),
    ])
    lesson.saveFigure(figure.render(), "random-filters.png")
}

lesson.exercises([
    Exercise("Swap the sign of dx in Convolution.backward (Sources/ConvNet/Layers/Convolution.swift): "
             + "`let dcol = matrixMultiply(d, w) * -1`. Run the gradient check. What relative error does it "
             + "report, and for which parameter?",
             check: "swift test --disable-xctest --filter ConvNetTests.ConvolutionTests",
             answer: "docs/answers/Lesson04.md"),
    Exercise("Forget the 1/count in the learning step above: in Lessons/Lesson04/main.swift write "
             + "`_ = learner.backward(diff)`. With the same learning rate, what happens to the loss? The lesson's "
             + "own test notices; BrokenBackwardTests.missingOneOverNInTheLoss catches the same slip in the real loss.",
             check: "swift test --disable-xctest --filter LessonTests.Lessons01To06Tests/lesson04",
             answer: "docs/answers/Lesson04.md"),
    Exercise("An RGB input of 3×32×32 and 16 filters of 5×5 with padding 2: how many weights and biases, and "
             + "how many multiply-adds per image? Check the multi-channel test's idea of what an output sums.",
             check: "swift test --disable-xctest --filter ConvNetTests.ConvolutionTests/rgbOutputSumsAllChannels",
             answer: "docs/answers/Lesson04.md"),
])
lesson.finish()
