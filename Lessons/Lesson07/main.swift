// swift-format-ignore-file
// Lesson 07: mini-batch, batch and online learning.
// How many examples should one step of gradient descent look at? One (online), all of
// them (batch), or a hundred or so (mini-batch)? A small network on real digits answers.
import Foundation
import ConvNet
import Datasets
import LessonKit
import Pictures

let lesson = Lesson(number: 7, title: "Mini-batch, batch and online learning",
                    needs: DataNeeds(training: 100, test: 10, because: "it compares batch sizes up to 100"))

/// "After 5 epochs the lowest final loss is batch 1 (online)'s, 0.265; then …": the
/// comparison the prose would otherwise claim, read off this run's own numbers.
func ranking(_ when: String, _ names: [String], _ losses: [Double]) -> String {
    let order = losses.indices.sorted { losses[$0] < losses[$1] }
    let rest = order.dropFirst().map { String(format: "%@ %.3f", names[$0], losses[$0]) }.joined(separator: ", then ")
    return String(format: "%@ the lowest final loss is %@'s, %.3f; then %@.", when, names[order[0]], losses[order[0]], rest)
}

lesson.step("Affine and ReLU",
            """
            The network of this lesson has two kinds of layer. Affine (fully connected) \
            multiplies its input by a weight matrix and adds a bias: out = x·W + b, with x \
            N×D, W D×M, out N×M; an image is first flattened to D = 784 numbers. ReLU \
            keeps positive values and sets the others to 0; backward lets the gradient \
            through where the input was positive and stops it elsewhere. Both pass their \
            gradient checks:
            """) {
    var rng = lesson.rng
    let affine = Affine(inputSize: 4, outputSize: 3, weightStd: 0.5, rng: &rng)
    let x = Tensor.randomNormal([2, 4], rng: &rng)
    lesson.say("Affine: x \(x.shape) · W \(affine.W.value.shape) + b \(affine.b.value.shape) → \(affine.forward(x, training: false).shape)")
    let relu = ReLU()
    let r = Tensor(shape: [1, 5], data: [-2, -0.5, 0.5, 1, 3])
    lesson.show("ReLU input", r, decimals: 1)
    lesson.show("ReLU output", relu.forward(r, training: true), decimals: 1)
    lesson.show("ReLU backward of dout = 1 everywhere", relu.backward(Tensor(shape: [1, 5], repeating: 1)), decimals: 1)
    var checkRng = lesson.rng
    let input = Tensor.randomNormal([3, 2, 2, 2], rng: &checkRng)      // any shape: Affine flattens it
    let layer = Affine(inputSize: 8, outputSize: 5, weightStd: 0.5, rng: &checkRng)
    for result in checkGradients(of: layer, input: input, threshold: 1e-3, rng: &checkRng)
        + checkGradients(of: ReLU(), input: input, threshold: 1e-3, rng: &checkRng) {
        lesson.say(result.description)
    }
}

var data: MNIST!
var train: LabelledImages!
var test: LabelledImages!
lesson.step("The network and the data",
            """
            The 784-64-10 multilayer perceptron: Affine 784→64, ReLU, Affine 64→10, then \
            SoftmaxWithLoss. To keep the lesson quick we train on the first 10000 training \
            digits and test on 2000.
            """) {
    data = lesson.loadData()
    train = data.train.prefix(lesson.quick ? 1000 : 10000)
    test = data.test.prefix(lesson.quick ? 500 : 2000)
    var rng = lesson.rng
    let network = Network.mlp(sizes: [784, 64, 10], rng: &rng)
    lesson.say("\(train.count) training and \(test.count) test digits; \(network.parameterCount) parameters")
}

/// One run of plain SGD with a given batch size, recording the loss on a fixed sample of
/// training digits as it goes, against the number of examples seen and against time.
struct Run {
    var batchSize: Int
    var examplesSeen: [Double] = [], seconds: [Double] = [], loss: [Double] = []
    var steps = 0
    var testAccuracy = 0.0
}

