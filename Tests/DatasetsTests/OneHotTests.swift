import ConvNet
import Datasets
import Testing

@Suite struct OneHotTests {
    @Test func onesSitAtTheLabels() {
        let t = oneHot([3, 0, 9], classes: 10)
        #expect(t.shape == [3, 10])
        for (row, label) in [3, 0, 9].enumerated() {
            for c in 0..<10 { #expect(t[row, c] == (c == label ? 1 : 0)) }
        }
    }
}
