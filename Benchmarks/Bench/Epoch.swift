// The epoch benchmark: what a learner waits for in Lesson 09. One epoch of SimpleConvNet
// (or, with --network deeper, Lesson 10's network; Adam, batch 100) over all 60000
// training images, then the test set classified in batches of 1000, then one training
// step taken apart layer by layer.
import ConvNet
import Datasets
import Foundation

extension Bench {
    func epochBenchmark() throws {
        let data = try MNIST.load(dataset == "fashion" ? .fashion : .bundled)
        print("data: \(data.name), \(data.train.count) training and \(data.test.count) test images")
        var rng = SeededRandom(seed: 42)
        let bookNetwork: Network
        if self.network == "deeper" {
            print(
                "network: Lesson 10's (Conv 50 5×5, ReLU, Conv 50 3×3, ReLU, MaxPool 2×2, Dropout, Affine 6050→100, ReLU, Dropout, Affine 100→10), Adam 0.001, batch 100"
            )
            bookNetwork = Network.deeperConvNet(rng: &rng)
        } else {
            print(
                "network: SimpleConvNet (Conv 30 5×5, ReLU, MaxPool 2×2, Affine 4320→100, ReLU, Affine 100→10), Adam 0.001, batch 100"
            )
            bookNetwork = Network.simpleConvNet(rng: &rng)
        }
        let network = book ? bookNetwork : bookNetwork.onEngine(fusesBlocks: !layerByLayer)
        print(
            "runs: " + (book ? "the book layers" : "the engine") + ": "
                + network.executedLayerNames.joined(separator: ", "))
        let trainer = try Trainer(
            network: network, optimizer: Adam(learningRate: 0.001), train: data.train,
            options: TrainingOptions(epochs: 1, batchSize: 100, seed: 42, stopAfterSteps: steps))
        // Each step's time too: on a shared machine a few slow steps (the system running
        // something else) pull the mean up, and the median shows what a step itself costs.
        var stepTimes: [Double] = []
        let start = now()
        var lastStep = start
        trainer.onStep = { _ in
            let t = now()
            stepTimes.append(t - lastStep)
            lastStep = t
        }
        try trainer.run()
        let trained = now() - start
        let done = trainer.totalSteps == 0 ? trainer.stepsPerEpoch : trainer.totalSteps
        let epochSeconds = trained * Double(trainer.stepsPerEpoch) / Double(done)
        let losses = trainer.history.stepLosses
        let meanLoss = losses.reduce(0, +) / Float(max(losses.count, 1))
        print("")
        print(
            String(format: "epoch: %.2f s", epochSeconds)
                + (done < trainer.stepsPerEpoch
                    ? "   (extrapolated from \(done) of \(trainer.stepsPerEpoch) steps)" : ""))
        print(
            String(
                format: "  training: %.0f images/s, %.2f ms per step, mean loss %.3f",
                Double(done * 100) / trained, 1e3 * trained / Double(done), meanLoss))
        let sorted = stepTimes.sorted()
        if !sorted.isEmpty {
            print(
                String(
                    format: "  steps: median %.2f ms, fastest %.2f ms, slowest %.2f ms",
                    1e3 * sorted[sorted.count / 2], 1e3 * sorted[0], 1e3 * sorted[sorted.count - 1]))
        }

        // How near the limit: the epoch's arithmetic against the square product's speed.
        let flops = trainingFLOPs(bookNetwork) * Double(trainer.stepsPerEpoch * 100)
        let peak = peakGFLOPs()
        let effective = flops / epochSeconds / 1e9
        print(
            String(
                format:
                    "  arithmetic: %.0f GFLOP an epoch (2 × the multiply-adds of the convolutions and affine layers, forward and backward)",
                flops / 1e9))
        print(
            String(
                format:
                    "  effective: %.0f GFLOP/s, %.0f %% of this machine's peak (square 1024 product: %.0f GFLOP/s, %d thread(s))",
                effective, 100 * effective / peak, peak, threads))

        // Classifying: the whole test set in batches of 1000, bytes to Float included.
        _ = network.classify(data.test.firstBatch(1000).x)  // warm up
        let testStart = now()
        let accuracy = trainer.evaluate(data.test, limit: nil)
        let testSeconds = now() - testStart
        print(
            String(
                format: "test: %.0f images/s (batch 1000; %d images in %.3f s), accuracy %.2f %%",
                Double(data.test.count) / testSeconds, data.test.count, testSeconds, 100 * accuracy))

        inferenceBreakdown(network, data.test)
        stepBreakdown(network, data.train)

        // Does anything around the steps cost time (gathering batches, waking threads,
        // allocating)? The epoch against as many steps taken alone, one batch over and
        // over. Their total is the like-for-like figure: on a shared machine identical
        // steps spread, in the epoch and alone alike. The best single step is the floor.
        let (x, labels) = data.train.firstBatch(100)
        func stepAlone() {
            network.gradient(x, labels: labels)
            trainer.optimizer.update(network.parameters)
        }
        stepAlone()  // warm up
        var aloneTimes: [Double] = []
        for _ in 0..<done {
            let t0 = now()
            stepAlone()
            aloneTimes.append(now() - t0)
        }
        let alone = aloneTimes.reduce(0, +)
        let fastest = aloneTimes.min() ?? alone
        print(
            String(
                format:
                    "\n%d steps alone (one batch over and over): %.2f s, best %.3f ms, median %.3f ms; the epoch took %.2f × as long, %.2f × %d of the best",
                done, alone, fastest * 1e3, aloneTimes.sorted()[done / 2] * 1e3, trained / alone,
                trained / (fastest * Double(done)), done))
    }

