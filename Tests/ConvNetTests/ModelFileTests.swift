import Foundation
import Testing

@testable import ConvNet

@Suite struct ModelFileTests {
    let directory: String = {
        let d = testScratch + "/models-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    func smallNet(seed: UInt64) -> Network {
        var rng = SeededRandom(seed: seed)
        return Network.simpleConvNet(
            inputShape: [1, 10, 10], filters: 4, filterSize: 3, hidden: 8, classes: 10, rng: &rng)
    }

    @Test func roundTripKeepsEveryBit() throws {
        let net = smallNet(seed: 1)
        let path = directory + "/a.model"
        try ModelFile.save(net, to: path)
        let loaded = try ModelFile.load(path)
        #expect(loaded.architecture == net.architecture)
        for (a, b) in zip(loaded.parameters, net.parameters) { #expect(a.value == b.value) }
        var rng = SeededRandom(seed: 2)
        let x = Tensor.randomUniform([3, 1, 10, 10], 0, 1, rng: &rng)
        #expect(loaded.predict(x) == net.predict(x))
        // And into an existing network of the same architecture.
        let other = smallNet(seed: 5)
        try ModelFile.load(path, into: other)
        #expect(other.predict(x) == net.predict(x))
    }

    @Test func architectureTextRebuildsEveryLayerKind() throws {
        var rng = SeededRandom(seed: 3)
        let net = Network(
            layers: [
                Convolution(
                    filters: 2, channels: 1, filterHeight: 3, filterWidth: 3, stride: 1, padding: 1, weightStd: 1,
                    rng: &rng),
                Sigmoid(), AveragePooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0), Flatten(),
                Dropout(ratio: 0.25, seed: 9), Affine(inputSize: 32, outputSize: 10, weightStd: 1, rng: &rng),
            ], inputShape: [1, 8, 8])
        let rebuilt = try Network(architecture: net.architecture)
        #expect(rebuilt.architecture == net.architecture)
        #expect(net.architecture.contains("dropout 0.25 seed 9"))
    }

    /// A valid model that does not fit its use is refused when it is loaded, with the file's
    /// name: Lesson 10 used to trap on 20 outputs, a model ending in a convolution or with
    /// no layers, and printed "nan %" for NaN weights.
    @Test func aClassifierMustFitItsTask() throws {
        func saved(_ net: Network, _ name: String, dataSet: String? = "MNIST") throws -> String {
            let path = directory + "/" + name
            try ModelFile.save(net, to: path, dataSet: dataSet)
            return path
        }
        func refusal(_ path: String, dataSet: String = "MNIST") -> String {
            do {
                _ = try ModelFile.loadClassifier(path, inputShape: [1, 10, 10], classes: 10, dataSet: dataSet)
                return "accepted"
            } catch { return "\(error)" }
        }
        let good = try saved(smallNet(seed: 1), "good.model")
        #expect(refusal(good) == "accepted")
        #expect(refusal(try saved(smallNet(seed: 1), "own.model", dataSet: "MNIST (/my/digits)")) == "accepted")
        #expect(refusal(try saved(smallNet(seed: 1), "unsaid.model", dataSet: nil)) == "accepted")
        #expect(
            refusal(good, dataSet: "Fashion-MNIST")
                == "\(good): this model cannot be used here: it was trained on MNIST, and this task is Fashion-MNIST's")

