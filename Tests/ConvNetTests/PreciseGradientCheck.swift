import Foundation
import Testing

@testable import ConvNet

// Gradient checks precise enough to judge each element.
//
// The layers compute in Float, and a numerical gradient taken through them carries Float's
// rounding divided by 2h: about 1e-4 of the gradient's size, so a check in Float can only
// tell a gross bug from a correct backward. Here the numerical gradient comes from a second
// forward written in Double (`Reference`, direct loops over every output, independent of
// im2col and of the engine), with h = 1e-4: its own error is below 1e-8 of the gradient's
// size. The layer's backward (in Float) is then judged element by element:
//
//     error_i = |a_i − n_i| / max(|a_i| + |n_i|, floor),   floor = 1e-3 · max_j (|a_j| + |n_j|)
//
// so an element is compared with its own size, not with the largest element of the
// tensor; only elements a thousand times smaller than the largest are judged against the
// floor instead (their Float rounding is set by the larger terms they are summed from).
// A correct backward shows errors around 1e-7 to 1e-6 (Float rounding), one element off
// by 1 % shows 5e-3.

/// A Double tensor for the reference forwards.
struct DoubleTensor {
    var shape: [Int]
    var data: [Double]
    init(shape: [Int], data: [Double]) {
        self.shape = shape
        self.data = data
    }
    init(_ t: Tensor) { self.init(shape: t.shape, data: t.data.map(Double.init)) }
}

/// Forward passes in Double, by direct loops, for every layer the course has. Parameters
/// come as Double arrays in the layer's `parameters` order, so a check can nudge them.
enum Reference {
    static func forward(_ layer: Layer, _ x: DoubleTensor, _ parameters: [[Double]]) -> DoubleTensor {
        switch layer {
        case let c as Convolution:
            return convolution(x, c.W.value.shape, parameters[0], parameters[1], c.stride, c.padding)
        case let c as EngineConvolution: return forward(c.layer, x, parameters)
        case let p as MaxPooling: return pooling(x, p.poolHeight, p.poolWidth, p.stride, p.padding, max: true)
        case let p as EngineMaxPooling: return forward(p.layer, x, parameters)
        case let p as AveragePooling: return pooling(x, p.poolHeight, p.poolWidth, p.stride, p.padding, max: false)
        case let a as Affine: return affine(x, a.inputSize, a.outputSize, parameters[0], parameters[1])
        case let a as EngineAffine: return forward(a.layer, x, parameters)
        case is ReLU, is EngineReLU: return DoubleTensor(shape: x.shape, data: x.data.map { max(0, $0) })
        case is Sigmoid: return DoubleTensor(shape: x.shape, data: x.data.map { 1 / (1 + exp(-$0)) })
        case is Flatten: return DoubleTensor(shape: [x.shape[0], x.data.count / max(x.shape[0], 1)], data: x.data)
        case let d as Dropout:
            return DoubleTensor(shape: x.shape, data: zip(x.data, d.scaledMask).map { $0 * Double($1) })
        case let d as EngineDropout:
            return DoubleTensor(shape: x.shape, data: zip(x.data, d.scaledMask).map { $0 * Double($1) })
        case let b as ConvolutionBlock:
            let conv = forward(b.convolution, x, parameters)
            return forward(b.pooling, DoubleTensor(shape: conv.shape, data: conv.data.map { max(0, $0) }), [])
        default:
            Issue.record("no Double reference for \(layer.name)")
            return x
        }
    }

