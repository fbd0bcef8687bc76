import Foundation
import Testing

/// Bad input fed through the lessons, as a learner would: each must end with status 1
/// (or ArgumentParser's usage error) and a sentence naming the file or option.
@Suite struct BadInputThroughLessonsTests {
    let directory: String = {
        let d = testScratch + "/bad-input-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func expectFailure(_ lesson: String, _ arguments: [String], _ message: String, figures: Bool = true) throws {
        let run = try LessonRun.run(lesson, arguments + ["--quick", "--no-pause"], figures: figures, timeLimit: 120)
        #expect(run.status != 0, "\(lesson) \(arguments) succeeded")
        #expect(run.errors.contains(message), "\(lesson) \(arguments): \(run.errors)")
        #expect(
            !run.errors.contains("Fatal error") && !run.errors.contains("crashed"), "\(lesson) \(arguments) crashed")
    }

    @Test func dataDirectoryWithATruncatedFile() throws {
        let data = directory + "/mnist"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let bundled = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Data/mnist")
        for name in ["train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try FileManager.default.copyItem(
                at: bundled.appendingPathComponent(name), to: URL(fileURLWithPath: data + "/" + name))
        }
        // An image file whose header promises 60000 images but holds ten.
        var header: [UInt8] = [0, 0, 8, 3, 0, 0, 0xEA, 0x60, 0, 0, 0, 28, 0, 0, 0, 28]
        header += [UInt8](repeating: 7, count: 784 * 10)
        try Data(header).write(to: URL(fileURLWithPath: data + "/train-images-idx3-ubyte"))
        try expectFailure("Lesson09", ["--data", data], "train-images-idx3-ubyte")
        try expectFailure("Lesson09", ["--data", data + "/t10k-labels-idx1-ubyte.gz"], "t10k-labels-idx1-ubyte.gz")
    }

    @Test func badNumbersOfEpochsAndBatches() throws {
        try expectFailure("Lesson09", ["--epochs=-1"], "--epochs must be at least 1", figures: false)
        try expectFailure("Lesson10", ["--epochs", "0"], "--epochs must be at least 1", figures: false)
        try expectFailure("Lesson10", ["--batch", "0"], "--batch must be between 1 and 10000, got 0", figures: false)
        try expectFailure("Lesson09", ["--epochs", "many"], "many", figures: false)
    }

    @Test func badModelFiles() throws {
        try expectFailure(
            "Lesson10", ["--use-model", directory + "/none.model"], "none.model: no such model or checkpoint file")
        try expectFailure("Lesson10", ["--use-model", directory], "is a directory")
        let garbage = try write("garbage.model", Array("not a model at all, just text".utf8))
        try expectFailure("Lesson10", ["--use-model", garbage], "garbage.model: not a model file")
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Models/simple-convnet-mnist.model")
        let bytes = try [UInt8](Data(contentsOf: shipped))
        let truncated = try write("truncated.model", Array(bytes.prefix(bytes.count / 3)))
        try expectFailure("Lesson10", ["--use-model", truncated], "truncated.model: the file is truncated")
        // A SimpleConvNet model offered as the deeper network's checkpoint.
        try expectFailure("Lesson10", ["--resume", "--checkpoint", shipped.path], "the file holds a different network")
    }

    @Test func badImages() throws {
        try expectFailure("Lesson10", ["--image", directory], "is a directory")
        // A flat grey PNG: nothing drawn on it.
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png = png + [UInt8](repeating: 0, count: 20)
        let broken = try write("broken.png", png)
        try expectFailure("Lesson10", ["--image", broken], "broken.png: not a readable PNG image")
    }

    @Test func figuresDirectoryThatIsAFile() throws {
        let file = try write("figures-file", [1, 2, 3])
        try expectFailure("Lesson01", ["--figures", file], file, figures: false)
    }

    /// Numbers and names that cannot work are refused with a sentence naming the option,
    /// not a trap: a batch of 2^63 − 1 (it overflowed the step count), empty file names.
    @Test func impossibleOptionsAreRefused() throws {
        try expectFailure("Lesson09", ["--batch", "9223372036854775807"], "--batch must be between 1 and 10000")
        try expectFailure("Lesson10", ["--batch", "9223372036854775807"], "--batch must be between 1 and 10000")
        try expectFailure("Lesson09", ["--model", ""], "--model needs a file name")
        try expectFailure("Lesson10", ["--use-model", ""], "--use-model needs a file name")
        try expectFailure("Lesson10", ["--image", ""], "--image needs a file name")
        try expectFailure("Lesson01", ["--figures", ""], "--figures needs a directory", figures: false)
        try expectFailure("Lesson01", ["--data", ""], "--data needs a directory")
    }

    /// A FIFO or a device where a file is read used to hang or read without end; where a
    /// model is written, it used to be replaced by a regular file.
    @Test func specialFilesAreNeitherReadNorReplaced() throws {
        let fifo = directory + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        try expectFailure(
            "Lesson10", ["--use-model", fifo], "\(fifo): not read: it is a FIFO (named pipe), not a regular file")
        try expectFailure("Lesson10", ["--use-model", "/dev/zero"], "/dev/zero: not read: it is a character device")
        try expectFailure(
            "Lesson10", ["--image", fifo], "\(fifo): not a readable PNG image (it is a FIFO (named pipe)")
        try expectFailure(
            "Lesson01", ["--figures", "/proc"], "figures directory /proc: no file can be created in it", figures: false)
        try expectFailure(
            "Lesson09", ["--model", fifo],
            "\(fifo): not written: it is a FIFO (named pipe), not a regular file")
        try expectFailure("Lesson10", ["--checkpoint", "/proc/x.ckpt"], "/proc/x.ckpt: not written")
        let kind = try FileManager.default.attributesOfItem(atPath: fifo)[.type] as? FileAttributeType
        #expect(kind != .typeRegular, "the FIFO was replaced by a regular file")
        // A directory where a figure should go (was "NSCocoaErrorDomain error 512").
        let figures = directory + "/figures"
        try FileManager.default.createDirectory(
            atPath: figures + "/five-and-stride.png", withIntermediateDirectories: true)
        let blocked = try LessonRun.run("Lesson01", ["--quick", "--no-pause", "--figures", figures], figures: false)
        #expect(blocked.status == 1)
        #expect(
            blocked.errors.contains(
                "\(figures)/five-and-stride.png: cannot write the figure (it is a directory, not a file)"),
            "\(blocked.errors)")
        // A symbolic link is written through: the file it points to gets the model.
        let target = directory + "/target.model"
        let link = directory + "/link.model"
        #expect(FileManager.default.createFile(atPath: target, contents: Data("old".utf8)))
        #expect(symlink(target, link) == 0)
        let run = try LessonRun.run("Lesson09", ["--quick", "--no-pause", "--model", link], timeLimit: 120)
        #expect(run.status == 0, "\(run.errors)")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == target)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)).starts(with: Data("CNNMODEL".utf8)))
    }
}
