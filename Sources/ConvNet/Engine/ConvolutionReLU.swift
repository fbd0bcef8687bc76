/// Convolution → ReLU, run image by image: the same numbers as the two layers one after
/// the other, only sooner.
///
///     x: N×C×H×W  →  conv + bias, then max(·, 0) in place: N×FN×OH×OW
///
/// Layer by layer, ReLU reads the convolution's whole output and writes as much again
/// (11.5 MB each way for Lesson 10's first convolution), and in backward reads it and
/// dout and writes dx. Here the bias and ReLU go onto each image's maps while the
/// convolution has just written them and they are in the cache; backward applies ReLU's
/// mask (output above zero) to each image's dout as the convolution's backward takes it.
/// A Convolution followed by a 2×2 max pooling becomes a ConvolutionBlock instead.
package final class ConvolutionReLU: Layer {
    let convolution: EngineConvolution
    package var name: String { "Convolution+ReLU" }
    package var parameters: [Parameter] { convolution.parameters }

    // The output, N×FN×OH×OW, in two buffers used in turn (as ConvolutionBlock's): the
    // next layer keeps it until its backward, so at the next step's forward it is still
    // shared, and writing into it would make Swift copy it first.
    private var outputs = [Tensor(shape: [0]), Tensor(shape: [0])]
    private var current = 0
    private var output: Tensor { outputs[current] }

    /// The two layers as one, or nil if they are not a Convolution and a ReLU.
    package init?(_ convolution: Layer, _ relu: Layer) {
        guard let convolution = convolution as? Convolution, relu is ReLU else { return nil }
        self.convolution = EngineConvolution(convolution)
    }

    package func outputShape(for s: [Int]) throws -> [Int] { try convolution.outputShape(for: s) }

    package func forward(_ x: Tensor, training: Bool) -> Tensor {
        let s = requireOutputShape(for: x.shape)  // N×FN×OH×OW
        let (fn, planeSize) = (s[1], s[2] * s[3])
        let bias = convolution.b.value.data
        current = 1 - current
        outputs[current].reuseStorage(for: s)
        outputs[current].data.withUnsafeMutableBufferPointer { out in
            convolution.forwardImages(x, into: out.baseAddress!) { _, outN in
                for f in 0..<fn {
                    let (plane, b) = (outN + f * planeSize, bias[f])
                    for i in 0..<planeSize {
                        let v = plane[i] + b
                        plane[i] = v > 0 ? v : 0
                    }
                }
            }
        }
        return output
    }

    package func backward(_ dout: Tensor) -> Tensor { backward(dout, inputGradient: true) }

    /// As the first layer of a network: the parameter gradients only, no ∂L/∂x.
    package func backwardParameters(_ dout: Tensor) { _ = backward(dout, inputGradient: false) }

    /// Per image: dout_n where the output is above zero (there x was), 0 elsewhere; that
    /// is the convolution's dout_n, and the convolution's backward takes it from there.
    private func backward(_ dout: Tensor, inputGradient: Bool) -> Tensor {
        require(
            dout.shape == output.shape,
            "Convolution+ReLU.backward: dout \(dout.shape) does not match the last forward's output \(output.shape)")
        let perImage = output.count / max(output.shape[0], 1)
        return dout.data.withUnsafeBufferPointer { dout in
            output.data.withUnsafeBufferPointer { out in
                convolution.backwardImages(inputGradient: inputGradient) { n, d in
                    let (g, o) = (dout.baseAddress! + n * perImage, out.baseAddress! + n * perImage)
                    for i in 0..<perImage { d[i] = o[i] > 0 ? g[i] : 0 }
                    return UnsafePointer(d)
                }
            }
        }
    }
}
