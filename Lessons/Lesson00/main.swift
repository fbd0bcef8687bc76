// swift-format-ignore-file
// Lesson 00: the data.
// MNIST as bytes on disk, as numbers in [0, 1], as labels and one-hot rows, as pictures.
import ConvNet
import Datasets
import LessonKit
import Pictures

let lesson = Lesson(number: 0, title: "The data: MNIST from IDX files to tensors")
var data: MNIST!

lesson.step("Loading MNIST from IDX files",
            """
            MNIST is 70000 handwritten digits, each a 28×28 grey image with a label 0–9: \
            60000 to train on and 10000 to test with. The files use the IDX format: a \
            4-byte magic number (2051 for images, 2049 for labels), the sizes as big-endian \
            32-bit integers, then one unsigned byte per pixel or label. The four files are \
            gzipped; zlib unpacks them as they are read. Pixels stay bytes in memory \
            (47 MB for the training images, four times less than as Float).
            """) {
    let (loaded, seconds) = lesson.time {
        lesson.loadData(needs: DataNeeds(ofEveryClass: 10, because: "it shows the first ten of each class"))
    }
    data = loaded
    lesson.say("Read \(data.name) in \(String(format: "%.2f", seconds)) s:")
    lesson.table(["split", "images", "size", "bytes of pixels"], [
        ["train", "\(data.train.count)", "\(data.train.rows)×\(data.train.columns)", "\(data.train.pixels.count)"],
        ["test", "\(data.test.count)", "\(data.test.rows)×\(data.test.columns)", "\(data.test.pixels.count)"],
    ])
}

let train = lesson.quick ? data.train.prefix(2000) : data.train

lesson.step("One digit, as the bytes it is made of",
            """
            Here is the middle 20×20 of the first training image, byte by byte: 0 is the \
            black background, 255 the brightest ink. The label file says which digit it is.
            """) {
    let offset = 0
    var crop = Tensor(shape: [20, 20])
    for r in 0..<20 {
        for c in 0..<20 { crop[r, c] = Float(train.pixels[offset + (r + 4) * 28 + (c + 4)]) }
    }
    lesson.show("pixels [4..<24, 4..<24] of image 0", crop)
    lesson.say("label of image 0: \(train.labels[0])")
}

lesson.step("Normalising to [0, 1]",
            """
            Networks learn best from small numbers, so each byte b becomes the Float b/255. \
            A batch is converted only when it is needed, shaped N×C×H×W = N×1×28×28: N \
            images, one colour channel, 28 rows, 28 columns.
            """) {
    let (x, labels) = train.firstBatch(5)
    lesson.say("batch x: \(x.shape), smallest \(x.min()), largest \(x.max()), mean \(String(format: "%.4f", x.mean()))")
    lesson.say("labels: \(labels)")
}

lesson.step("One-hot labels",
            """
            The loss of Lesson 06 compares the network's ten probabilities with a row that \
            is 1 at the true class and 0 elsewhere: the one-hot encoding. Each row below \
            has its single 1 in the column of its label.
            """) {
    let labels = train.firstBatch(5).labels
    lesson.show("oneHot(\(labels))", oneHot(labels, classes: 10))
}

lesson.step("Reshaping 28×28 ↔ 784",
            """
            An image is stored row after row, so pixel (row r, column c) sits at index \
            r·28 + c of a flat vector of 784. Reshaping changes only how we index the \
            numbers, never the numbers: the Affine layer of Lesson 07 sees each image as \
            784 numbers, the Convolution layer of Lesson 04 as a 1×28×28 block.
            """) {
    let image = train.image(0)                       // 1×28×28
    let flat = image.reshaped([784])                 // 784
    let back = flat.reshaped([1, 28, 28])            // 1×28×28 again
    lesson.say("image \(image.shape) → flat \(flat.shape) → back \(back.shape); unchanged: \(back == image)")
    let (r, c) = (8, 14)
    lesson.say("pixel (row \(r), column \(c)) = \(image[0, r, c]) = flat[\(r)·28 + \(c) = \(r * 28 + c)] = \(flat[r * 28 + c])")
}

lesson.step("Ten samples of each class",
            """
            Looking at the data is the first step of any project. Each row shows the first \
            ten training images of one class; the pixels are drawn as they are, 0 black and \
            1 white, each enlarged with nearest-neighbour so you see the real 28×28 grid.
            """) {
    var maps: [Matrix] = []
    for digit in 0..<10 {
        maps += data.train.indices(ofClass: digit, first: 10).map { Matrix(data.train.image($0)) }
    }
    let grid = ImageGrid(title: "MNIST: ten training samples per class", maps: maps, columns: 10,
                         rowLabels: data.classNames, scale: .fixed(0, 1), pixelSize: 2)
    lesson.saveFigure(grid.render(), "samples.png")
}

lesson.step("The mean digit of each class",
            """
            Averaging every image of a class pixel by pixel gives a blurred "typical" digit. \
            Where the mean is bright, most writers put ink. A classifier that only compared \
            an image with these ten means would already get most digits right; a \
            convolutional network learns far better features.
            """) {
    let counts = train.classCounts()
    let means = train.classMeans().map { Matrix(rows: 28, columns: 28, values: $0) }
    let grid = ImageGrid(title: "The mean training digit of each class", maps: means, columns: 5,
                         labels: data.classNames.enumerated().map { "\($0.element) (n=\(counts[$0.offset]))" },
                         scale: .fixed(0, 1), pixelSize: 3)
    lesson.saveFigure(grid.render(), "mean-digits.png")
    lesson.table(["class"] + data.classNames, [
        ["train"] + train.classCounts().map(String.init),
        ["test"] + data.test.classCounts().map(String.init),
    ])
}

lesson.step("A histogram of pixel values",
            """
            Most of an MNIST image is background: about four pixels in five are exactly 0. \
            The ink is mostly bright, with a peak near 255 at the centre of each stroke and \
            grey values only at the edges, left by the anti-aliasing of the scanning.
            """) {
    let total = Double(train.pixels.count)
    let shares = train.pixelHistogram(bins: 16).map { 100 * Double($0) / total }
    let zeros = train.pixelHistogram(bins: 256)[0]
    lesson.say(String(format: "share of pixels that are exactly 0: %.1f %%", 100 * Double(zeros) / total))
    let chart = BarChart(title: "Pixel values of the training images", values: shares,
                         labels: (0..<16).map { "\($0 * 16)" }, yLabel: "% of pixels", xLabel: "pixel value (bin start)",
                         valueText: { String(format: "%.1f", $0) })
    lesson.saveFigure(chart.render(), "pixel-histogram.png")
}

lesson.exercises([
    Exercise("Which digit has the fewest training examples, and by how much? Read it off the table, then "
             + "find the test that checks the published per-class counts of MNIST.",
             check: "swift test --disable-xctest --filter DatasetsTests.BundledMNISTTests",
             answer: "docs/answers/Lesson00.md"),
    Exercise("Break oneHot in Sources/Datasets/LabelledImages.swift (put the 1 at label + 1) and watch its test fail.",
             check: "swift test --disable-xctest --filter DatasetsTests.OneHotTests",
             answer: "docs/answers/Lesson00.md"),
])
lesson.finish()