    /// Floating-point operations of one training image through `network`: each
    /// multiply-add counts 2. A convolution's forward is FN·OH·OW·C·FH·FW multiply-adds,
    /// and its backward as many again for dW and for dx (the first layer computes no dx);
    /// an affine layer's likewise with in·out. Pooling, ReLU and the loss are left out
    /// (a few percent).
    func trainingFLOPs(_ network: Network) -> Double {
        var shape = [1] + network.inputShape
        var total = 0.0
        for (i, layer) in network.layers.enumerated() {
            let input = shape
            guard let output = try? layer.outputShape(for: input) else { return 0 }
            shape = output
            let passes = i == 0 ? 2.0 : 3.0  // forward, dW, and dx except for the first layer
            if let conv = layer as? Convolution {
                let perOutput = Double(conv.channels * conv.filterHeight * conv.filterWidth)
                total += passes * perOutput * Double(output.dropFirst().reduce(1, *))
            } else if let affine = layer as? Affine {
                total += passes * Double(affine.W.value.count)
            }
        }
        return 2 * total
    }

    /// The square 1024 product's speed with the threads in use: the most this machine's
    /// matrix multiply reaches.
    func peakGFLOPs() -> Double {
        var rng = SeededRandom(seed: 1)
        let n = 1024
        let a = (0..<(n * n)).map { _ in rng.uniform(-1, 1) }
        let b = (0..<(n * n)).map { _ in rng.uniform(-1, 1) }
        var c = [Float](repeating: 0, count: n * n)
        let t = best { matrixMultiply(a, b, &c, m: n, n: n, k: n, transposeA: false, transposeB: false) }
        return 2 * Double(n * n * n) / t / 1e9
    }