@MainActor func sgdRun(batchSize: Int, learningRate: Float, epochs: Int?, timeLimit: Double?) -> Run {
    var rng = lesson.rng
    let network = Network.mlp(sizes: [784, 64, 10], rng: &rng)
    let optimizer = SGD(learningRate: learningRate)
    let probe = train.firstBatch(1000)                      // the loss is measured on these
    var run = Run(batchSize: batchSize)
    let start = DispatchTime.now().uptimeNanoseconds
    func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    var seen = 0, nextProbe = 0, measuring = 0.0
    func record() {
        let t0 = elapsed()
        run.examplesSeen.append(Double(seen))
        run.loss.append(Double(network.loss(probe.x, labels: probe.labels, training: false)))
        measuring += elapsed() - t0
        run.seconds.append(elapsed() - measuring)           // time spent learning, not measuring
        nextProbe += max(train.count / 20, batchSize)
    }
    record()
    var epoch = 0
    training: while epochs.map({ epoch < $0 }) ?? true {
        for indices in train.shuffledBatches(size: batchSize, rng: &rng) {
            if let limit = timeLimit, elapsed() - measuring >= limit { break training }
            let (x, labels) = train.batch(indices)
            network.gradient(x, labels: labels)
            optimizer.update(network.parameters)
            seen += indices.count
            run.steps += 1
            if seen >= nextProbe { record() }
        }
        epoch += 1
    }
    if run.examplesSeen.last != Double(seen) { record() }
    let (tx, tl) = test.firstBatch(test.count)
    run.testAccuracy = network.accuracy(tx, labels: tl)
    return run
}

lesson.step("Equal epochs: batch size 1, 100 and the whole set",
            """
            Each run sees every training digit the same number of times \
            (\(lesson.quick ? 2 : 5) epochs) with SGD at learning rate 0.05. Online \
            learning (batch 1) takes a step after every digit: many small, noisy steps, \
            each a tiny, slow product. Batch learning takes one careful step per epoch. \
            Mini-batches of 100 sit between: a gradient almost as good as the full one, \
            at a hundredth of the cost, and one matrix multiply per step instead of a \
            hundred tiny ones. The table says which got furthest in this run.
            """) {
    let epochs = lesson.quick ? 2 : 5
    var runs: [Run] = []
    for size in [1, 100, train.count] {
        runs.append(sgdRun(batchSize: size, learningRate: 0.05, epochs: epochs, timeLimit: nil))
    }
    let names = ["batch 1 (online)", "batch 100 (mini-batch)", "batch \(train.count) (whole set)"]
    lesson.table(["run", "steps", "seconds", "final loss", "test accuracy"], zip(names, runs).map { name, r in
        [name, "\(r.steps)", String(format: "%.2f", r.seconds.last ?? 0), String(format: "%.3f", r.loss.last ?? 0),
         String(format: "%.1f %%", 100 * r.testAccuracy)]
    })
    var byEpoch = LineChart(title: "Loss against epochs", series: zip(names, runs).map { name, r in
        .init(name: name, x: r.examplesSeen.map { $0 / Double(train.count) }, y: r.loss)
    }, xLabel: "epochs (examples seen / \(train.count))", yLabel: "loss on 1000 training digits")
    var byTime = LineChart(title: "Loss against time", series: zip(names, runs).map { name, r in
        .init(name: name, x: r.seconds, y: r.loss)
    }, xLabel: "seconds of training", yLabel: "loss on 1000 training digits")
    (byEpoch.yTickCount, byTime.yTickCount) = (10, 10)   // final losses near 0.3 can be read off
    (byEpoch.yRange, byTime.yRange) = (0...3.2, 0...3.2)   // room above the curves for the legend
    lesson.say(ranking("After \(epochs) epochs", names, runs.map { $0.loss.last ?? .infinity }))
    lesson.saveFigure(Panels(title: "SGD with three batch sizes, equal epochs", panels: [byEpoch.render(), byTime.render()]).render(),
                      "batch-sizes.png")
}

