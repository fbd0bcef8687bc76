// swift-format-ignore-file
// Lesson 10: going further.
// A deeper network with dropout, a validation split and early stopping, checkpoints that
// survive an interruption, and the trained model reading digits you drew yourself.
import Foundation
import ArgumentParser
import ConvNet
import Datasets
import LessonKit
import Pictures

struct Arguments: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "Lesson10")
    @OptionGroup var common: LessonOptions
    @Option(help: "Epochs for the deeper network (early stopping may end sooner).")
    var epochs = 1
    @Option(help: "Digits per mini-batch.")
    var batch = 100
    @Flag(help: "Continue the deeper network's training from its checkpoint (see --checkpoint).")
    var resume = false
    @Option(help: ArgumentHelp("The deeper network's checkpoint (default Models/lesson10.ckpt).", valueName: "file"))
    var checkpoint: String?
    @Option(help: ArgumentHelp("A PNG of one digit to classify (any size, dark on light or light on dark).", valueName: "file"))
    var image: [String] = []
    @Option(help: ArgumentHelp("The model that classifies the images (default: Lesson 09's, else the one shipped).", valueName: "file"))
    var useModel: String?

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch must be between 1 and 10000, got \(batch)") }
        if checkpoint?.isEmpty == true { throw ValidationError("--checkpoint needs a file name, got an empty one") }
        if useModel?.isEmpty == true { throw ValidationError("--use-model needs a file name, got an empty one") }
        if image.contains("") { throw ValidationError("--image needs a file name, got an empty one") }
    }
}

let arguments = Arguments.parseOrExit()
// The options that make this run differ from the default one (and so write its figures
// and transcript to a folder of their own).
var variant: [String] = []
if arguments.epochs != 1 { variant.append("epochs-\(arguments.epochs)") }
if arguments.batch != 100 { variant.append("batch-\(arguments.batch)") }
if arguments.resume { variant.append("resume") }
if arguments.checkpoint != nil { variant.append("checkpoint") }
if !arguments.image.isEmpty { variant.append("image") }
if arguments.useModel != nil { variant.append("use-model") }
// Classifying --image files needs no data; training needs enough for the checkpoint demo.
let lesson = Lesson(number: 10, title: "Going further: a deeper network, checkpoints, your own digits",
                    options: arguments.common, variant: variant,
                    needs: arguments.image.isEmpty
                        ? DataNeeds(training: 300, test: 1, because: "its checkpoint demonstration trains on 300 training images")
                        : nil)
let root = Lesson.packageRoot as NSString
let modelsDirectory = root.appendingPathComponent("Models")
// One model and one checkpoint per data set (Models/lesson10.model, lesson10-fashion.model);
// --quick (the tests) and --data runs keep theirs in the run's own folder, so they never
// replace a real run's.
let modelPath = lesson.trainedFilePath("lesson10.model")
let checkpointPath = arguments.checkpoint ?? lesson.trainedFilePath("lesson10.ckpt")
if arguments.image.isEmpty { for path in [modelPath, checkpointPath] { lesson.checkWritable(path) } }   // now, not after training

// Read the learner's images and the model that will classify them first, so a wrong path
// or a damaged file is reported before minutes of training.
let lesson09Model = lesson.trainedFilePath("lesson09.model")
let shippedModel = (modelsDirectory as NSString).appendingPathComponent("simple-convnet-mnist.model")
let classifierPath = arguments.useModel ?? (FileManager.default.fileExists(atPath: lesson09Model) ? lesson09Model : shippedModel)
var pictures: [(file: String, picture: DecodedImage)] = []
var classifier: Network!
do {
    pictures = try arguments.image.map { ($0, try PNG.read(path: $0)) }
    for (file, picture) in pictures { _ = try MNISTStyle.prepare(picture, path: file) }   // a blank page is refused now
    // It must take 28×28 images, give 10 scores and be trained on this kind of image.
    classifier = try ModelFile.loadClassifier(classifierPath, inputShape: [1, 28, 28], classes: 10,
                                              dataSet: (lesson.dataSource == .fashion ? DataSource.fashion : .bundled).name)
} catch { Lesson.fail(error) }
// With --image the lesson classifies at once: no training, no files replaced.
let classifyOnly = !arguments.image.isEmpty

