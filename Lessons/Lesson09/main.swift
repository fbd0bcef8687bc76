// swift-format-ignore-file
// Lesson 09: the full network.
// Conv-ReLU-Pool-Affine-ReLU-Affine-Softmax, built from the layers of Lessons 01-08,
// checked, trained on all of MNIST, looked at, and saved.
import Foundation
import ArgumentParser
import ConvNet
import Datasets
import LessonKit
import Pictures

struct Arguments: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "Lesson09")
    @OptionGroup var common: LessonOptions
    @Option(help: "Passes over the 60000 training digits (20 reproduce the book's ~99 %).")
    var epochs = 3
    @Option(help: "Digits per mini-batch.")
    var batch = 100
    @Option(help: "Adam's learning rate.")
    var learningRate: Float = 0.001
    @Option(help: ArgumentHelp("Where the trained model is saved.", valueName: "file"))
    var model: String?

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        // At most 10000: a batch goes through the layers at once, and 10000 digits already
        // make 700 MB of feature maps.
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch must be between 1 and 10000, got \(batch)") }
        if model?.isEmpty == true { throw ValidationError("--model needs a file name, got an empty one") }
        guard learningRate > 0, learningRate.isFinite else { throw ValidationError("--learning-rate must be a positive number, got \(learningRate)") }
    }
}

let arguments = Arguments.parseOrExit()
// The options that make this run differ from the default one (and so write its figures
// and transcript to a folder of their own).
var variant: [String] = []
if arguments.epochs != 3 { variant.append("epochs-\(arguments.epochs)") }
if arguments.batch != 100 { variant.append("batch-\(arguments.batch)") }
if arguments.learningRate != 0.001 { variant.append("learning-rate-\(arguments.learningRate)") }
if arguments.model != nil { variant.append("model") }
let lesson = Lesson(number: 9, title: "The full network: training SimpleConvNet on MNIST", options: arguments.common,
                    variant: variant,
                    needs: DataNeeds(training: 100, test: 1, because: "it first checks the network can memorise 100 training images"))
// One model per data set: Models/lesson09.model (MNIST), Models/lesson09-fashion.model;
// --quick and --data runs write into their own run folder, never over a real run's.
let modelPath = arguments.model ?? lesson.trainedFilePath("lesson09.model")
lesson.checkWritable(modelPath)                                      // now, not after training

var data: MNIST!
var train: LabelledImages!
var test: LabelledImages!
lesson.step("The data",
            """
            All 60000 training digits to learn from, and the 10000 test digits, never \
            trained on, to measure how well the network does on digits it has not seen.
            """) {
    data = lesson.loadData()
    train = lesson.quick ? data.train.prefix(1000) : data.train
    test = lesson.quick ? data.test.prefix(500) : data.test
    lesson.say("\(data.name): \(train.count) training and \(test.count) test images")
}

var rng = lesson.rng
let network = Network.simpleConvNet(rng: &rng)       // the book layers of Lessons 01–08
let engine = network.onEngine()                      // the same layers and weights, run by the engine
let filtersBefore = (network.layers[0] as! Convolution).W.value

lesson.step("The network, layer by layer",
            """
            Thirty 5×5 filters turn each 1×28×28 digit into 30 feature maps of 24×24; \
            ReLU keeps their positive parts; 2×2 max pooling halves them to 12×12; an \
            Affine layer maps those 4320 numbers to 100 hidden units; ReLU again; a last \
            Affine layer gives 10 scores, which SoftmaxWithLoss turns into probabilities. \
            Weights start random with He's scale √(2/inputs), biases at zero. The last \
            column says what will run each layer during training: the engine (next step).
            """) {
    try lesson.showLayers(of: engine)
}

