// swift-format-ignore-file
/// Flatten: N×C×H×W → N×(C·H·W). The numbers stay; only the shape changes.
public final class Flatten: Layer {
    public var name: String { "Flatten" }
    private var inputShape: [Int] = []

    public init() {}

    public func outputShape(for s: [Int]) throws -> [Int] {
        guard s.count >= 2 else { throw ShapeError("Flatten needs a batch N×…, got shape \(s)") }
        return [s[0], s.dropFirst().reduce(1, *)]
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        inputShape = x.shape
        return x.reshaped([x.shape[0], -1])
    }

    public func backward(_ dout: Tensor) -> Tensor { dout.reshaped(inputShape) }
}