lesson.step("Equal time",
            """
            What matters in practice is how good the network gets in the time you have. \
            Each batch size now trains for the same wall-clock time. Online learning \
            pays the overhead of a step for every digit; the whole-set batch makes \
            progress only a few times. Which wins depends on the machine, so the lesson \
            reads it off the table.
            """) {
    let seconds = lesson.quick ? 0.3 : 2.0
    var rows: [[String]] = [], losses: [Double] = []
    for size in [1, 100, train.count] {
        let r = sgdRun(batchSize: size, learningRate: 0.05, epochs: nil, timeLimit: seconds)
        losses.append(r.loss.last ?? .infinity)
        rows.append(["batch \(size)", "\(r.steps)", String(format: "%.1f", (r.examplesSeen.last ?? 0) / Double(train.count)),
                     String(format: "%.3f", r.loss.last ?? 0), String(format: "%.1f %%", 100 * r.testAccuracy)])
    }
    lesson.say(String(format: "%.1f seconds of training each:", seconds))
    lesson.table(["run", "steps", "epochs", "final loss", "test accuracy"], rows)
    lesson.say(ranking(String(format: "In %.1f seconds", seconds), rows.map { $0[0] }, losses))
}

lesson.step("SGD, Momentum, RMSprop and Adam",
            """
            Same network, batches of 100, three epochs, four update rules (Lesson 04 and \
            the comments in Sources/ConvNet/Training/Optimizers.swift write each one out). \
            Momentum and Adam carry speed from step to step; RMSprop and Adam give each \
            weight its own step size. The curve is the loss of each step, averaged over \
            20 steps to calm the noise of the batches.
            """) {
    let optimizers: [Optimizer] = [SGD(learningRate: 0.05), Momentum(learningRate: 0.05, momentum: 0.9),
                                   RMSprop(learningRate: 0.001, decay: 0.99), Adam(learningRate: 0.001)]
    var series: [LineChart.Series] = []
    var rows: [[String]] = []
    for optimizer in optimizers {
        var rng = lesson.rng
        let network = Network.mlp(sizes: [784, 64, 10], rng: &rng)
        let trainer = lesson.trainer(network, optimizer, train: train, test: test,
                                     options: TrainingOptions(epochs: lesson.quick ? 1 : 3, batchSize: 100, seed: 7))
        let history = try trainer.run()
        let losses = history.stepLosses.map(Double.init)
        let smooth = losses.indices.map { i in losses[max(0, i - 19)...i].reduce(0, +) / Double(i - max(0, i - 19) + 1) }
        series.append(.init(name: optimizer.name, y: smooth))
        rows.append([optimizer.name, String(format: "%.3f", smooth.last ?? 0),
                     String(format: "%.1f %%", 100 * (history.epochs.last?.testAccuracy ?? 0))])
    }
    lesson.table(["optimizer", "final loss (mean of 20 steps)", "test accuracy"], rows)
    let chart = LineChart(title: "Four optimizers on the 784-64-10 network", series: series,
                          xLabel: "step (batch of 100)", yLabel: "loss, mean of 20 steps")
    lesson.saveFigure(chart.render(), "optimizers.png")
}

lesson.exercises([
    Exercise("Make ReLU's backward (Sources/ConvNet/Layers/ReLU.swift) pass the gradient everywhere: forget "
             + "the mask (`gradient` for `blocked ? 0 : gradient`). Which check fails, and what does it say?",
             check: "swift test --disable-xctest --filter ConvNetTests.AffineAndActivationTests",
             answer: "docs/answers/Lesson07.md"),
    Exercise("Work out by hand the first two Momentum steps for a weight 1.0 with gradient 0.5, lr 0.1, "
             + "momentum 0.9 (the gradient staying 0.5). Compare with the test of the first steps.",
             check: "swift test --disable-xctest --filter ConvNetTests.OptimizerTests",
             answer: "docs/answers/Lesson07.md"),
    Exercise("Why does one epoch of batch size 1 take so much longer than one of batch size 100, although "
             + "both do the same multiply-adds? (Look at the steps column.)",
             check: "swift test --disable-xctest --filter ConvNetTests.MatrixMultiplyTests",
             answer: "docs/answers/Lesson07.md"),
])
lesson.finish()