lesson.step("The book layers and the engine",
            """
            The layers of Lessons 01–08 are written the book's way, for reading: the whole \
            batch through im2col and one matrix multiply per product. Training on all of \
            MNIST uses the engine instead (Sources/ConvNet/Engine/): the same layers and \
            the same weights, computed image by image while each image's feature maps are \
            still in the cache, on several threads, with the convolution, ReLU and pooling \
            run as one block. `network.onEngine()` is the one call that switches. Here one \
            batch of 100 digits goes through both, forward and backward: the loss and every \
            gradient must agree to Float rounding (relative difference at most 1e-5).
            """) {
    let (x, labels) = train.firstBatch(min(100, train.count))
    let (bookLoss, bookSeconds) = lesson.time { network.gradient(x, labels: labels) }
    let bookGradients = network.parameters.map(\.gradient)
    _ = engine.gradient(x, labels: labels)                                  // once to warm up
    let (engineLoss, engineSeconds) = lesson.time { engine.gradient(x, labels: labels) }
    var worst: Float = 0
    for (p, book) in zip(network.parameters, bookGradients) {
        let scale = max(book.data.map(abs).max() ?? 0, 1e-30)
        worst = max(worst, p.gradient.maxAbsDifference(book) / scale)
    }
    lesson.table(["", "book layers", "engine"], [
        ["loss", String(format: "%.6f", bookLoss), String(format: "%.6f", engineLoss)],
        ["one step (forward + backward)", String(format: "%.1f ms", 1e3 * bookSeconds), String(format: "%.1f ms", 1e3 * engineSeconds)],
    ])
    lesson.say(String(format: "largest relative gradient difference: %.1e (must be at most 1e-5)", worst))
    lesson.say(String(format: "the engine's step is %.0f times as fast", bookSeconds / max(engineSeconds, 1e-9)))
}

lesson.step("Sanity check 1: the initial loss is near ln 10",
            """
            Before any training the network knows nothing, so it should give every class \
            about the same probability, 1/10, and the loss −log(1/10) = ln 10 = 2.303. \
            A very different number means something is wrong before we even start.
            """) {
    let (x, labels) = train.firstBatch(100)
    let loss = network.loss(x, labels: labels, training: false)
    lesson.say(String(format: "initial loss on 100 digits: %.3f   (ln 10 = %.3f)", loss, log(10.0)))
}

lesson.step("Sanity check 2: it can learn 100 digits by heart",
            """
            A network this size must be able to memorise a tiny training set. Train a \
            copy on just 100 digits, the same 100 each step: the training accuracy should \
            reach 100 % and the loss fall towards 0. If it cannot, no amount of data will \
            help; look for a bug first.
            """) {
    var copyRng = lesson.rng
    let copy = Network.simpleConvNet(rng: &copyRng).onEngine()
    let tiny = train.prefix(100)
    let (x, labels) = tiny.firstBatch(100)
    let adam = Adam(learningRate: 0.001)
    var step = 0, accuracy = 0.0, loss: Float = 0
    while step < 200 && accuracy < 1 {
        loss = copy.gradient(x, labels: labels)
        adam.update(copy.parameters)
        step += 1
        if step % 10 == 0 { accuracy = copy.accuracy(x, labels: labels) }
    }
    lesson.say(String(format: "after %d steps on the same 100 digits: training accuracy %.0f %%, loss %.4f", step, 100 * accuracy, loss))
}

var history = TrainingHistory()
lesson.step("Training",
            """
            Now the real thing: Adam with learning rate \(arguments.learningRate), batches \
            of \(arguments.batch), every training digit once per epoch in a new random \
            order, \(arguments.epochs) epoch\(arguments.epochs == 1 ? "" : "s") (`--epochs N` \
            for more). After each epoch the network classifies the whole test set. It \
            trains on the engine.
            """) {
    let trainer = lesson.trainer(engine, Adam(learningRate: arguments.learningRate), train: train, test: test,
                                 options: TrainingOptions(epochs: arguments.epochs, batchSize: arguments.batch,
                                                          seed: arguments.common.seed))
    history = lesson.train(trainer)
}

