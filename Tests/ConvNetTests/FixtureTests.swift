import Foundation
import Testing

@testable import ConvNet

/// The layers against forward outputs and gradients computed independently by numpy
/// (Tests/ConvNetTests/Fixtures/make_fixtures.py, with direct sums over windows).
@Suite struct FixtureTests {
    nonisolated(unsafe) static let fixtures: [String: [String: Any]] = {  // read once, never written
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/layers.json")
        guard let data = try? Data(contentsOf: path),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: [String: Any]]
        else { return [:] }
        return json
    }()

    func fixture(_ name: String) throws -> [String: Any] {
        try #require(Self.fixtures[name], "fixture \(name) is missing from layers.json")
    }

    func tensor(_ f: [String: Any], _ key: String) throws -> Tensor {
        let entry = try #require(f[key] as? [String: Any], "fixture has no tensor \(key)")
        let shape = try #require(entry["shape"] as? [Int])
        let data = try #require(entry["data"] as? [Double])
        return Tensor(shape: shape, data: data.map(Float.init))
    }

    /// Element by element: within `tolerance` of numpy's value, and, when `relative` is
    /// given, also within that fraction of the value itself (for results such as softmax's
    /// gradient, whose elements are each a single operation, so even the smallest must be
    /// right to Float's precision).
    func expectMatch(
        _ got: Tensor, _ f: [String: Any], _ key: String, _ name: String, tolerance: Float = 1e-5,
        relative: Float? = nil
    ) throws {
        let expected = try tensor(f, key)
        #expect(got.shape == expected.shape, "\(name) \(key): shape \(got.shape), numpy \(expected.shape)")
        if got.shape == expected.shape {
            let difference = got.maxAbsDifference(expected)
            #expect(difference <= tolerance, "\(name) \(key): max abs difference from numpy \(difference)")
            if let relative {
                for i in 0..<got.count
                where abs(got.data[i] - expected.data[i]) > relative * abs(expected.data[i]) + 1e-9 {
                    Issue.record("\(name) \(key)[\(i)]: \(got.data[i]), numpy \(expected.data[i])")
                    break
                }
            }
        }
    }

    static let convolutions = [
        "convolution_3ch_stride2_pad1", "convolution_2ch_stride1_pad0", "convolution_1ch_5x5_pad2",
        "convolution_nonsquare_3x5_stride2_pad1", "convolution_nonsquare_2x4_stride1_pad0",
        "convolution_4x3_stride3_pad2",
    ]

    /// The book's Convolution and the engine's, on the same numpy case.
    @Test(arguments: convolutions, [false, true])
    func convolution(name: String, engine: Bool) throws {
        let f = try fixture(name)
        let book = Convolution(
            weights: try tensor(f, "W"), bias: try tensor(f, "b"),
            stride: try #require(f["stride"] as? Int), padding: try #require(f["padding"] as? Int))
        let layer: Layer = engine ? EngineConvolution(book) : book
        let label = (engine ? "engine " : "") + name
        try expectMatch(layer.forward(try tensor(f, "x")), f, "out", label)
        try expectMatch(layer.backward(try tensor(f, "dout")), f, "dx", label)
        try expectMatch(book.dW, f, "dW", label)
        try expectMatch(book.db, f, "db", label)
    }

    static let poolings = [
        "max_pooling_2x2_stride2", "max_pooling_3x3_stride1", "max_pooling_3x3_stride1_pad1",
        "max_pooling_2x3_stride2_pad1", "max_pooling_3x2_stride1_overlapping", "max_pooling_2x2_stride2_ties",
        "max_pooling_3x3_stride1_pad1_ties", "average_pooling_3x3_stride2_pad1", "average_pooling_2x3_stride1",
    ]

    /// Max pooling (book and engine, ties going to the first cell in reading order) and
    /// average pooling, with padding, overlapping and non-square windows.
    @Test(arguments: poolings, [false, true])
    func pooling(name: String, engine: Bool) throws {
        let f = try fixture(name)
        let size: [Int]
        if let pair = f["size"] as? [Int] {
            size = pair
        } else {
            let side = try #require(f["size"] as? Int)
            size = [side, side]
        }
        let (stride, padding) = (try #require(f["stride"] as? Int), (f["padding"] as? Int) ?? 0)
        let layer: Layer
        if (f["kind"] as? String) == "average" {
            guard !engine else { return }  // the engine runs the book's AveragePooling
            layer = AveragePooling(poolHeight: size[0], poolWidth: size[1], stride: stride, padding: padding)
        } else {
            let book = MaxPooling(poolHeight: size[0], poolWidth: size[1], stride: stride, padding: padding)
            layer = engine ? EngineMaxPooling(book) : book
        }
        let label = (engine ? "engine " : "") + name
        try expectMatch(layer.forward(try tensor(f, "x")), f, "out", label)
        try expectMatch(layer.backward(try tensor(f, "dout")), f, "dx", label)
    }

    @Test(arguments: [false, true])
    func affine(engine: Bool) throws {
        let f = try fixture("affine")
        let book = Affine(weights: try tensor(f, "W"), bias: try tensor(f, "b"))
        let layer: Layer = engine ? EngineAffine(book) : book
        try expectMatch(layer.forward(try tensor(f, "x")), f, "out", "affine")
        try expectMatch(layer.backward(try tensor(f, "dout")), f, "dx", "affine")
        try expectMatch(book.dW, f, "dW", "affine")
        try expectMatch(book.db, f, "db", "affine")
    }

    @Test(arguments: [false, true])
    func relu(engine: Bool) throws {
        let f = try fixture("relu")
        let layer: Layer = engine ? EngineReLU() : ReLU()
        try expectMatch(layer.forward(try tensor(f, "x")), f, "out", "relu")
        try expectMatch(layer.backward(try tensor(f, "dout")), f, "dx", "relu")
    }

    /// Two steps of each optimizer from the same start, with ε at its documented 1e-7.
    @Test(arguments: ["sgd", "momentum", "adagrad", "rmsprop", "adam"])
    func optimizer(name: String) throws {
        let f = try fixture("optimizers")
        let p = Parameter("W", try tensor(f, "w"))
        let gradients = try #require(f["gradients"] as? [[String: Any]])
        let expected = try #require(f[name] as? [[String: Any]])
        let optimizer: Optimizer =
            switch name {
            case "sgd": SGD(learningRate: 0.1)
            case "momentum": Momentum(learningRate: 0.1, momentum: 0.9)
            case "adagrad": AdaGrad(learningRate: 0.1)
            case "rmsprop": RMSprop(learningRate: 0.01, decay: 0.99)
            default: Adam(learningRate: 0.001)
            }
        for (step, (g, w)) in zip(gradients, expected).enumerated() {
            p.gradient = try tensor(["g": g], "g")
            optimizer.update([p])
            try expectMatch(p.value, ["w": w], "w", "\(name) step \(step + 1)", tolerance: 1e-6)
        }
    }

    @Test func softmaxWithLoss() throws {
        let f = try fixture("softmax_with_loss")
        let layer = SoftmaxWithLoss()
        let loss = layer.forward(try tensor(f, "x"), labels: try #require(f["labels"] as? [Int]))
        let expectedLoss = try #require(f["loss"] as? Double)
        #expect(abs(Double(loss) - expectedLoss) <= 1e-5, "loss \(loss), numpy \(expectedLoss)")
        try expectMatch(layer.y, f, "y", "softmax", relative: 1e-5)
        try expectMatch(layer.backward(), f, "dx", "softmax", relative: 1e-5)
    }
}
