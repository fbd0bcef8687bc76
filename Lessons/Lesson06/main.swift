// swift-format-ignore-file
// Lesson 06: softmax and cross-entropy.
// The last layer of a classifier turns ten scores into ten probabilities (softmax) and
// scores them against the true label (cross-entropy). Together their gradient is just
// (y − t)/N, the difference between what the network said and what was true.
import Foundation
import ConvNet
import Datasets
import LessonKit
import Pictures

let lesson = Lesson(number: 6, title: "Softmax and cross-entropy",
                    needs: DataNeeds(training: 100, test: 10, because: "it trains a classifier and tests it"))

/// Softmax straight from its definition: y_k = exp(a_k) / Σ_j exp(a_j). One row of scores.
func naiveSoftmax(_ a: [Float]) -> [Float] {
    let e = a.map { Foundation.exp($0) }
    let sum = e.reduce(0, +)
    return e.map { $0 / sum }
}

func formatted(_ values: [Float], _ decimals: Int = 4) -> String {
    "[" + values.map { String(format: "%.\(decimals)f", $0) }.joined(separator: ", ") + "]"
}

lesson.step("Softmax, and why the naive formula overflows",
            """
            Softmax turns scores a into probabilities y_k = exp(a_k) / Σ_j exp(a_j): all \
            positive, summing to 1, largest where the score is largest. But exp grows \
            fast: a Float holds at most about 3.4e38 = exp(88.7), so a score of 1000 \
            overflows to infinity, and infinity / infinity is NaN (not a number).
            """) {
    let modest: [Float] = [0.3, 2.9, 4.0]
    lesson.say("scores \(modest) → naive softmax \(formatted(naiveSoftmax(modest)))")
    let large: [Float] = [1010, 1000, 990]
    lesson.say("scores \(large) → naive softmax \(naiveSoftmax(large))")
    lesson.say("exp(1010) as a Float: \(Foundation.exp(Float(1010)))")
}

lesson.step("Stable softmax: subtract the largest score first",
            """
            Multiplying the top and bottom of the fraction by exp(−C) changes nothing: \
            y_k = exp(a_k − C) / Σ_j exp(a_j − C). With C the largest score, every \
            exponent is at most 0, so exp gives at most 1 and cannot overflow; the \
            largest term is exactly 1, so the sum cannot underflow to 0 either. The \
            core's softmax does this, row by row.
            """) {
    let large: [Float] = [1010, 1000, 990]
    let shifted = large.map { $0 - large.max()! }
    lesson.say("scores − max = \(shifted)")
    let y = softmax(Tensor(shape: [1, 3], data: large))
    lesson.say("stable softmax \(formatted(y.data, 8)), sum \(y.sum())")
    let same = softmax(Tensor(shape: [1, 3], data: [0.3, 2.9, 4.0]))
    lesson.say("and for the modest scores: \(formatted(same.data)), as before")
}

lesson.step("Cross-entropy with one-hot labels",
            """
            The loss compares the probabilities y with the one-hot target t (Lesson 00): \
            E = −Σ_k t_k log y_k. Only the true class's term survives, so E = −log \
            y_true: 0 when the network gives the true class probability 1, growing \
            without limit as that probability goes to 0. For a batch, the mean over its \
            N rows. Here the true class is 2.
            """) {
    let t = oneHot([2], classes: 10)
    let good: [Float] = [0.1, 0.05, 0.6, 0, 0.05, 0.1, 0, 0.1, 0, 0]
    let bad: [Float] = [0.1, 0.05, 0.1, 0, 0.05, 0.1, 0, 0.6, 0, 0]
    lesson.show("t = oneHot(2)", t, decimals: 0)
    for (name, y) in [("confident and right", good), ("confident and wrong", bad)] {
        var e: Float = 0
        for k in 0..<10 where t.data[k] != 0 { e -= t.data[k] * Foundation.log(y[k]) }
        lesson.say(String(format: "%@: y_2 = %.2f → E = −log %.2f = %.3f", name, y[2], y[2], e))
    }
    lesson.say(String(format: "ten equal probabilities: E = −log 0.1 = ln 10 = %.3f, the loss of an untrained network",
                      -Foundation.log(0.1)))
}

lesson.step("The gradient of SoftmaxWithLoss is (y − t)/N",
            """
            Softmax and cross-entropy are one layer in the core, SoftmaxWithLoss, because \
            their combined derivative is so simple: ∂E/∂a = (y − t)/N. The log undoes the \
            exp, and what is left is the difference between prediction and truth, shared \
            over the N rows of the batch. Below, a batch of three rows: the gradient \
            worked out from the formula, and the layer's backward.
            """) {
    let scores = Tensor(shape: [3, 4], data: [2, 1, 0.1, -1,  0.5, 0.5, 3, 0,  -2, 4, 1, 1])
    let labels = [0, 2, 3]
    let layer = SoftmaxWithLoss()
    let loss = layer.forward(scores, labels: labels)
    lesson.show("scores a (N = 3 rows, 4 classes)", scores, decimals: 2)
    lesson.say("labels \(labels), loss \(String(format: "%.4f", loss))")
    let byHand = (softmax(scores) - oneHot(labels, classes: 4)) * (1 / Float(3))
    lesson.show("(y − t)/N from the formula", byHand, decimals: 4)
    let dx = layer.backward()
    lesson.show("SoftmaxWithLoss.backward()", dx, decimals: 4)
    lesson.say("largest difference: \(dx.maxAbsDifference(byHand)); each row of the gradient sums to 0.")

    // The gradient check: nudge every score, watch the loss.
    var x = scores
    let numeric = numericalGradient(count: x.count, h: 1e-2, get: { x.data[$0] }, set: { x.data[$0] = $1 },
                                    loss: { Double(SoftmaxWithLoss().forward(x, labels: labels)) })
    let result = compareGradients(layer: "SoftmaxWithLoss", parameter: "dx", analytic: dx.data,
                                  numeric: numeric, threshold: 1e-3)
    lesson.say(result.description)
}