lesson.step("Loss and accuracy curves",
            """
            The loss of every step is noisy, since each batch is different, so the figure \
            also shows its mean over 50 steps. Accuracy is measured after each epoch, on \
            the batches seen during the epoch (train) and on the test set.
            """) {
    let losses = history.stepLosses.map(Double.init)
    let window = min(50, losses.count)
    let smooth = (0..<losses.count).map { i in
        let lo = max(0, i - window + 1)
        return losses[lo...i].reduce(0, +) / Double(i - lo + 1)
    }
    let lossChart = LineChart(title: "Training loss", series: [
        .init(name: "each step", y: losses, colour: Colour(grey: 190)),
        .init(name: "mean of 50 steps", y: smooth),
    ], xLabel: "step (batch of \(arguments.batch))", yLabel: "cross-entropy loss")
    let epochs = history.epochs.map { Double($0.epoch) }
    let accuracyChart = LineChart(title: "Accuracy after each epoch", series: [
        .init(name: "train (batches as seen)", x: epochs, y: history.epochs.map { 100 * $0.trainAccuracy }),
        .init(name: "test", x: epochs, y: history.epochs.map { 100 * ($0.testAccuracy ?? 0) }, dashed: true),
    ], xLabel: "epoch", yLabel: "accuracy (%)")
    lesson.saveFigure(Panels(title: "SimpleConvNet on \(data.name)", panels: [lossChart.render(), accuracyChart.render()]).render(),
                      "training-curves.png")
}

lesson.step("The filters, before and after",
            """
            The 30 first-layer filters started as random noise, and training has changed \
            every one of them. Look for a run of red beside a run of blue: such a filter \
            responds to an edge or a stroke in that direction. With 25 weights each and a \
            random start they stay noisier than textbook pictures: the network only needs \
            them to be different enough for the layers after them.
            """) {
    let after = (network.layers[0] as! Convolution).W.value
    let change = after - filtersBefore
    // Before and after on one scale, and what training changed on its own: the filters move
    // by a few tenths, which beside weights of about ±1 is easy to miss.
    let m = max(filtersBefore.data.map(abs).max() ?? 1, after.data.map(abs).max() ?? 1)
    func grid(_ title: String, _ t: Tensor, _ scale: ValueScale) -> Canvas {
        var grid = ImageGrid(title: title, maps: Matrix.maps(t), columns: 6, scale: scale, colourMap: .diverging, pixelSize: 8)
        grid.colourBar = true
        return grid.render()
    }
    lesson.say(String(format: "largest weight %.2f before, %.2f after; training moved the weights by %.3f on average (at most %.2f)",
                      filtersBefore.data.map(abs).max() ?? 0, after.data.map(abs).max() ?? 0,
                      change.data.map(abs).reduce(0, +) / Float(change.count), change.data.map(abs).max() ?? 0))
    let figure = Panels(title: "The 30 filters of the first layer", panels: [
        grid("before training", filtersBefore, .fixed(-m, m)),
        grid("after training", after, .fixed(-m, m)),
        grid("after − before", change, .sharedSymmetric),
    ])
    lesson.saveFigure(figure.render(), "filters-before-after.png")
}

lesson.step("One digit, stage by stage",
            """
            A test digit on its way through the trained network: the 30 feature maps \
            after the convolution, after ReLU (negative responses gone), and after max \
            pooling (half the size, every stroke still there).
            """) {
    let digit = test.image(0).reshaped([1, 1, 28, 28])
    let conv = network.layers[0].forward(digit, training: false)            // 1×30×24×24
    let relu = network.layers[1].forward(conv, training: false)
    let pooled = network.layers[2].forward(relu, training: false)          // 1×30×12×12
    // One scale per stage, with its colour bar; after ReLU white is high and black zero, as
    // for the digits in Lesson 00.
    func grid(_ title: String, _ t: Tensor, _ pixelSize: Int, _ scale: ValueScale, _ map: ColourMap) -> Canvas {
        var grid = ImageGrid(title: title, maps: Matrix.maps(t), columns: 6, scale: scale, colourMap: map, pixelSize: pixelSize)
        grid.colourBar = true
        return grid.render()
    }
    let figure = Panels(title: "Test digit 0 (a \(data.classNames[Int(test.labels[0])])) through the first layers", panels: [
        grid("convolution", conv, 2, .sharedSymmetric, .diverging),
        grid("ReLU", relu, 2, .shared, .grey),
        grid("max pooling", pooled, 4, .shared, .grey),
    ])
    lesson.saveFigure(figure.render(), "feature-maps.png")
}