    /// Times each layer's forward in inference mode over the whole test set, in passes of
    /// `network.inferenceChunk` images (as `Network.predict` takes a batch of 1000), and
    /// prints the time per 100 images.
    func inferenceBreakdown(_ network: Network, _ test: LabelledImages) {
        let chunk = network.inferenceChunk
        let layers = network.executedLayers
        var forward = [Double](repeating: 0, count: layers.count)
        var batchTime = 0.0
        var start = 0
        while start < test.count {
            var t = now()
            let (x, _) = test.batch(Array(start..<min(start + chunk, test.count)))
            var next = now()
            batchTime += next - t
            t = next
            var out = x
            for (i, layer) in layers.enumerated() {
                out = layer.forward(out, training: false)
                next = now()
                forward[i] += next - t
                t = next
            }
            start += chunk
        }
        let scale = 1e3 * 100 / Double(test.count)
        print(
            "\nclassifying 100 images by layer (inference mode, \(chunk) at a time, mean over the test set), milliseconds:"
        )
        print("  batch (bytes → Float)           " + String(format: " %8.3f", batchTime * scale))
        for (i, layer) in layers.enumerated() {
            print(
                "  " + "\(i + 1) \(layer.name)".padding(toLength: 32, withPad: " ", startingAt: 0)
                    + String(format: " %8.3f", forward[i] * scale))
        }
        let total = (batchTime + forward.reduce(0, +)) * scale
        print(String(format: "  total %.3f ms per 100 images → %.0f images/s", total, 1e5 / total))
    }

    /// Times each layer's forward and backward over `steps` training steps and prints the
    /// mean, so a learner can see where a step's time goes.
    func stepBreakdown(_ network: Network, _ train: LabelledImages, steps: Int = 50) {
        let optimizer = Adam(learningRate: 0.001)
        let layers = network.executedLayers
        var forward = [Double](repeating: 0, count: layers.count)
        var backward = [Double](repeating: 0, count: layers.count)
        var batchTime = 0.0
        var lossForward = 0.0
        var lossBackward = 0.0
        var update = 0.0
        var rng = SeededRandom(seed: 7)
        let batches = train.shuffledBatches(size: 100, rng: &rng)
        for step in 0..<(steps + 1) {
            let record = step > 0  // step 0 warms up
            var t = now()
            func lap(_ into: inout Double) {
                let next = now()
                if record { into += next - t }
                t = next
            }
            let (x, labels) = train.batch(batches[step % batches.count])
            lap(&batchTime)
            var out = x
            for (i, layer) in layers.enumerated() {
                out = layer.forward(out, training: true)
                lap(&forward[i])
            }
            _ = network.lossLayer.forward(out, labels: labels)
            lap(&lossForward)
            var dout = network.lossLayer.backward()
            lap(&lossBackward)
            // As Network.gradient does: the first layer computes no ∂L/∂x.
            for (i, layer) in layers.enumerated().dropFirst().reversed() {
                dout = layer.backward(dout)
                lap(&backward[i])
            }
            layers[0].backwardParameters(dout)
            lap(&backward[0])
            optimizer.update(network.parameters)
            lap(&update)
        }
        let scale = 1e3 / Double(steps)
        print("\none training step (batch 100) by layer, mean of \(steps) steps, milliseconds:")
        print("  " + "layer".padding(toLength: 32, withPad: " ", startingAt: 0) + "  forward  backward")
        func row(_ name: String, _ f: Double?, _ b: Double?) {
            let cell = { (v: Double?) in v.map { String(format: "%8.3f", $0 * scale) } ?? "       –" }
            print("  " + name.padding(toLength: 32, withPad: " ", startingAt: 0) + " " + cell(f) + "  " + cell(b))
        }
        row("batch (bytes → Float)", batchTime, nil)
        for (i, layer) in layers.enumerated() { row("\(i + 1) \(layer.name)", forward[i], backward[i]) }
        row("SoftmaxWithLoss", lossForward, lossBackward)
        row("Adam update", nil, update)
        let total = batchTime + forward.reduce(0, +) + backward.reduce(0, +) + lossForward + lossBackward + update
        print(
            String(format: "  total %.3f ms per step → %.2f s for 600 steps", total * scale, total * scale * 600 / 1e3))
    }
}
