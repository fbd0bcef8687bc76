import ConvNet
import Foundation
import Testing

@testable import LessonKit

@Suite struct FormattingTests {
    @Test func gridIsAligned() {
        let t = Tensor(shape: [2, 3], data: [1, 20, 300, -4, 5, 6])
        #expect(formatGrid(t) == "    1  20 300\n   -4   5   6")
        #expect(formatGrid(Tensor(shape: [2], data: [0.5, 1])) == "  0.50 1.00")
    }

    @Test func higherRankPrintsOnePlanePerIndex() {
        let t = Tensor(shape: [2, 1, 1, 2], data: [1, 2, 3, 4])
        #expect(formatGrid(t) == "[0, 0]:\n  1 2\n[1, 0]:\n  3 4")
    }

    @Test func wrapKeepsWordsAndIndentedLines() {
        let text = "one two three four five six\n\n    code stays\n- a list item that is long"
        let wrapped = Terminal.wrap(text, width: 12)
        #expect(wrapped == "one two\nthree four\nfive six\n\n    code stays\n- a list\n  item that\n  is long")
    }

    @Test func tableAlignsColumns() {
        #expect(formatTable(["a", "bb"], [["100", "2"]]) == "    a  bb\n  ---  --\n  100   2")
    }

    @Test func progressLineShowsCountsAndRate() {
        let bar = ProgressBar(total: 10, label: "epoch 1", interactive: false)
        let line = bar.line(done: 5, info: "loss 0.3")
        #expect(line.hasPrefix("epoch 1 [############............] 5/10"))
        #expect(line.hasSuffix("loss 0.3"))
        #expect(ProgressBar.clock(3725) == "1:02:05")
    }
}
