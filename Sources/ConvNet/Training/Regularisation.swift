/// Two regularisers the trainer can apply (Lesson 08): weight decay and random shifts.

/// Weight decay (the book's chapter 6): the loss gains λ/2 · ΣW² over every weight matrix
/// and filter bank (parameters named "W"; biases are left alone), so each weight's
/// gradient gains λ·W and large weights are pulled towards zero. Returns the penalty
/// added to the loss.
public func addWeightDecay(_ lambda: Float, to parameters: [Parameter]) -> Float {
    var penalty: Float = 0
    for p in parameters where p.name == "W" {
        for i in 0..<p.value.count {
            let w = p.value.data[i]
            penalty += w * w
            p.gradient.data[i] += lambda * w  // d/dw of λ/2·w²
        }
    }
    return lambda / 2 * penalty
}

/// Data augmentation: each image of x (N×C×H×W) moved by its own random whole-pixel
/// shift of at most `pixels` up, down, left or right, the uncovered border filled with 0.
/// A digit moved a pixel or two is still the same digit, so the network sees new
/// examples without new data.
public func randomlyShifted(_ x: Tensor, upTo pixels: Int, rng: inout SeededRandom) -> Tensor {
    require(x.rank == 4, "randomlyShifted expects N×C×H×W, got \(x.shape)")
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    var out = Tensor(shape: x.shape)
    for item in 0..<n {
        let dy = rng.index(below: 2 * pixels + 1) - pixels
        let dx = rng.index(below: 2 * pixels + 1) - pixels
        for channel in 0..<c {
            for row in max(0, dy)..<min(h, h + dy) {
                for column in max(0, dx)..<min(w, w + dx) {
                    out[item, channel, row, column] = x[item, channel, row - dy, column - dx]
                }
            }
        }
    }
    return out
}
