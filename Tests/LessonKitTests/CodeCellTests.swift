import Foundation
import Testing

@testable import LessonKit

/// The code cells come from the lesson's own source: the body of each step, up to its
/// closing brace, with the step's indentation taken off.
@Suite struct CodeCellTests {
    static let lesson = [
        #"let lesson = Lesson(number: 1, title: "T")"#,
        "",
        #"lesson.step("First", "Prose.") {"#,
        "    let x = 1",
        "    if x > 0 {",
        "        lesson.say(x.description)",
        "    }",
        "}",
        "",
        #"lesson.step("Second","#,
        #"            """"#,
        "            Longer prose",
        #"            """) {"#,
        #"    lesson.say("two")"#,
        "}",
    ].joined(separator: "\n")

    func source() throws -> SourceFile {
        let path = testScratch + "/lesson-\(UUID().uuidString).swift"
        try Self.lesson.write(toFile: path, atomically: false, encoding: .utf8)
        return try #require(SourceFile(path: path))
    }

    @Test func stepBodiesAreTheirCells() throws {
        let file = try source()
        #expect(file.stepCount == 2)
        #expect(file.stepBody(callLine: 3) == ["let x = 1", "if x > 0 {", "    lesson.say(x.description)", "}"])
        #expect(file.stepBody(callLine: 10) == [#"lesson.say("two")"#])
    }

    @Test func aMissingSourceGivesNoCells() {
        #expect(SourceFile(path: "/no/such/main.swift") == nil)
    }

    @Test func proseListsBecomeMarkdownLists() {
        #expect(Transcript.markdown("Then:\n- a\n- b\nAfter.") == ["Then:", "", "- a", "- b", "After."])
    }
}
