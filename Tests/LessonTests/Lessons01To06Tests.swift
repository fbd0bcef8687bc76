import Foundation
import Testing

/// Each lesson of the first half runs with --quick, writes its figures, and prints the
/// numbers its prose promises (computed by the lesson, checked here against hand values).
@Suite struct Lessons01To06Tests {
    @Test func lesson01() throws {
        let run = try LessonRun.checkQuick(
            "Lesson01",
            expectFigures: ["five-and-stride.png", "filters.png", "feature-maps.png", "why-convolution.png"])
        // The stride-3 output of the vertical bar on the 6×6 "5", worked out by hand: 3 2 / 1 3.
        #expect(run.output.contains("output, stride 3  (2×2)\n  3 2\n  1 3\n"))
        #expect(run.output.contains("out[0, 0] = 0·0 + 1·1 + 1·0 + 0·0 + 1·1 + 0·0 + 0·0 + 1·1 + 1·0 = 3"))
        #expect(run.output.contains("stride 1: Convolution gives [1, 1, 4, 4], largest difference from filter2D: 0.0"))
        // Why convolution: the claims of the prose, from the numbers printed.
        let shuffled = try #require(Self.number(after: "shuffled alike: largest output difference ", in: run.output))
        #expect(shuffled < 1e-5, "shuffling pixels and weights alike changed the Affine outputs")
        let changed = try #require(Self.number(after: "moved 2 pixels right: ", in: run.output))
        #expect(changed > 50)
        #expect(
            run.output.contains("edge map of the moved digit vs the map moved: largest difference 0.0e+00"))
        #expect(run.output.contains("Convolution, 30 filters of 5×5    17280       750"))
    }

    @Test func lesson02() throws {
        let run = try LessonRun.checkQuick("Lesson02", expectFigures: ["padding.png"])
        #expect(run.output.contains("(28 + 4 − 5)/1 + 1  28"))
        #expect(run.output.contains("H 28, FH 3, P 0, S 2 → rejected: input 28, filter 3, padding 0, stride 2"))
        // The corner of the padded 3×3 sum is 1 + 2 + 5 + 6.
        #expect(run.output.contains("  14 24 30 22\n"))
    }

    @Test func lesson03() throws {
        let run = try LessonRun.checkQuick("Lesson03", expectFigures: ["im2col-matrix.png", "col2im-counts.png"])
        #expect(run.output.contains("   1  2  3  5  6  7  9 10 11 21 22 23 25 26 27 29 30 31\n"))
        #expect(run.output.contains("  1 2 2 1\n  2 4 4 2\n  2 4 4 2\n  1 2 2 1\n"))
        let difference = try #require(Self.number(after: "largest difference between the two: ", in: run.output))
        #expect(difference <= 1e-4)
    }

    @Test func lesson04() throws {
        let run = try LessonRun.checkQuick(
            "Lesson04", expectFigures: ["learned-edge-filter.png", "random-filters.png"])
        for parameter in ["dx", "dW", "db"] {
            #expect(run.output.contains("Convolution \(parameter): relative error"), "no check of \(parameter)")
        }
        #expect(!run.output.contains("FAILED"))
        let error = try #require(Self.number(after: "largest weight error ", in: run.output))
        #expect(error < 0.05, "the edge filter was not learned back: error \(error)")
    }

    @Test func lesson05() throws {
        let run = try LessonRun.checkQuick(
            "Lesson05", expectFigures: ["max-pooling-backward.png", "pooled-feature-maps.png"])
        #expect(run.output.contains("   0 10  0  0\n   0  0  0 20\n   0  0  0 40\n   0 30  0  0\n"))
        #expect(run.output.contains("  1.00 1.50\n  2.25 1.00\n"))
        #expect(!run.output.contains("FAILED"))
    }

    @Test func lesson06() throws {
        let run = try LessonRun.checkQuick("Lesson06", expectFigures: ["softmax-probabilities.png"])
        #expect(
            run.output.contains("naive softmax [-nan, -nan, -nan]")
                || run.output.contains("naive softmax [nan, nan, nan]"))
        #expect(run.output.contains("SoftmaxWithLoss dx: relative error"))
        #expect(!run.output.contains("FAILED"))
        let accuracy = try #require(Self.number(after: "test digits: ", in: run.output))
        #expect(accuracy > 75, "the one-layer classifier should beat 75 % even in --quick")
    }

    /// The number printed right after `prefix`.
    static func number(after prefix: String, in text: String) -> Double? {
        // The last occurrence: the code cell above the output holds the same words.
        guard let range = text.range(of: prefix, options: .backwards) else { return nil }
        let rest = text[range.upperBound...].prefix { "0123456789.-e".contains($0) }
        return Double(rest)
    }
}