        var rng = SeededRandom(seed: 2)
        let twenty = try saved(
            Network.simpleConvNet(
                inputShape: [1, 10, 10], filters: 4, filterSize: 3, hidden: 8, classes: 20, rng: &rng),
            "twenty.model")
        #expect(refusal(twenty).hasSuffix("its output for one item has shape [20], this task needs 10 class scores"))
        let otherInput = try saved(
            Network.simpleConvNet(
                inputShape: [1, 12, 12], filters: 4, filterSize: 3, hidden: 8, classes: 10, rng: &rng),
            "input.model")
        #expect(refusal(otherInput).hasSuffix("it takes items of shape [1, 12, 12], this task's are [1, 10, 10]"))
        let convolutionLast = try saved(
            Network(
                layers: [
                    Convolution(
                        filters: 2, channels: 1, filterHeight: 3, filterWidth: 3, stride: 1, padding: 1, weightStd: 1,
                        rng: &rng)
                ], inputShape: [1, 10, 10]), "convolution.model")
        #expect(
            refusal(convolutionLast).hasSuffix(
                "its output for one item has shape [2, 10, 10], this task needs 10 class scores"))
        let empty = try saved(Network(layers: [], inputShape: [1, 10, 10]), "empty.model")
        #expect(refusal(empty).hasSuffix("it has no layers"))
        let nan = smallNet(seed: 1)
        nan.parameters[2].value.data[0] = .nan
        let nanPath = try saved(nan, "nan.model")
        #expect(refusal(nanPath).hasPrefix(nanPath + ": "))
        #expect(refusal(nanPath).contains("holds a value that is not a finite number"))
    }

    @Test func anotherArchitectureIsRefused() throws {
        let path = directory + "/b.model"
        try ModelFile.save(smallNet(seed: 1), to: path)
        var rng = SeededRandom(seed: 1)
        let mlp = Network.mlp(sizes: [784, 64, 10], rng: &rng)
        #expect { try ModelFile.load(path, into: mlp) } throws: { error in
            let text = "\(error)"
            return text.contains(path) && text.contains("different network") && text.contains("affine 784 64")
        }
    }

    @Test func damagedFilesAreRefusedWithTheirPath() throws {
        let path = directory + "/c.model"
        try ModelFile.save(smallNet(seed: 1), to: path)
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))

        func expectError(_ bytes: [UInt8], _ fragment: String) throws {
            let bad = directory + "/bad.model"
            try Data(bytes).write(to: URL(fileURLWithPath: bad))
            #expect { try ModelFile.load(bad) } throws: { error in
                "\(error)".contains(bad) && "\(error)".contains(fragment)
            }
        }
        try expectError(Array(good.prefix(good.count / 2)), "truncated")
        try expectError(Array(good.dropLast(3)), "truncated")
        try expectError([], "not a model file")
        try expectError(Array("hello, world, this is text".utf8), "not a model file")
        var flipped = good
        flipped[good.count / 2] ^= 0x10
        try expectError(flipped, "checksum")
        var version = good
        version[8] = 7
        try expectError(version, "version 7")
        #expect { try ModelFile.load(directory + "/none.model") } throws: {
            "\($0)".contains("no such model or checkpoint file")
        }
        #expect { try ModelFile.load(directory) } throws: { "\($0)".contains("is a directory") }
    }

    /// A save that fails leaves the previous file as it was, and no temporary file.
    @Test func failedSaveKeepsThePreviousFile() throws {
        let path = directory + "/d.model"
        try ModelFile.save(smallNet(seed: 1), to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: ModelFileError.self) {
            try ModelFile.save(smallNet(seed: 2), to: directory + "/missing/dir/d.model")
        }
        // Make the folder read-only: the temporary file cannot be created.
        chmod(directory, 0o555)
        defer { chmod(directory, 0o755) }
        if access(directory, W_OK) != 0 {  // (root can write anyway; then this part proves nothing)
            #expect { try ModelFile.save(smallNet(seed: 2), to: path) } throws: { "\($0)".contains("cannot write") }
        }
        chmod(directory, 0o755)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    /// A save interrupted half-way (the disk "fills up" after 1000 bytes): the previous
    /// model still loads, bit for bit, and no temporary file is left behind.
    @Test func interruptedSaveKeepsThePreviousModel() throws {
        let path = directory + "/e.model"
        let original = smallNet(seed: 1)
        try ModelFile.save(original, to: path)
        let replacement = smallNet(seed: 2)
        let bytes = ModelFile.encode(sections: try ModelFile.modelSections(replacement, path: path))
        #expect(bytes.count > 1000)
        #expect { try writeAtomically(bytes, to: path, failingAfter: 1000) } throws: {
            "\($0)".contains("No space left")
        }
        let loaded = try ModelFile.load(path)
        for (a, b) in zip(loaded.parameters, original.parameters) { #expect(a.value == b.value) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")
        // And the same write without the failure replaces it.
        try writeAtomically(bytes, to: path, failingAfter: nil)
        #expect(try ModelFile.load(path).parameters.first?.value == replacement.parameters.first?.value)
    }

    @Test func hostileArchitectureTextIsRefused() {
        for text in [
            "", "input", "input 1 28 28\nconvolution filters 99999999 channels 1 size 5 5 stride 1 padding 0",
            "input 1 28 28\naffine 100000 100000", "input 1 28 28\nwarp 9", "input 0 28 28",
            "input 1 28 28\ndropout 1.5 seed 1", "input 1 28 28\naffine 10 10",
            // Few parameters, but feature maps of 4096×40028×40028 numbers per image.
            "input 1 28 28\nconvolution filters 4096 channels 1 size 1 1 stride 1 padding 20000",
            "input 1 1048576 1048576\nflatten",
        ] {
            #expect(throws: ShapeError.self, "\(text)") { try Network(architecture: text) }
        }
    }
}
