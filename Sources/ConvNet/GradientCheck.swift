import Foundation

/// Gradient checking: compare a backward pass with the slope measured by nudging each
/// number a little and watching the loss.
///
///     numeric ∂L/∂θᵢ ≈ (L(θᵢ + h) − L(θᵢ − h)) / 2h        (central difference)
///     relative error = max_i |aᵢ − nᵢ| / max(max_i (|aᵢ| + |nᵢ|), tiny)
///
/// The loss is summed in Double; the layers compute in Float, so a correct backward
/// typically shows a relative error around 1e-5 to 1e-4, while a wrong one (a missing
/// mask, a wrong sign, a gradient sent to the wrong place) shows 1e-1 or more.
public struct GradientCheckResult: CustomStringConvertible, Sendable {
    public let layer: String
    public let parameter: String
    public let relativeError: Double
    public let threshold: Double
    public let worstIndex: Int
    public let analytic: Float
    public let numeric: Float

    public var passed: Bool { relativeError <= threshold }

    public var description: String { describe(verdict: passed ? "ok" : "FAILED") }

    /// The same sentence for a check that was meant to fail (a planted bug): "caught"
    /// instead of "FAILED", so a passing test run never prints FAILED.
    public var descriptionAsExpectedFailure: String { describe(verdict: passed ? "NOT CAUGHT" : "caught") }

    private func describe(verdict: String) -> String {
        return
            "\(layer) \(parameter): relative error \(format(relativeError)) (should be below \(format(threshold))) \(verdict); "
            + "worst element [\(worstIndex)]: backward \(analytic), numerical \(numeric)"
    }

    private func format(_ x: Double) -> String { String(format: "%.1e", x) }
}

/// Numerical gradient of `loss` with respect to the numbers reached through `get`/`set`.
public func numericalGradient(
    count: Int, h: Float, get: (Int) -> Float, set: (Int, Float) -> Void,
    loss: () -> Double
) -> [Float] {
    (0..<count).map { i in
        let original = get(i)
        set(i, original + h)
        let plus = loss()
        set(i, original - h)
        let minus = loss()
        set(i, original)
        return Float((plus - minus) / (2 * Double(h)))
    }
}

/// Compares an analytic gradient with a numerical one.
public func compareGradients(
    layer: String, parameter: String, analytic: [Float], numeric: [Float],
    threshold: Double
) -> GradientCheckResult {
    require(
        analytic.count == numeric.count,
        "gradient check of \(layer) \(parameter): \(analytic.count) vs \(numeric.count) values")
    var worst = 0.0
    var worstIndex = 0
    var scale = 0.0
    for i in 0..<analytic.count {
        let difference = abs(Double(analytic[i]) - Double(numeric[i]))
        if difference > worst {
            worst = difference
            worstIndex = i
        }
        scale = max(scale, abs(Double(analytic[i])) + abs(Double(numeric[i])))
    }
    return GradientCheckResult(
        layer: layer, parameter: parameter, relativeError: worst / max(scale, 1e-20),
        threshold: threshold, worstIndex: worstIndex,
        analytic: analytic.isEmpty ? 0 : analytic[worstIndex],
        numeric: numeric.isEmpty ? 0 : numeric[worstIndex])
}

/// Checks a layer's backward: for L = Σ forward(x) ⊙ R with a fixed random R, ∂L/∂out = R,
/// so backward(R) must equal the numerical gradient of L, for x and for every parameter.
public func checkGradients(
    of layer: Layer, input: Tensor, h: Float = 1e-2, threshold: Double,
    rng: inout SeededRandom
) -> [GradientCheckResult] {
    let out = layer.forward(input, training: true)
    let r = Tensor.randomUniform(out.shape, -1, 1, rng: &rng)
    let dx = layer.backward(r)
    let analyticParameters = layer.parameters.map { $0.gradient.data }

    var x = input
    func loss() -> Double {
        let y = layer.forward(x, training: true)
        var sum = 0.0
        for i in 0..<y.count { sum += Double(y.data[i]) * Double(r.data[i]) }
        return sum
    }
    var results: [GradientCheckResult] = []
    let numericX = numericalGradient(count: x.count, h: h, get: { x.data[$0] }, set: { x.data[$0] = $1 }, loss: loss)
    results.append(
        compareGradients(layer: layer.name, parameter: "dx", analytic: dx.data, numeric: numericX, threshold: threshold)
    )
    for (p, analytic) in zip(layer.parameters, analyticParameters) {
        let numeric = numericalGradient(
            count: p.value.count, h: h, get: { p.value.data[$0] },
            set: { p.value.data[$0] = $1 }, loss: loss)
        results.append(
            compareGradients(
                layer: layer.name, parameter: "d" + p.name, analytic: analytic,
                numeric: numeric, threshold: threshold))
    }
    return results
}

/// Checks a whole network: the gradient of the loss with respect to every parameter.
public func checkGradients(
    of network: Network, input: Tensor, labels: [Int], h: Float = 1e-2,
    threshold: Double
) -> [GradientCheckResult] {
    network.gradient(input, labels: labels)
    var results: [GradientCheckResult] = []
    for (index, layer) in network.layers.enumerated() {
        for p in layer.parameters {
            let analytic = p.gradient.data
            let numeric = numericalGradient(
                count: p.value.count, h: h, get: { p.value.data[$0] },
                set: { p.value.data[$0] = $1 },
                loss: { Double(network.loss(input, labels: labels)) })
            results.append(
                compareGradients(
                    layer: "layer \(index + 1) (\(layer.name))", parameter: "d" + p.name,
                    analytic: analytic, numeric: numeric, threshold: threshold))
        }
    }
    return results
}
