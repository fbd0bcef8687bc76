/// The engine's ReLU: the same numbers as the book's `ReLU`, with the work shared out
/// between threads, the output kept in place of a mask (it is positive exactly where x
/// was), and the tensors reused from step to step.
package final class EngineReLU: Layer {
    package var name: String { "ReLU" }
    // Two output buffers, used in turn. The next layer may keep this step's output until
    // its backward (a convolution keeps its input), so at the next forward it is still
    // shared, and writing into it would make Swift copy it first (11.5 MB after Lesson
    // 10's first convolution); the other buffer is free by then.
    private var outputs = [Tensor(shape: [0]), Tensor(shape: [0])]
    private var current = 0
    private var output: Tensor { outputs[current] }
    private var dx = Tensor(shape: [0])

    package init() {}

    package func outputShape(for s: [Int]) throws -> [Int] { s }

    package func forward(_ x: Tensor, training: Bool) -> Tensor {
        current = 1 - current
        outputs[current].reuseStorage(for: x.shape)
        x.data.withUnsafeBufferPointer { x in
            outputs[current].data.withUnsafeMutableBufferPointer { out in
                parallelFor(x.count, cost: 1) { range in
                    let (x, out) = (x.baseAddress! + range.lowerBound, out.baseAddress! + range.lowerBound)
                    for i in 0..<range.count { out[i] = x[i] > 0 ? x[i] : 0 }
                }
            }
        }
        return output
    }

    package func backward(_ dout: Tensor) -> Tensor {
        require(dout.count == output.count, "ReLU.backward: dout \(dout.shape) does not match the last forward")
        dx.reuseStorage(for: dout.shape)
        output.data.withUnsafeBufferPointer { out in
            dout.data.withUnsafeBufferPointer { dout in
                dx.data.withUnsafeMutableBufferPointer { dx in
                    parallelFor(dx.count, cost: 1) { range in
                        // Local pointers: the compiler can then vectorise the loop.
                        let start = range.lowerBound
                        let (out, dout, dx) = (
                            out.baseAddress! + start, dout.baseAddress! + start, dx.baseAddress! + start
                        )
                        for i in 0..<range.count { dx[i] = out[i] > 0 ? dout[i] : 0 }  // the mask: x > 0
                    }
                }
            }
        }
        return dx
    }
}