var testAccuracy = 0.0
lesson.step("Where it goes wrong",
            """
            The confusion matrix counts, for every true class (row), what the network \
            said (column): the diagonal is right, everything else a mistake. Below it, \
            some of the test digits it got wrong, with the true label and the guess; many \
            are hard for people too.
            """) {
    let (x, labels) = test.firstBatch(test.count)
    let predictions = engine.classify(x)
    var counts = Array(repeating: Array(repeating: 0, count: 10), count: 10)
    for (t, p) in zip(labels, predictions) { counts[t][p] += 1 }
    testAccuracy = Double(zip(labels, predictions).filter { $0 == $1 }.count) / Double(labels.count)
    lesson.saveFigure(HeatMap.confusionMatrix(title: "Confusion matrix, \(test.count) test images", counts: counts,
                                              classNames: data.classNames).render(), "confusion-matrix.png")
    let wrong = (0..<labels.count).filter { predictions[$0] != labels[$0] }
    lesson.say("\(wrong.count) of \(labels.count) test images misclassified")
    let shown = Array(wrong.prefix(30))
    if !shown.isEmpty {
        let grid = ImageGrid(title: "Misclassified \(data.name) test images: true → predicted", maps: shown.map { Matrix(test.image($0)) },
                             columns: 10, labels: shown.map { "\(labels[$0]) → \(predictions[$0])" },
                             scale: .fixed(0, 1), pixelSize: 2, labelColours: shown.map { _ in .red })
        lesson.saveFigure(grid.render(), "misclassified.png")
    }
}

lesson.step("Saving the trained model",
            """
            The architecture and all 433,890 numbers go into one file, with a checksum, \
            written to a temporary file first and then renamed, so an interrupted save \
            never destroys an earlier model. Lesson 10 loads it to classify your own \
            handwriting.
            """) {
    try FileManager.default.createDirectory(atPath: (modelPath as NSString).deletingLastPathComponent,
                                            withIntermediateDirectories: true)
    try ModelFile.save(network, to: modelPath, dataSet: lesson.dataSetName)
    let size = (try FileManager.default.attributesOfItem(atPath: modelPath)[.size] as? Int) ?? 0
    lesson.say("model saved: \(modelPath) (\(size / 1024) KB)")
    let reloaded = try ModelFile.load(modelPath)
    let (x, _) = test.firstBatch(min(100, test.count))
    lesson.say("reloaded and compared on 100 test digits: identical scores \(reloaded.predict(x) == network.predict(x))")
}

lesson.exercises([
    Exercise("Run with `--quick --learning-rate 0.1`, then with `--quick --learning-rate 1e10`. What happens to the "
             + "loss in each case, and why does only the second stop with a message? Which test holds the trainer to it?",
             check: "swift test --disable-xctest --filter ConvNetTests.TrainerTests",
             answer: "docs/answers/Lesson09.md"),
    Exercise("Every layer was checked alone; is the whole network right too? Find the gradient check of a "
             + "small SimpleConvNet and the threshold it uses, and explain why it is looser than a layer's.",
             check: "swift test --disable-xctest --filter ConvNetTests.NetworkTests",
             answer: "docs/answers/Lesson09.md"),
    Exercise("Flip one byte in the middle of the saved model and load it (for example with Lesson 10). What does "
             + "the loader say, and which tests feed it truncated and damaged files?",
             check: "swift test --disable-xctest --filter ConvNetTests.ModelFileTests",
             answer: "docs/answers/Lesson09.md"),
])
lesson.finish()
if !lesson.stoppedEarly { print(String(format: "test accuracy: %.2f %%", 100 * testAccuracy)) }
