import Testing

@Suite struct Lesson00Tests {
    @Test func runsQuick() throws {
        try LessonRun.checkQuick("Lesson00", expectFigures: ["samples.png", "mean-digits.png", "pixel-histogram.png"])
    }
}
