// The kernel benchmarks: the matrix multiply on the shapes the network uses, im2col and
// col2im, the convolution and pooling layers, and one whole training step.
import ConvNet
import Foundation

extension Bench {
    /// Runs `body` once to warm up, then repeatedly for about `seconds` (at least three
    /// times), and returns the best time of one run.
    func best(_ body: () -> Void) -> Double {
        body()  // warm up
        var fastest = Double.infinity
        var runs = 0
        let start = now()
        repeat {
            let t0 = now()
            body()
            fastest = min(fastest, now() - t0)
            runs += 1
        } while now() - start < seconds || runs < 3
        return fastest
    }

    func matrixMultiplyBenchmarks() {
        print("\nmatrix multiply C = A·B (best of repeats)")
        let shapes: [(String, Int, Int, Int, Bool, Bool)] = [
            ("square 1024", 1024, 1024, 1024, false, false),
            ("affine (100×4320)·(4320×100)", 100, 100, 4320, false, false),
            ("conv forward (57600×25)·(25×30)", 57600, 30, 25, false, false),
            ("conv dW (25×57600)·(57600×30)", 25, 30, 57600, true, false),
            ("conv dcol (57600×30)·(30×25)", 57600, 25, 30, false, false),
            ("affine dW (4320×100)ᵀ·(100×100)", 4320, 100, 100, true, false),
            ("affine dx (100×100)·(4320×100)ᵀ", 100, 4320, 100, false, true),
            ("one image's conv forward (30×25)·(25×576)", 30, 576, 25, false, false),
            ("one image's conv dW (30×576)·(25×576)ᵀ", 30, 25, 576, false, true),
        ]
        var rng = SeededRandom(seed: 1)
        for (name, m, n, k, ta, tb) in shapes {
            let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
            let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
            var c = [Float](repeating: 0, count: m * n)
            let t = best { matrixMultiply(a, b, &c, m: m, n: n, k: k, transposeA: ta, transposeB: tb) }
            let gflops = 2 * Double(m) * Double(n) * Double(k) / t / 1e9
            print(
                "  " + name.padding(toLength: 44, withPad: " ", startingAt: 0)
                    + String(format: " %8.3f ms  %6.1f GFLOP/s", t * 1e3, gflops))
        }
    }

    /// im2col, col2im, the layers, and one training step, on a batch of 100 digits-sized
    /// inputs with the Lesson 09 network's first layers (30 filters of 5×5).
    func layerBenchmarks() {
        var rng = SeededRandom(seed: 2)
        let x = Tensor.randomUniform([100, 1, 28, 28], 0, 1, rng: &rng)
        print("\nim2col and layers, batch of 100 1×28×28 images, 30 filters 5×5")
        func show(_ name: String, _ seconds: Double) {
            print(
                "  " + name.padding(toLength: 44, withPad: " ", startingAt: 0)
                    + String(format: " %8.3f ms", seconds * 1e3))
        }
        var col = Tensor(shape: [0])
        show("im2col (57600×25)", best { col = im2col(x, filterHeight: 5, filterWidth: 5, stride: 1, padding: 0) })
        show(
            "col2im",
            best { _ = col2im(col, inputShape: x.shape, filterHeight: 5, filterWidth: 5, stride: 1, padding: 0) })

        // Each layer twice: as the book wrote it, then on the engine (the same numbers).
        let conv = Convolution(
            filters: 30, channels: 1, filterHeight: 5, filterWidth: 5, stride: 1, padding: 0,
            weightStd: 0.2, rng: &rng)
        let relu = ReLU()
        let pool = MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0)
        let affine = Affine(inputSize: 4320, outputSize: 100, weightStd: 0.02, rng: &rng)
        let convOut = conv.forward(x)
        let dConv = Tensor.randomNormal(convOut.shape, rng: &rng)
        let poolOut = pool.forward(convOut)
        let dPool = Tensor.randomNormal(poolOut.shape, rng: &rng)
        let dAffine = Tensor.randomNormal([100, 100], rng: &rng)
        for (label, layers) in [
            ("book", [conv, relu, pool, affine] as [Layer]),
            ("engine", [EngineConvolution(conv), EngineReLU(), EngineMaxPooling(pool), EngineAffine(affine)]),
        ] {
            let (c, r, p, a) = (layers[0], layers[1], layers[2], layers[3])
            show("\(label) Convolution forward", best { _ = c.forward(x) })
            show("\(label) Convolution backward", best { _ = c.backward(dConv) })
            show("\(label) ReLU forward (30×24×24)", best { _ = r.forward(convOut) })
            show("\(label) ReLU backward", best { _ = r.backward(dConv) })
            show("\(label) MaxPooling forward (30×24×24)", best { _ = p.forward(convOut) })
            show("\(label) MaxPooling backward", best { _ = p.backward(dPool) })
            show("\(label) Affine forward (4320→100)", best { _ = a.forward(poolOut) })
            show("\(label) Affine backward", best { _ = a.backward(dAffine) })
            if label == "engine" {
                show("engine Affine backward, dW and db only", best { a.backwardParameters(dAffine) })
            }
        }

        if let block = ConvolutionBlock(conv, relu, pool) {
            show("engine ConvolutionBlock forward (the three above)", best { _ = block.forward(x) })
            show("engine ConvolutionBlock backward", best { _ = block.backward(dPool) })
            show("engine ConvolutionBlock backward, dW and db only", best { block.backwardParameters(dPool) })
        }

        let net = Network.simpleConvNet(rng: &rng)
        let adam = Adam(learningRate: 0.001)
        let labels = (0..<100).map { $0 % 10 }
        show(
            "SimpleConvNet training step, book layers",
            best {
                net.gradient(x, labels: labels)
                adam.update(net.parameters)
            })
        let layerByLayer = net.onEngine(fusesBlocks: false)
        show(
            "SimpleConvNet training step, engine layer by layer",
            best {
                layerByLayer.gradient(x, labels: labels)
                adam.update(net.parameters)
            })
        let engine = net.onEngine()
        let step = best {
            engine.gradient(x, labels: labels)
            adam.update(net.parameters)
        }
        show("SimpleConvNet training step, engine", step)
        print(String(format: "  → %.1f s for an epoch of 600 such steps (60000 images)", step * 600))
    }
}
