// swift-format-ignore-file
/// A learnable tensor and the gradient of the loss with respect to it. A class, so
/// that a layer, the network and the optimizer all see the same numbers.
public final class Parameter {
    public let name: String
    public var value: Tensor
    public var gradient: Tensor

    public init(_ name: String, _ value: Tensor) {
        self.name = name
        self.value = value
        gradient = Tensor(shape: value.shape)
    }
}

/// A layer with the book's interface: `forward(x)` computes the output and keeps what
/// backward will need; `backward(dout)` takes ∂L/∂out, stores the gradients of the
/// layer's parameters and returns ∂L/∂x. Backward never changes the `dout` it is given.
public protocol Layer: AnyObject {
    /// A short name for tables and error messages ("Convolution", "ReLU").
    var name: String { get }
    /// `training` matters only to layers that behave differently when learning (Dropout).
    func forward(_ x: Tensor, training: Bool) -> Tensor
    func backward(_ dout: Tensor) -> Tensor
    /// Backward for a layer whose ∂L/∂x nobody uses (the first layer of a network, whose
    /// input is the data): the same parameter gradients, and a layer may skip computing dx.
    func backwardParameters(_ dout: Tensor)
    /// The learnable parameters, in a fixed order (empty for ReLU, pooling, …).
    var parameters: [Parameter] { get }
    /// The output shape for an input shape, or an error that says why the input does not fit.
    func outputShape(for inputShape: [Int]) throws -> [Int]
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public func backwardParameters(_ dout: Tensor) { _ = backward(dout) }
    /// The book's `forward(x)`: training mode.
    public func forward(_ x: Tensor) -> Tensor { forward(x, training: true) }

    /// The output shape for an input inside forward, where a mismatch is a programming
    /// error: user input is checked (and thrown) earlier, by `Network.checkInput` or
    /// `Network.summary`. Stops with the ShapeError's sentence.
    func requireOutputShape(for inputShape: [Int]) -> [Int] {
        do { return try outputShape(for: inputShape) } catch {
            fatalError("\(error)")
        }
    }
}

/// An input that does not fit a layer: the message says which layer and why.
public struct ShapeError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Output size of a convolution or pooling along one axis:
///
///     OH = (H + 2P − FH) / S + 1
///
/// It must be a whole number of at least 1: the window has to land exactly on the
/// last position. Anything else is an error that shows the arithmetic.
public func convolutionOutputSize(input: Int, filter: Int, stride: Int, padding: Int) throws -> Int {
    guard input > 0, filter > 0 else {
        throw ShapeError("input size \(input) and filter size \(filter) must be positive")
    }
    guard stride > 0 else { throw ShapeError("stride must be at least 1, got \(stride)") }
    guard padding >= 0 else { throw ShapeError("padding cannot be negative, got \(padding)") }
    let span = input + 2 * padding - filter
    guard span >= 0 else {
        throw ShapeError("a filter of \(filter) does not fit an input of \(input) with padding \(padding) "
                         + "(\(input) + 2·\(padding) − \(filter) = \(span) < 0)")
    }
    guard span % stride == 0 else {
        throw ShapeError("input \(input), filter \(filter), padding \(padding), stride \(stride): "
                         + "(\(input) + 2·\(padding) − \(filter)) / \(stride) = \(span)/\(stride) is not a whole number; "
                         + "change the padding or the stride")
    }
    return span / stride + 1
}

/// Checks that `shape` is N×C×H×W with the expected C.
func requireImageBatch(_ shape: [Int], channels: Int, layer: String) throws {
    guard shape.count == 4 else {
        throw ShapeError("\(layer) needs an N×C×H×W batch, got shape \(shape)")
    }
    guard shape[1] == channels else {
        throw ShapeError("\(layer) expects \(channels) channel(s), got \(shape[1]) (input shape \(shape))")
    }
}