lesson.step("Probabilities for real digits",
            """
            The simplest classifier there is: one Affine layer from the 784 pixels to 10 \
            scores (out = x·W + b: every score a weighted sum of every pixel, plus a \
            bias; Lesson 07 takes it apart), then SoftmaxWithLoss. One pass over the training digits, \
            with the gradient (y − t)/N flowing back into the weights, is enough for it \
            to give sensible probabilities. Below, what it says about three test digits; \
            the true class is drawn in orange.
            """) {
    let data = lesson.loadData()
    var rng = lesson.rng
    let network = Network(layers: [Affine(inputSize: 784, outputSize: 10, weightStd: 0.01, rng: &rng)],
                          inputShape: [1, 28, 28])
    let train = lesson.quick ? data.train.prefix(3000) : data.train.prefix(20000)
    let optimizer = SGD(learningRate: 0.5)
    var firstLoss: Float = 0, lastLoss: Float = 0
    for (i, indices) in train.shuffledBatches(size: 100, rng: &rng).enumerated() {
        let (x, labels) = train.batch(indices)
        let loss = network.gradient(x, labels: labels)
        optimizer.update(network.parameters)
        if i == 0 { firstLoss = loss }
        lastLoss = loss
    }
    let test = data.test.prefix(1000)
    let (testX, testLabels) = test.firstBatch(test.count)
    lesson.say(String(format: "%d training digits, batches of 100: loss %.3f → %.3f", train.count, firstLoss, lastLoss))
    lesson.say(String(format: "accuracy on %d test digits: %.1f %%", test.count, 100 * network.accuracy(testX, labels: testLabels)))

    let probabilities = softmax(network.predict(testX))                      // 1000×10
    // A sure one, the least sure one, and a mistake, if there is one.
    let predicted = argmaxPerRow(probabilities)
    let confidence = (0..<test.count).map { probabilities[$0, predicted[$0]] }
    let sure = confidence.indices.max { confidence[$0] < confidence[$1] }!
    let unsure = confidence.indices.min { confidence[$0] < confidence[$1] }!
    let wrong = (0..<test.count).first { predicted[$0] != testLabels[$0] } ?? 1
    var charts: [Canvas] = []
    for (name, index) in [("sure", sure), ("unsure", unsure), ("wrong", wrong)] {
        let p = (0..<10).map { Double(probabilities[index, $0]) }
        lesson.say("test digit \(index) (\(name)): label \(testLabels[index]), predicted \(predicted[index]), "
                   + "probabilities \(formatted(p.map(Float.init), 3))")
        // The two most likely classes with more digits: close calls round to the same 3 decimals.
        let top = p.indices.sorted { p[$0] > p[$1] }.prefix(2)
        lesson.say("  the two most likely: " + top.map { String(format: "%d = %.5f", $0, p[$0]) }.joined(separator: ", "))
        var chart = BarChart(title: "test digit \(index): a \(testLabels[index])", values: p,
                             labels: data.classNames, yLabel: "probability", xLabel: "class",
                             highlighted: [testLabels[index]], valueText: { String(format: "%.2f", $0) }, yMax: 1)
        chart.height = 300
        let picture = ImageGrid(title: name, maps: [Matrix(test.image(index))], columns: 1,
                                scale: .fixed(0, 1), pixelSize: 3).render()
        charts.append(Panels(title: "", panels: [picture, chart.render()]).render())
    }
    var figure = Canvas(width: charts.map(\.width).max()!, height: charts.reduce(40) { $0 + $1.height })
    figure.text("Softmax probabilities of a one-layer classifier", centreX: figure.width / 2, y: 10, scale: 2)
    var y = 40
    for chart in charts { figure.draw(chart, x: 0, y: y); y += chart.height }
    lesson.saveFigure(figure, "softmax-probabilities.png")
}

lesson.exercises([
    Exercise("Remove the subtraction of the maximum from softmax in Sources/ConvNet/Layers/SoftmaxWithLoss.swift. "
             + "Which test turns red, and what does the loss become?",
             check: "swift test --disable-xctest --filter ConvNetTests.SoftmaxWithLossTests",
             answer: "docs/answers/Lesson06.md"),
    Exercise("Forget the 1/N in SoftmaxWithLoss.backward (the loss keeps it). For a batch of 100, how far off "
             + "is every gradient, and what would training do with it? Then run the layer's tests.",
             check: "swift test --disable-xctest --filter ConvNetTests.SoftmaxWithLossTests",
             answer: "docs/answers/Lesson06.md"),
    Exercise("Why is the initial loss of an untrained 10-class network close to ln 10 = 2.303, and what would "
             + "it be for 2 classes? Check the test that holds Lesson 09's network to it.",
             check: "swift test --disable-xctest --filter ConvNetTests.NetworkTests",
             answer: "docs/answers/Lesson06.md"),
])
lesson.finish()
