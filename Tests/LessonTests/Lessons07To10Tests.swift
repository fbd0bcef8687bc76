import Foundation
import Testing

@Suite struct Lessons07To10Tests {
    @Test func lesson07() throws {
        let run = try LessonRun.checkQuick("Lesson07", expectFigures: ["batch-sizes.png", "optimizers.png"])
        #expect(run.output.contains("Affine dW: relative error"))
        #expect(run.output.contains("ReLU dx: relative error"))
        #expect(!run.output.contains("FAILED"))
        for optimizer in ["SGD", "Momentum", "RMSprop", "Adam"] { #expect(run.output.contains("  \(optimizer)  ")) }
        // The comparisons are read off the run: each ranking lists the losses in order, and
        // the losses are the ones in the table above it.
        let text = run.output.replacingOccurrences(of: "\n", with: " ")
        let rankings = text.components(separatedBy: "the lowest final loss is ").dropFirst()
        #expect(rankings.count == 2, "Lesson 07 should rank the batch sizes twice")
        for ranking in rankings {
            let sentence = ranking.prefix { $0 != "." || true }.components(separatedBy: ". ").first ?? ""
            let losses = sentence.components(separatedBy: CharacterSet(charactersIn: " ,;")).compactMap(Double.init)
                .filter { $0 < 100 && $0 != 1 && $0 != 100 }
            #expect(losses.count >= 3 && losses == losses.sorted(), "ranking out of order: \(sentence)")
            for loss in losses.prefix(3) {
                #expect(text.contains(String(format: " %.3f ", loss)), "\(loss) is not in the table")
            }
        }
    }

    @Test func lesson08() throws {
        let run = try LessonRun.checkQuick("Lesson08", expectFigures: ["overfitting.png"])
        #expect(run.output.contains("test-time forward: unchanged"))
        // Each sentence comparing a regulariser with the plain run agrees with the table.
        var rows: [String: (test: Double, gap: Double)] = [:]
        for line in run.output.split(separator: "\n") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true)
            guard cells.count >= 6, line.hasSuffix(cells.last!), cells.last!.count == 6,
                let gap = Double(cells[cells.count - 2]),
                let test = Double(cells[cells.count - 4])
            else { continue }
            rows[cells[0..<(cells.count - 6)].joined(separator: " ")] = (test, gap)
        }
        let plain = try #require(rows["plain"], "no table row for the plain run")
        for name in ["dropout 0.5", "weight decay 0.03", "shifts of up to 2 pixels"] {
            let row = try #require(rows[name], "no table row for \(name)")
            let words = String(
                format: "%@: test accuracy %@ by %.1f points", name, row.test >= plain.test ? "up" : "down",
                abs(row.test - plain.test))
            #expect(run.output.contains(words), "\(words)")
        }
        let mean = try #require(Lessons01To06Tests.number(after: "0.4989 before, ", in: run.output))
        #expect(abs(mean - 0.4989) < 0.01, "dropout changed the mean activation to \(mean)")
    }

    @Test func lesson09() throws {
        let model = testScratch + "/lesson09-\(UUID().uuidString).model"
        defer { try? FileManager.default.removeItem(atPath: model) }
        let run = try LessonRun.run("Lesson09", ["--quick", "--no-pause", "--epochs", "1", "--model", model])
        #expect(run.status == 0, "Lesson09 failed: \(run.errors)")
        for figure in [
            "training-curves.png", "filters-before-after.png", "feature-maps.png", "confusion-matrix.png",
            "misclassified.png",
        ] {
            #expect(run.figures.contains(figure), "Lesson09 did not write \(figure)")
        }
        #expect(
            run.output.split(separator: "\n").contains {
                $0.trimmingCharacters(in: .whitespaces).hasPrefix("total")
                    && $0.contains(" 433890")
            })
        #expect(run.output.contains("training accuracy 100 %"))
        // The book layers and the engine agree on a batch, and the table says what runs.
        let difference = try #require(
            Lessons01To06Tests.number(after: "largest relative gradient difference: ", in: run.output))
        #expect(difference <= 1e-5, "book layers and engine differ by \(difference)")
        #expect(run.output.contains("engine: Convolution+ReLU+MaxPooling"))
        #expect(run.output.contains("identical scores true"))
        #expect(FileManager.default.fileExists(atPath: model))
        // The last line, in its fixed form.
        let last = run.output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("test accuracy: ") && last.hasSuffix(" %"), "last line: \(last)")
        let accuracy = try #require(Lessons01To06Tests.number(after: "test accuracy: ", in: last))
        #expect(accuracy > 60, "one quick epoch on 1000 digits should pass 60 %, got \(accuracy)")
    }

    @Test func lesson09RefusesBadOptions() throws {
        for (arguments, message) in [
            (["--epochs", "0"], "--epochs must be at least 1"),
            (["--batch=-3"], "--batch must be between 1 and 10000"),
            (["--learning-rate", "0"], "--learning-rate must be a positive number"),
        ] {
            let run = try LessonRun.run("Lesson09", arguments + ["--quick", "--no-pause"], figures: false)
            #expect(run.status != 0)
            #expect(run.errors.contains(message), "\(arguments): \(run.errors)")
        }
    }

    @Test func lesson09StopsWhenTheLossDiverges() throws {
        let run = try LessonRun.run(
            "Lesson09",
            [
                "--quick", "--no-pause", "--learning-rate", "1e10", "--model",
                testScratch + "/never.model",
            ])
        #expect(run.status == 1)
        #expect(run.errors.contains("learning rate too high for Adam"), "\(run.errors)")
    }

    @Test func lesson10() throws {
        let run = try LessonRun.checkQuick("Lesson10", expectFigures: ["your-digits.png"])
        #expect(run.output.contains("final parameters bit for bit identical: true"))
        #expect(run.output.contains("all 8 step losses identical: true"))
        // The shipped examples, read by the shipped model.
        for (file, digit) in [("four-inverted.png", "4"), ("seven.png", "7"), ("three.png", "3"), ("two.png", "2")] {
            #expect(
                run.output.contains("\(file) ") && run.output.contains("): \(digit) "),
                "\(file) was not read as a \(digit)")
        }
        let last = run.output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("test accuracy: "), "last line: \(last)")
    }

    /// With --image the lesson classifies at once: no training, and nothing replaced.
    @Test func lesson10ClassifiesAnImageAtOnce() throws {
        let image = LessonRun.productsDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Data/examples/two.png").path
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let example =
            FileManager.default.fileExists(atPath: image)
            ? image : root.appendingPathComponent("Data/examples/two.png").path
        let run = try LessonRun.run("Lesson10", ["--no-pause", "--image", example], timeLimit: 60)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("two.png (180×200): 2 "), "the example was not read as a 2")
        #expect(!run.output.contains("Training with a validation split"), "--image trained first")
        #expect(run.figures.contains("your-digits.png"))
    }

    @Test func lesson10ExplainsABadImage() throws {
        let text = testScratch + "/not-a-picture-\(UUID().uuidString).png"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        defer { try? FileManager.default.removeItem(atPath: text) }
        for (image, message) in [
            (text, "not a readable PNG image"), ("/no/such/digit.png", "/no/such/digit.png: no such file"),
        ] {
            let run = try LessonRun.run("Lesson10", ["--quick", "--no-pause", "--image", image])
            #expect(run.status == 1)
            #expect(run.errors.contains(message), "\(image): \(run.errors)")
        }
    }
}