var data: MNIST!
var testAccuracy = 0.0
if !classifyOnly {
    lesson.step("A deeper network",
                """
                Two convolutions in a row (50 filters of 5×5, then 50 of 3×3 looking at all \
                50 maps of the first), one pooling, and dropout twice: 0.2 after pooling and \
                0.4 before the last layer. It has 1.4 times the weights of SimpleConvNet but \
                about 14 times the arithmetic, nearly all in the second convolution.
                """) {
        data = lesson.loadData()
        var rng = lesson.rng
        let network = Network.deeperConvNet(rng: &rng).onEngine()      // trained on the engine, as in Lesson 09
        try lesson.showLayers(of: network)
    }

    lesson.step("Checkpoints: stop anywhere, resume exactly",
                """
                Long training gets interrupted: a closed laptop, a crash, Ctrl-C. A checkpoint \
                saves everything needed to go on: the parameters, the optimizer's memory \
                (Adam's running averages), the position in the epoch and the state of every \
                random generator (the shuffling and each dropout layer). Below, a short run is \
                stopped after 7 steps (checkpoints every 5), a new trainer whose network \
                starts from other random weights resumes from the checkpoint, and the result \
                is compared with a run that was never interrupted.
                """) {
        let small = data.train.prefix(lesson.quick ? 200 : 300)
        let path = NSTemporaryDirectory() + "lesson10-demo-\(getpid()).ckpt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let options = TrainingOptions(epochs: 2, batchSize: 50, seed: 5)
        func fresh(_ seed: UInt64) -> Network { var r = SeededRandom(seed: seed); return Network.deeperConvNet(rng: &r).onEngine() }

        let whole = lesson.trainer(fresh(1), Adam(learningRate: 0.001), train: small, options: options)
        let uninterrupted = try whole.run()
        var stopping = options
        (stopping.checkpointEvery, stopping.checkpointPath, stopping.stopAfterSteps) = (5, path, 7)
        let first = lesson.trainer(fresh(1), Adam(learningRate: 0.001), train: small, options: stopping)
        try first.run()
        lesson.say("interrupted after step \(first.totalSteps); the last checkpoint is from step 5")
        let second = lesson.trainer(fresh(2), Adam(learningRate: 0.001), train: small, options: options)
        try second.resume(from: path)
        let resumed = try second.run()
        lesson.say(String(format: "loss of step 6: uninterrupted %.6f, resumed %.6f", uninterrupted.stepLosses[5], resumed.stepLosses[5]))
        let same = zip(whole.network.parameters, second.network.parameters).allSatisfy { $0.value == $1.value }
        lesson.say("all \(uninterrupted.stepLosses.count) step losses identical: \(uninterrupted.stepLosses == resumed.stepLosses); "
                   + "final parameters bit for bit identical: \(same)")
    }

    lesson.step("Training with a validation split and early stopping",
                """
                The last tenth of the training digits is set aside as a validation set: the network \
                never trains on them, and after each epoch its accuracy on them decides \
                whether training goes on. If it has not improved for 2 epochs, training stops \
                and the best parameters come back (early stopping). The test set stays \
                untouched until the very end, so the final figure is honest. A checkpoint is \
                written every 100 steps; `--resume` continues from it.
                """) {
        let count = data.train.count                                     // 60000 for MNIST
        let validationCount = lesson.quick ? min(1000, count / 10) : count / 10
        let trainCount = lesson.quick ? min(1000, count - validationCount) : count - validationCount
        let train = data.train.subset(0..<trainCount)
        let validation = data.train.subset((count - validationCount)..<count)
        let test = lesson.quick ? data.test.prefix(500) : data.test
        var rng = lesson.rng
        let network = Network.deeperConvNet(rng: &rng).onEngine()
        try FileManager.default.createDirectory(atPath: (modelPath as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let trainer = lesson.trainer(network, Adam(learningRate: 0.001), train: train, validation: validation,
                                     options: TrainingOptions(epochs: arguments.epochs, batchSize: arguments.batch,
                                                              seed: arguments.common.seed, patience: 2, checkpointEvery: 100,
                                                              checkpointPath: checkpointPath, dataSet: lesson.dataSetName))
        if arguments.resume {
            try trainer.resume(from: checkpointPath)
            lesson.say("resumed from \(checkpointPath) at epoch \(trainer.completedEpochs + 1), step \(trainer.stepInEpoch)")
        }
        lesson.say("\(train.count) training, \(validation.count) validation and \(test.count) test digits")
        lesson.train(trainer)
        if trainer.stoppedEarly { lesson.say("validation accuracy stopped improving: early stop, best parameters restored") }
        testAccuracy = trainer.evaluate(test, limit: nil)
        lesson.say(String(format: "deeper network, test accuracy: %.2f %%", 100 * testAccuracy))
        try ModelFile.save(network, to: modelPath, dataSet: lesson.dataSetName)
        lesson.say("model saved: \(modelPath)")
    }
}

lesson.step("Reading digits you drew",
            """
            Draw a digit in any paint program, save it as PNG, and pass it with \
            `--image FILE`. It is prepared the way MNIST's digits were: ink made light on \
            dark, the digit's bounding box scaled into 20×20, then centred by its centre of \
            mass in a 28×28 frame. Without --image the lesson reads the examples in \
            Data/examples. The model is Lesson 09's if you have run it, else the one that \
            ships with the course (SimpleConvNet trained for 20 epochs).
            """) {
    let network: Network = classifier
    if data == nil { data = lesson.loadData() }              // for the class names
    lesson.say("model: \(classifierPath)")
    if pictures.isEmpty {
        let examples = root.appendingPathComponent("Data/examples")
        for name in try FileManager.default.contentsOfDirectory(atPath: examples).filter({ $0.hasSuffix(".png") }).sorted() {
            let file = (examples as NSString).appendingPathComponent(name)
            pictures.append((file, try PNG.read(path: file)))
        }
    }
    var maps: [Matrix] = [], labels: [String] = []
    for (file, picture) in pictures {
        let pixels = try MNISTStyle.prepare(picture, path: file)
        let x = Tensor(shape: [1, 1, 28, 28], data: pixels)
        try network.checkInput(x)
        let probabilities = softmax(network.predict(x)).data
        let top = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(3)
        lesson.say("\((file as NSString).lastPathComponent) (\(picture.width)×\(picture.height)): "
                   + top.map { String(format: "%@ %.1f %%", data.classNames[$0], 100 * probabilities[$0]) }.joined(separator: ",  "))
        // Each row of the figure: the file as drawn, then the 28×28 input drawn 3× larger.
        maps += [thumbnail(picture), enlarged(pixels, by: 3)]
        labels += [(file as NSString).lastPathComponent,
                   String(format: "28×28 → %@ (%.0f %%)", data.classNames[top.first!], 100 * probabilities[top.first!])]
    }
    let grid = ImageGrid(title: "Your digits, as drawn and as the network sees them", maps: maps, columns: 2,
                         labels: labels, scale: .fixed(0, 1), pixelSize: 1)
    lesson.saveFigure(grid.render(), "your-digits.png")
}

/// A 28×28 input with every pixel drawn as a k×k block.
func enlarged(_ pixels: [Float], by k: Int) -> Matrix {
    Matrix(rows: 28 * k, columns: 28 * k, values: (0..<(28 * k * 28 * k)).map { i in pixels[(i / (28 * k) / k) * 28 + (i % (28 * k)) / k] })
}

/// The picture shrunk (nearest pixel) to fit 84×84, as grey levels in [0, 1].
func thumbnail(_ picture: DecodedImage) -> Matrix {
    let grey = picture.greyLevels
    let scale = max(1, (max(picture.width, picture.height) + 83) / 84)
    let w = max(1, picture.width / scale), h = max(1, picture.height / scale)
    var values: [Float] = []
    for y in 0..<h { for x in 0..<w { values.append(Float(grey[(y * scale) * picture.width + x * scale]) / 255) } }
    return Matrix(rows: h, columns: w, values: values)
}

lesson.exercises([
    Exercise("Stop a long run with Ctrl-C, then start it again with --resume. Which test shows that a resumed "
             + "run ends with exactly the parameters of one that was never stopped?",
             check: "swift test --disable-xctest --filter ConvNetTests.TrainerTests/resumingContinuesExactly",
             answer: "docs/answers/Lesson10.md"),
    Exercise("Draw a digit, save it as PNG and classify it with --image. Then draw it small in a corner of a "
             + "big sheet: why does the network still read it? Find the tests of the preparation.",
             check: "swift test --disable-xctest --filter PicturesTests.MNISTStyleTests",
             answer: "docs/answers/Lesson10.md"),
    Exercise("Point --use-model at Lesson 10's deeper model file with an image. Lesson 10 saved it; does it "
             + "load, and what would happen if you loaded it into a SimpleConvNet?",
             check: "swift test --disable-xctest --filter ConvNetTests.ModelFileTests",
             answer: "docs/answers/Lesson10.md"),
])
lesson.finish()
if !lesson.stoppedEarly && !classifyOnly { print(String(format: "test accuracy: %.2f %%", 100 * testAccuracy)) }
