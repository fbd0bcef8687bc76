@testable import ConvNet
import Foundation
import Testing

/// The layers against forward outputs and gradients computed independently by numpy
/// (Tests/ConvNetTests/Fixtures/make_fixtures.py, with direct sums over windows).
@Suite struct FixtureTests {
    nonisolated(unsafe) static let fixtures: [String: [String: Any]] = {   // read once, never written
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/layers.json")
        guard let data = try? Data(contentsOf: path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: [String: Any]] else { return [:] }
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

    func expectMatch(_ got: Tensor, _ f: [String: Any], _ key: String, _ name: String) throws {
        let expected = try tensor(f, key)
        #expect(got.shape == expected.shape, "\(name) \(key): shape \(got.shape), numpy \(expected.shape)")
        if got.shape == expected.shape {
            let difference = got.maxAbsDifference(expected)
            #expect(difference <= 1e-5, "\(name) \(key): max abs difference from numpy \(difference)")
        }
    }

    @Test(arguments: ["convolution_3ch_stride2_pad1", "convolution_2ch_stride1_pad0", "convolution_1ch_5x5_pad2"])
    func convolution(name: String) throws {
        let f = try fixture(name)
        let layer = Convolution(weights: try tensor(f, "W"), bias: try tensor(f, "b"),
                                stride: try #require(f["stride"] as? Int), padding: try #require(f["padding"] as? Int))
        try expectMatch(layer.forward(try tensor(f, "x")), f, "out", name)
        try expectMatch(layer.backward(try tensor(f, "dout")), f, "dx", name)
        try expectMatch(layer.dW, f, "dW", name)
        try expectMatch(layer.db, f, "db", name)
    }

    @Test(arguments: ["max_pooling_2x2_stride2", "max_pooling_3x3_stride1"])
    func maxPooling(name: String) throws {
        let f = try fixture(name)
        let size = try #require(f["size"] as? Int), stride = try #require(f["stride"] as? Int)
        let layer = MaxPooling(poolHeight: size, poolWidth: size, stride: stride, padding: 0)
        try expectMatch(layer.forward(try tensor(f, "x")), f, "out", name)
        try expectMatch(layer.backward(try tensor(f, "dout")), f, "dx", name)
    }

    @Test func affine() throws {
        let f = try fixture("affine")
        let layer = Affine(weights: try tensor(f, "W"), bias: try tensor(f, "b"))
        try expectMatch(layer.forward(try tensor(f, "x")), f, "out", "affine")
        try expectMatch(layer.backward(try tensor(f, "dout")), f, "dx", "affine")
        try expectMatch(layer.dW, f, "dW", "affine")
        try expectMatch(layer.db, f, "db", "affine")
    }

    @Test func relu() throws {
        let f = try fixture("relu")
        let layer = ReLU()
        try expectMatch(layer.forward(try tensor(f, "x")), f, "out", "relu")
        try expectMatch(layer.backward(try tensor(f, "dout")), f, "dx", "relu")
    }

    @Test func softmaxWithLoss() throws {
        let f = try fixture("softmax_with_loss")
        let layer = SoftmaxWithLoss()
        let loss = layer.forward(try tensor(f, "x"), labels: try #require(f["labels"] as? [Int]))
        let expectedLoss = try #require(f["loss"] as? Double)
        #expect(abs(Double(loss) - expectedLoss) <= 1e-5, "loss \(loss), numpy \(expectedLoss)")
        try expectMatch(layer.y, f, "y", "softmax")
        try expectMatch(layer.backward(), f, "dx", "softmax")
    }
}
