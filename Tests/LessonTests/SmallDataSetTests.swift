import Foundation
import Testing

/// Every lesson on valid data sets of 0 to 500 images (`--data DIR`; an IDX file may hold
/// any count, even none): each either runs, scaling its slices to what is there, or says
/// before any work that the set is too small, naming it. None may trap.
@Suite struct SmallDataSetTests {
    static let lessons = (0...10).map { String(format: "Lesson%02d", $0) }

    /// A directory with `count` training and `count` test images (a pixel pattern) whose
    /// labels go round 0…9, so 100 images hold ten of each class.
    static func dataSet(count: Int) throws -> String {
        let dir = testScratch + "/small-data-\(count)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func idx(_ magic: UInt32, _ sizes: [Int], _ payload: [UInt8]) -> Data {
            var bytes: [UInt8] = []
            for word in [magic] + sizes.map(UInt32.init) { withUnsafeBytes(of: word.bigEndian) { bytes += $0 } }
            return Data(bytes + payload)
        }
        let pixels: [UInt8] = (0..<(count * 784)).map { i in UInt8(truncatingIfNeeded: i * 7 + i / 784 * 13) }
        let labels = (0..<count).map { UInt8($0 % 10) }
        for split in ["train", "t10k"] {
            try idx(2051, [count, 28, 28], pixels).write(to: URL(fileURLWithPath: dir + "/\(split)-images-idx3-ubyte"))
            try idx(2049, [count], labels).write(to: URL(fileURLWithPath: dir + "/\(split)-labels-idx1-ubyte"))
        }
        return dir
    }

    /// Runs every lesson on the set; returns the lessons that ran to the end.
    func runAll(count: Int) throws -> [String] {
        let dir = try Self.dataSet(count: count)
        var ran: [String] = []
        for lesson in Self.lessons {
            let run = try LessonRun.run(lesson, ["--quick", "--no-pause", "--data", dir], timeLimit: 180)
            if run.status == 0 {
                ran.append(lesson)
                #expect(run.output.contains("End of lesson"), "\(lesson) on \(count) images")
            } else {
                #expect(run.status == 1, "\(lesson) on \(count) images ended with status \(run.status): \(run.errors)")
                #expect(
                    run.errors.contains(String(format: "Lesson %02d needs at least ", Int(lesson.dropFirst(6)) ?? 0))
                        && run.errors.contains(dir),
                    "\(lesson) on \(count) images: \(run.errors)")
                // Refused before any work: nothing but the title came before the sentence
                // (Lesson 00's first step is the loading itself).
                let firstWork = lesson == "Lesson00" ? "In [2]" : "In [1]"
                #expect(!run.output.contains(firstWork), "\(lesson) on \(count) images worked before refusing")
            }
        }
        return ran
    }

    @Test func noImagesAtAll() throws {
        #expect(try runAll(count: 0) == [])
    }

    @Test func tenImages() throws {
        #expect(try runAll(count: 10) == ["Lesson01", "Lesson02", "Lesson05"])
    }

    @Test func aHundredImages() throws {
        // Ten of each class: Lesson 00's grid can be drawn; the networks need more.
        #expect(
            try runAll(count: 100) == [
                "Lesson00", "Lesson01", "Lesson02", "Lesson03", "Lesson04", "Lesson05", "Lesson06", "Lesson07",
                "Lesson09",
            ])
    }

    @Test func lesson10SplitsWhatThereIs() throws {
        // Lesson 10 used fixed indices (images 54000…59999 for validation) and trapped on
        // anything smaller than MNIST.
        let dir = try Self.dataSet(count: 500)
        let run = try LessonRun.run("Lesson10", ["--quick", "--no-pause", "--data", dir], timeLimit: 180)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("450 training, 50 validation and 500 test digits"), "\(run.output)")
    }
}
