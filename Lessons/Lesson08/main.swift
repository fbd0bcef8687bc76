// swift-format-ignore-file
// Lesson 08: dropout.
// A network with many weights and few examples learns the examples by heart and does
// worse on new ones: overfitting. Dropout switches random units off while training, so
// no unit can rely on any other, and the network has to learn sturdier features.
import Foundation
import ConvNet
import Datasets
import LessonKit
import Pictures

let lesson = Lesson(number: 8, title: "Dropout",
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
            To see overfitting quickly: a deep, wide network (six Affine layers of 100 \
            units, ReLU between them, 0.5 million weights) and only 300 training digits, \
            trained for many epochs with SGD. It can memorise 300 digits easily.
            """) {
    data = lesson.loadData()
    lesson.say("training on the first 300 training digits; testing on \(lesson.quick ? 500 : 2000) test digits")
}

/// The six-layer network, with or without dropout after each hidden ReLU.
@MainActor func deepNetwork(dropout ratio: Float?) -> Network {
    var rng = lesson.rng
    var layers: [Layer] = []
    let sizes = [784, 100, 100, 100, 100, 100, 10]
    for i in 0..<(sizes.count - 1) {
        layers.append(Affine(inputSize: sizes[i], outputSize: sizes[i + 1], weightStd: Network.heStd(fanIn: sizes[i]), rng: &rng))
        if i < sizes.count - 2 {
            layers.append(ReLU())
            if let ratio { layers.append(Dropout(ratio: ratio, seed: UInt64(i + 1))) }
        }
    }
    return Network(layers: layers, inputShape: [1, 28, 28])
}

var runs: [(name: String, history: TrainingHistory)] = []
lesson.step("Training with and without dropout",
            """
            The same network twice, the same 300 digits in the same order: once plain, \
            once with dropout r = 0.2 after each hidden layer. After every epoch, the \
            accuracy on the 300 training digits (measured at test time, without dropout) \
            and on the test digits.
            """) {
    let small = data.train.prefix(300)
    let test = data.test.prefix(lesson.quick ? 500 : 2000)
    let epochs = lesson.quick ? 20 : 300
    for (name, ratio) in [("without dropout", nil), ("with dropout 0.2", Float(0.2))] as [(String, Float?)] {
        let trainer = lesson.trainer(deepNetwork(dropout: ratio), SGD(learningRate: 0.01), train: small,
                                     validation: small, test: test,
                                     options: TrainingOptions(epochs: epochs, batchSize: 100, seed: 3))
        let (history, seconds) = try lesson.time { try trainer.run() }
        let last = history.epochs.last!
        lesson.say(String(format: "%@: after %d epochs (%.1f s), training digits %.1f %%, test digits %.1f %%, gap %.1f points",
                          name, epochs, seconds, 100 * (last.validationAccuracy ?? 0), 100 * (last.testAccuracy ?? 0),
                          100 * ((last.validationAccuracy ?? 0) - (last.testAccuracy ?? 0))))
        runs.append((name, history))
    }
}

lesson.step("Overfitting, and what dropout does to it",
            """
            Without dropout the training accuracy races to 100 % while the test accuracy \
            stops far below it: the gap is what the network memorised rather than \
            learned, and once every training digit is right, there is nothing left to \
            learn from. With dropout the training accuracy climbs more slowly, since \
            every step trains a different thinned network, and the curves stay closer \
            for longer. On 300 digits that is all it buys: the test accuracy ends about \
            where it was. Dropout pays off in bigger networks trained on more data, where \
            it keeps the units from relying on each other; Lesson 10's network uses it.
            """) {
    var series: [LineChart.Series] = []
    for (i, run) in runs.enumerated() {
        let epochs = run.history.epochs.map { Double($0.epoch) }
        let colour = Colour.series[i]
        series.append(.init(name: "\(run.name): training digits", x: epochs,
                            y: run.history.epochs.map { 100 * ($0.validationAccuracy ?? 0) }, colour: colour))
        series.append(.init(name: "\(run.name): test digits", x: epochs,
                            y: run.history.epochs.map { 100 * ($0.testAccuracy ?? 0) }, colour: colour, dashed: true))
    }
    let chart = LineChart(title: "300 training digits, six layers: accuracy by epoch", series: series,
                          xLabel: "epoch", yLabel: "accuracy (%)", yRange: 0...100)
    lesson.saveFigure(chart.render(), "overfitting.png")
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
