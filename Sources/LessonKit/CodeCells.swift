import Foundation

/// The lesson's own source file, read at run time, so that each step can show the code
/// of its body as a numbered cell, like a notebook's `In [3]:`. There is no second copy
/// of the code: what is shown is what the step runs.
///
/// A step is written
///
///     lesson.step("Heading", """
///         prose
///         """) {
///         code                     ← the cell: every line up to the step's closing brace
///     }
///
/// and the call site's `#filePath` and `#line` say where to look.
struct SourceFile {
    let path: String
    let lines: [String]

    /// The file, or nil when it cannot be read (the binary was moved away from its source).
    init?(path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        self.path = path
        lines = text.components(separatedBy: "\n")
    }

    /// How many steps the lesson has: the calls of `lesson.step(` that begin a line.
    var stepCount: Int { lines.filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("lesson.step(") }.count }

    /// The body of the step whose call starts on `line` (1-based): the lines after the one
    /// that opens its closure (`) {`), up to the closing brace at the call's indentation,
    /// with that indentation and one level more taken off.
    func stepBody(callLine line: Int) -> [String]? {
        guard line >= 1, line <= lines.count else { return nil }
        let call = lines[line - 1]
        let indent = call.prefix { $0 == " " }.count
        guard
            let open = (line - 1..<lines.count).first(where: { lines[$0].hasSuffix("{") && !lines[$0].hasPrefix("///") }
            )
        else {
            return nil
        }
        let closing = String(repeating: " ", count: indent) + "}"
        guard let close = (open + 1..<lines.count).first(where: { lines[$0] == closing }) else { return nil }
        let body = Array(lines[(open + 1)..<close])
        let depth =
            body.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return body.map { String($0.dropFirst(min(depth, $0.prefix { $0 == " " }.count))) }
    }
}
