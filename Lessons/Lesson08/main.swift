// swift-format-ignore-file
// Lesson 08: dropout, weight decay and shifted digits.
// A network with many weights and few examples learns the examples by heart and does
// worse on new ones: overfitting. Dropout switches random units off while training, so
// no unit can rely on any other; weight decay keeps the weights small; randomly shifted
// digits give the network new examples without new data.
import Foundation
import ConvNet
import Datasets
import LessonKit
import Pictures

let lesson = Lesson(number: 8, title: "Dropout, weight decay and shifted digits",
                    needs: DataNeeds(training: 300, test: 10, because: "it trains on 300 training images"))

lesson.step("Dropout, forward and backward",
            """
            While training, dropout keeps each value with probability 1 − r and sets the \
            others to 0; backward lets the gradient through the same kept positions only. \
            This course uses inverted dropout: the kept values are divided by 1 − r while \
            training, so the mean activation is the same as at test time, where dropout \
            does nothing at all. (The book instead multiplies by 1 − r at test time; the \
            expected values are the same.) Here r = 0.5 on ten values of 1:
            """) {
    let dropout = Dropout(ratio: 0.5, seed: lesson.options.seed)
    let x = Tensor(shape: [1, 10], repeating: 1)
    lesson.show("training forward (kept values scaled by 1/(1 − 0.5) = 2)", dropout.forward(x, training: true), decimals: 0)
    lesson.show("backward of dout = 1: only the kept positions", dropout.backward(Tensor(shape: [1, 10], repeating: 1)), decimals: 0)
    lesson.show("test-time forward: unchanged", dropout.forward(x, training: false), decimals: 0)
    var rng = lesson.rng
    let big = Tensor.randomUniform([1000, 100], 0, 1, rng: &rng)
    let mean = dropout.forward(big, training: true).mean()
    lesson.say(String(format: "mean of 100000 values: %.4f before, %.4f after training-mode dropout", big.mean(), mean))
}

var data: MNIST!
lesson.step("An overfitting set-up",
            """
            To see overfitting quickly: Lesson 09's convolutional network (30 filters of \
            5×5, pooling, a hidden layer of 100, 0.43 million weights) and only 300 \
            training digits, trained for many epochs with Adam. It can learn 300 digits \
            by heart. The runs below go through the engine, the fast twin of the layers \
            that Lesson 09 introduces; the numbers are the same.
            """) {
    data = lesson.loadData()
    lesson.say("the network: \(convNet(dropout: nil).parameterCount) weights and biases")
    lesson.say("training on the first 300 training digits; testing on \(lesson.quick ? 500 : 2000) test digits")
}

/// Lesson 09's SimpleConvNet, with dropout after the pooling and after the hidden layer if
/// `ratio` is given:
///     x: N×1×28×28 → Conv 30 5×5 → ReLU → MaxPool 2×2 → N×30×12×12 → [Dropout]
///       → Affine 4320→100 → ReLU → [Dropout] → Affine 100→10
@MainActor func convNet(dropout ratio: Float?) -> Network {
    var rng = lesson.rng
    var layers: [Layer] = [
        Convolution(filters: 30, channels: 1, filterHeight: 5, filterWidth: 5, stride: 1, padding: 0,
                    weightStd: Network.heStd(fanIn: 25), rng: &rng),
        ReLU(), MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0),
    ]
    if let ratio { layers.append(Dropout(ratio: ratio, seed: 1)) }
    layers += [Affine(inputSize: 4320, outputSize: 100, weightStd: Network.heStd(fanIn: 4320), rng: &rng), ReLU()]
    if let ratio { layers.append(Dropout(ratio: ratio, seed: 2)) }
    layers.append(Affine(inputSize: 100, outputSize: 10, weightStd: Network.heStd(fanIn: 100), rng: &rng))
    return Network(layers: layers, inputShape: [1, 28, 28]).onEngine()
}

