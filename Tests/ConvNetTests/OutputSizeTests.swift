import Testing

@testable import ConvNet

@Suite struct OutputSizeTests {
    @Test func formulaCases() throws {
        #expect(try convolutionOutputSize(input: 6, filter: 3, stride: 3, padding: 0) == 2)
        #expect(try convolutionOutputSize(input: 6, filter: 3, stride: 1, padding: 0) == 4)
        #expect(try convolutionOutputSize(input: 28, filter: 5, stride: 1, padding: 2) == 28)  // "same"
        #expect(try convolutionOutputSize(input: 4, filter: 3, stride: 1, padding: 1) == 4)
        #expect(throws: ShapeError.self) { try convolutionOutputSize(input: 7, filter: 3, stride: 3, padding: 0) }
        #expect(throws: ShapeError.self) { try convolutionOutputSize(input: 2, filter: 5, stride: 1, padding: 0) }
        #expect(throws: ShapeError.self) { try convolutionOutputSize(input: 5, filter: 3, stride: 0, padding: 0) }
        #expect(throws: ShapeError.self) { try convolutionOutputSize(input: 5, filter: 3, stride: 1, padding: -1) }
    }

    /// The exercises of Lessons 01 and 02.
    @Test func exerciseCases() throws {
        #expect(throws: ShapeError.self) { try convolutionOutputSize(input: 6, filter: 3, stride: 2, padding: 0) }
        #expect(try convolutionOutputSize(input: 28, filter: 7, stride: 1, padding: 3) == 28)  // "same" for 7×7
        // H 28, FH 5, P 2: 27 must divide by S, so S ∈ {1, 3, 9, 27}.
        let allowed = try (1...30).filter { s in
            do {
                _ = try convolutionOutputSize(input: 28, filter: 5, stride: s, padding: 2)
                return true
            } catch is ShapeError { return false }
        }
        #expect(allowed == [1, 3, 9, 27])
        #expect(try convolutionOutputSize(input: 28, filter: 5, stride: 3, padding: 2) == 10)
    }
}