    /// out[n][f][y][x] = b[f] + Σ_c Σ_i Σ_j W[f][c][i][j] · x[n][c][y·S − P + i][x·S − P + j]
    static func convolution(_ x: DoubleTensor, _ wShape: [Int], _ w: [Double], _ b: [Double], _ s: Int, _ p: Int)
        -> DoubleTensor
    {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (fn, fh, fw) = (wShape[0], wShape[2], wShape[3])
        let oh = (h + 2 * p - fh) / s + 1
        let ow = (wd + 2 * p - fw) / s + 1
        var out = [Double](repeating: 0, count: n * fn * oh * ow)
        for img in 0..<n {
            for f in 0..<fn {
                for y in 0..<oh {
                    for xo in 0..<ow {
                        var sum = b[f]
                        for ch in 0..<c {
                            for i in 0..<fh {
                                for j in 0..<fw {
                                    let iy = y * s - p + i
                                    let ix = xo * s - p + j
                                    if iy >= 0 && iy < h && ix >= 0 && ix < wd {
                                        sum +=
                                            w[((f * c + ch) * fh + i) * fw + j]
                                            * x.data[((img * c + ch) * h + iy) * wd + ix]
                                    }
                                }
                            }
                        }
                        out[((img * fn + f) * oh + y) * ow + xo] = sum
                    }
                }
            }
        }
        return DoubleTensor(shape: [n, fn, oh, ow], data: out)
    }

    /// The max (padding never wins) or the mean (padding counts as zero) of each window.
    static func pooling(_ x: DoubleTensor, _ ph: Int, _ pw: Int, _ s: Int, _ p: Int, max useMax: Bool) -> DoubleTensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h + 2 * p - ph) / s + 1
        let ow = (w + 2 * p - pw) / s + 1
        var out = [Double](repeating: 0, count: n * c * oh * ow)
        for plane in 0..<(n * c) {
            for y in 0..<oh {
                for xo in 0..<ow {
                    var best = -Double.infinity
                    var sum = 0.0
                    for i in 0..<ph {
                        for j in 0..<pw {
                            let iy = y * s - p + i
                            let ix = xo * s - p + j
                            if iy >= 0 && iy < h && ix >= 0 && ix < w {
                                let v = x.data[(plane * h + iy) * w + ix]
                                best = Swift.max(best, v)
                                sum += v
                            }
                        }
                    }
                    out[(plane * oh + y) * ow + xo] = useMax ? best : sum / Double(ph * pw)
                }
            }
        }
        return DoubleTensor(shape: [n, c, oh, ow], data: out)
    }

    /// out = x·W + b, each item flattened.
    static func affine(_ x: DoubleTensor, _ d: Int, _ m: Int, _ w: [Double], _ b: [Double]) -> DoubleTensor {
        let n = x.shape[0]
        var out = [Double](repeating: 0, count: n * m)
        for i in 0..<n {
            for j in 0..<m {
                var sum = b[j]
                for k in 0..<d { sum += x.data[i * d + k] * w[k * m + j] }
                out[i * m + j] = sum
            }
        }
        return DoubleTensor(shape: [n, m], data: out)
    }

    /// Mean cross-entropy of the softmax of each row against its label.
    static func softmaxWithLoss(_ scores: DoubleTensor, _ labels: [Int]) -> Double {
        let k = scores.shape[1]
        var total = 0.0
        for (row, label) in labels.enumerated() {
            let r = Array(scores.data[(row * k)..<((row + 1) * k)])
            let largest = r.max() ?? 0
            let sum = r.reduce(0) { $0 + exp($1 - largest) }
            total -= (r[label] - largest) - log(sum)
        }
        return total / Double(labels.count)
    }
}

/// One gradient judged element by element.
struct PreciseResult: CustomStringConvertible {
    let layer: String, parameter: String
    let worstError: Double, worstIndex: Int, analytic: Double, numeric: Double, threshold: Double
    var passed: Bool { worstError <= threshold }
    var description: String {
        String(
            format:
                "%@ %@: worst element [%d] backward %.8g, numerical (Double) %.8g, relative error %.1e (should be below %.0e) %@",
            layer, parameter, worstIndex, analytic, numeric, worstError, threshold, passed ? "ok" : "flagged")
    }
}

