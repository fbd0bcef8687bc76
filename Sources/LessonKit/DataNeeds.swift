import Datasets

/// What a lesson works on, so that a data set too small for it (`--data DIR` may hold any
/// number of images, even none) is refused at once with a sentence, instead of failing
/// half-way through.
///
///     Lesson(number: 2, title: "…", needs: DataNeeds(training: 8, because: "it works on training image 7"))
public struct DataNeeds: Sendable {
    /// Images the training and the test split must hold at least.
    public var training: Int
    public var test: Int
    /// Training images each class must have at least (0: no such need).
    public var ofEveryClass: Int
    /// Why, in the lesson's words: "it works on training image 7".
    public var reason: String

    public init(training: Int = 0, test: Int = 0, ofEveryClass: Int = 0, because reason: String) {
        self.training = training
        self.test = test
        self.ofEveryClass = ofEveryClass
        self.reason = reason
    }

    static func images(_ n: Int, _ split: String) -> String { "\(n) \(split) image" + (n == 1 ? "" : "s") }

    /// Throws `DataSetTooSmall` naming the lesson, the data set and what it lacks.
    public func check(_ data: MNIST, lesson: String) throws {
        if data.train.count < training {
            throw DataSetTooSmall(
                lesson: lesson, need: Self.images(training, "training"), reason: reason,
                found: "\(data.name) has \(data.train.count)")
        }
        if data.test.count < test {
            throw DataSetTooSmall(
                lesson: lesson, need: Self.images(test, "test"), reason: reason,
                found: "\(data.name) has \(data.test.count)")
        }
        if ofEveryClass > 0 {
            let counts = data.train.classCounts(classes: data.classNames.count)
            if let scarce = counts.indices.min(by: { counts[$0] < counts[$1] }), counts[scarce] < ofEveryClass {
                throw DataSetTooSmall(
                    lesson: lesson, need: Self.images(ofEveryClass, "training") + " of every class", reason: reason,
                    found: "\(data.name) has \(counts[scarce]) of class \(data.classNames[scarce])")
            }
        }
    }
}

/// "Lesson 02 needs at least 8 training images (it works on training image 7); MNIST (DIR) has 1."
public struct DataSetTooSmall: Error, CustomStringConvertible {
    public let lesson: String
    public let need: String
    public let reason: String
    public let found: String

    public var description: String { "\(lesson) needs at least \(need) (\(reason)); \(found)." }
}