/// The four runs: the same network, digits, order and start, regularised three ways.
struct Run {
    let name: String
    let dropout: Float?
    let weightDecay: Float
    let shift: Int
    var history = TrainingHistory()
    var weightSize = 0.0                       // root mean square of every weight after training
    var training: Double { 100 * (history.epochs.last?.validationAccuracy ?? 0) }
    var test: Double { 100 * (history.epochs.last?.testAccuracy ?? 0) }
    var gap: Double { training - test }
}
var runs = [
    Run(name: "plain", dropout: nil, weightDecay: 0, shift: 0),
    Run(name: "dropout 0.5", dropout: 0.5, weightDecay: 0, shift: 0),
    Run(name: "weight decay 0.03", dropout: nil, weightDecay: 0.03, shift: 0),
    Run(name: "shifts of up to 2 pixels", dropout: nil, weightDecay: 0, shift: 2),
]
lesson.step("Training plain, and regularised three ways",
            """
            The same network four times, from the same start, on the same 300 digits in \
            the same order. Plain; with dropout r = 0.5 after the pooling and after the \
            hidden layer; with weight decay, the book's chapter 6: the loss gains \
            λ/2 · ΣW² over every weight (not the biases), so each step also pulls every \
            weight towards 0 by λ·W; and with data augmentation: each time a digit is \
            drawn for a batch, it is moved by a random 0, 1 or 2 pixels up or down and \
            left or right, so the network never sees exactly the same picture twice. \
            After every epoch, the accuracy on the 300 training digits (measured as at \
            test time: no dropout, no shifts) and on the test digits.
            """) {
    let small = data.train.prefix(300)
    let test = data.test.prefix(lesson.quick ? 500 : 2000)
    let epochs = lesson.quick ? 10 : 100
    for i in runs.indices {
        var options = TrainingOptions(epochs: epochs, batchSize: 100, seed: 3)
        options.weightDecay = runs[i].weightDecay
        options.shiftPixels = runs[i].shift
        let trainer = lesson.trainer(convNet(dropout: runs[i].dropout), Adam(learningRate: 0.001), train: small,
                                     validation: small, test: test, options: options)
        let (history, seconds) = try lesson.time { try trainer.run() }
        runs[i].history = history
        let weights = trainer.network.parameters.filter { $0.name == "W" }.flatMap { $0.value.data }
        runs[i].weightSize = (weights.reduce(0) { $0 + Double($1 * $1) } / Double(weights.count)).squareRoot()
        lesson.say(String(format: "%@: %d epochs in %.1f s", runs[i].name, epochs, seconds))
    }
    lesson.table(["run", "training digits", "test digits", "gap (points)", "weights (RMS)"], runs.map {
        [$0.name, String(format: "%.1f %%", $0.training), String(format: "%.1f %%", $0.test), String(format: "%.1f", $0.gap),
         String(format: "%.4f", $0.weightSize)]
    })
    // What each regulariser changed, against the plain run, from the table's numbers.
    let plain = runs[0]
    for run in runs.dropFirst() {
        lesson.say(String(format: "%@: test accuracy %@ by %.1f points, gap %@ by %.1f points", run.name,
                          run.test >= plain.test ? "up" : "down", abs(run.test - plain.test),
                          run.gap <= plain.gap ? "narrower" : "wider", abs(run.gap - plain.gap)))
    }
    let best = runs.max { $0.test < $1.test }!
    lesson.say(String(format: "highest test accuracy: %@, %.1f %%", best.name, best.test))
}

lesson.step("Overfitting, and what the regularisers do to it",
            """
            Left, the training digits; right, the test digits. Every run learns the 300 \
            training digits, and the test curves show how much of that carries over to \
            digits it has never seen; the difference is what was memorised rather than \
            learned. Dropout trains a different thinned network at every step, so no unit \
            can rely on another; weight decay keeps the weights small (the table's last \
            column); shifted digits are \
            new examples for free. The lines above say by how much each moved the test \
            accuracy and the gap in this run.
            """) {
    func chart(_ title: String, _ runs: [Run], _ value: (EpochRecord) -> Double?) -> Canvas {
        let series = runs.enumerated().map { i, run in
            LineChart.Series(name: run.name, x: run.history.epochs.map { Double($0.epoch) },
                             y: run.history.epochs.map { 100 * (value($0) ?? 0) }, colour: Colour.series[i])
        }
        var chart = LineChart(title: title, series: series, xLabel: "epoch", yLabel: "accuracy (%)", yRange: 50...100)
        chart.width = 520
        return chart.render()
    }
    let figure = Panels(title: "300 training digits: accuracy by epoch, plain and regularised", panels: [
        chart("on the 300 training digits", runs, { $0.validationAccuracy }),
        chart("on the test digits", runs, { $0.testAccuracy }),
    ])
    lesson.saveFigure(figure.render(), "overfitting.png")
}

lesson.exercises([
    Exercise("Dropout's test that the mean activation is unchanged: what would it see with the book's "
             + "scaling (no division while training)? Work it out for r = 0.5, then try it: in "
             + "Sources/ConvNet/Layers/Dropout.swift write `let keep: Float = 1`, and run the test.",
             check: "swift test --disable-xctest --filter ConvNetTests.AffineAndActivationTests/dropoutKeepsTheMean",
             answer: "docs/answers/Lesson08.md"),
    Exercise("Run a gradient check on Dropout: why must the mask stay the same between the nudged forward passes? "
             + "(Look for `freezesMask`.)",
             check: "swift test --disable-xctest --filter ConvNetTests.AffineAndActivationTests/gradientChecks",
             answer: "docs/answers/Lesson08.md"),
    Exercise("The same seed must give the same masks and so the same trained weights. Which test holds "
             + "training with dropout to bit-identical parameters?",
             check: "swift test --disable-xctest --filter ConvNetTests.TrainerTests/sameSeedSameParameters",
             answer: "docs/answers/Lesson08.md"),
])
lesson.finish()