/// error_i = |a_i − n_i| / max(|a_i| + |n_i|, floor), the worst element.
func judge(_ layer: String, _ parameter: String, analytic: [Float], numeric: [Double], threshold: Double)
    -> PreciseResult
{
    let a = analytic.map(Double.init)
    let scale = zip(a, numeric).map { abs($0) + abs($1) }.max() ?? 0
    let floor = max(1e-3 * scale, 1e-30)
    var worst = 0.0
    var worstIndex = 0
    for i in 0..<a.count {
        let error = abs(a[i] - numeric[i]) / max(abs(a[i]) + abs(numeric[i]), floor)
        if error.isNaN || error > worst {
            worst = error.isNaN ? .infinity : error
            worstIndex = i
        }
    }
    return PreciseResult(
        layer: layer, parameter: parameter, worstError: worst, worstIndex: worstIndex,
        analytic: a.isEmpty ? 0 : a[worstIndex], numeric: numeric.isEmpty ? 0 : numeric[worstIndex],
        threshold: threshold)
}

/// Central differences in Double of `loss` with respect to each of `values`.
func doubleGradient(_ values: [Double], h: Double = 1e-4, _ loss: ([Double]) -> Double) -> [Double] {
    var v = values
    return (0..<v.count).map { i in
        let original = v[i]
        v[i] = original + h
        let plus = loss(v)
        v[i] = original - h
        let minus = loss(v)
        v[i] = original
        return (plus - minus) / (2 * h)
    }
}

/// The layer's backward against the Double reference, for x and every parameter, with
/// L = Σ forward(x) ⊙ R for a fixed random R. The layer is run forward once (in training
/// mode) so that dropout's mask and pooling's winners are those of the backward judged.
func preciseCheck(_ layer: Layer, input: Tensor, threshold: Double = 1e-5, seed: UInt64 = 99) -> [PreciseResult] {
    var rng = SeededRandom(seed: seed)
    let out = layer.forward(input, training: true)
    let r = Tensor.randomUniform(out.shape, -1, 1, rng: &rng).data.map(Double.init)
    let dx = layer.backward(Tensor(shape: out.shape, data: r.map(Float.init)))
    let analytic = layer.parameters.map(\.gradient.data)
    let x = DoubleTensor(input)
    let parameters = layer.parameters.map { $0.value.data.map(Double.init) }
    func loss(_ x: DoubleTensor, _ parameters: [[Double]]) -> Double {
        zip(Reference.forward(layer, x, parameters).data, r).reduce(0) { $0 + $1.0 * $1.1 }
    }
    var results = [
        judge(
            layer.name, "dx", analytic: dx.data,
            numeric: doubleGradient(x.data) { loss(DoubleTensor(shape: x.shape, data: $0), parameters) },
            threshold: threshold)
    ]
    for (k, p) in layer.parameters.enumerated() {
        let numeric = doubleGradient(parameters[k]) { values in
            var changed = parameters
            changed[k] = values
            return loss(x, changed)
        }
        results.append(judge(layer.name, "d" + p.name, analytic: analytic[k], numeric: numeric, threshold: threshold))
    }
    return results
}

/// A whole network's parameter gradients against the Double reference of its loss.
func preciseCheck(_ network: Network, input: Tensor, labels: [Int], threshold: Double) -> [PreciseResult] {
    network.gradient(input, labels: labels)
    let layers = network.executedLayers
    let x = DoubleTensor(input)
    let values = layers.map { $0.parameters.map { $0.value.data.map(Double.init) } }
    func loss(_ values: [[[Double]]]) -> Double {
        var out = x
        for (layer, parameters) in zip(layers, values) { out = Reference.forward(layer, out, parameters) }
        return Reference.softmaxWithLoss(out, labels)
    }
    var results: [PreciseResult] = []
    for (l, layer) in layers.enumerated() {
        for (k, p) in layer.parameters.enumerated() {
            let numeric = doubleGradient(values[l][k]) { changed in
                var all = values
                all[l][k] = changed
                return loss(all)
            }
            results.append(
                judge(
                    "layer \(l + 1) (\(layer.name))", "d" + p.name, analytic: p.gradient.data,
                    numeric: numeric, threshold: threshold))
        }
    }
    return results
}
