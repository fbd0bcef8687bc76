import CLibPNG
import Foundation
import SafeFiles

/// What can go wrong reading or writing a picture, with the file named.
public enum PictureError: Error, Equatable, CustomStringConvertible {
    case missingFile(path: String)
    case notAFile(path: String)
    case notPNG(path: String, reason: String)
    case tooLarge(path: String, width: Int, height: Int)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path): return "\(path): no such file"
        case .notAFile(let path): return "\(path): is a directory, not a PNG file"
        case .notPNG(let path, let reason): return "\(path): not a readable PNG image (\(reason))"
        case .tooLarge(let path, let w, let h):
            return "\(path): the image is \(w)×\(h); images larger than \(PNG.maximumSide) pixels a side are refused"
        case .cannotWrite(let path, let reason): return "\(path): cannot write the figure (\(reason))"
        }
    }
}

/// A decoded PNG: 8-bit samples, row by row, `channels` per pixel (1 grey, 3 RGB).
public struct DecodedImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public let samples: [UInt8]

    public init(width: Int, height: Int, channels: Int, samples: [UInt8]) {
        require(
            samples.count == width * height * channels,
            "\(samples.count) samples do not fill \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = samples
    }

    /// Grey level of each pixel (0 black … 255 white), whatever the colour type.
    public var greyLevels: [UInt8] {
        if channels == 1 { return samples }
        return (0..<(width * height)).map { i in
            let r = Int(samples[3 * i])
            let g = Int(samples[3 * i + 1])
            let b = Int(samples[3 * i + 2])
            return UInt8((299 * r + 587 * g + 114 * b) / 1000)  // ITU-R 601 luma
        }
    }
}

/// PNG files through libpng's simplified API (`png_image_*`), which reports errors in a
/// message instead of the longjmp that libpng's full API needs.
public enum PNG {
    /// A side longer than this is refused before decoding (a 16k×16k RGB image is 768 MB).
    public static let maximumSide = 8192
    /// Larger files are refused before they are read (an 8192×8192 RGBA PNG stored without
    /// compression is about 256 MB).
    public static let maximumFileBytes = 300 << 20

    /// Writes a canvas as an 8-bit RGB PNG. The file is written atomically (to a
    /// temporary file, then renamed), so a reader never sees half a picture.
    public static func write(_ canvas: Canvas, to path: String) throws {
        try write(width: canvas.width, height: canvas.height, channels: 3, samples: canvas.pixels, to: path)
    }

    /// Writes 8-bit grey (channels 1) or RGB (channels 3) samples, row by row.
    public static func write(width: Int, height: Int, channels: Int, samples: [UInt8], to path: String) throws {
        require(channels == 1 || channels == 3, "PNG.write takes 1 (grey) or 3 (RGB) channels, got \(channels)")
        require(
            samples.count == width * height * channels,
            "\(samples.count) samples do not fill \(width)×\(height)×\(channels)")
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = channels == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)

        // First ask for the encoded size, then encode into a buffer of that size.
        var size: Int = 0
        let rowStride = Int32(width * channels)
        guard
            samples.withUnsafeBytes({ png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, rowStride, nil) }
            ) != 0
        else {
            throw PictureError.cannotWrite(path: path, reason: message(of: image))
        }
        var encoded = [UInt8](repeating: 0, count: size)
        let ok = encoded.withUnsafeMutableBytes { out in
            samples.withUnsafeBytes {
                png_image_write_to_memory(&image, out.baseAddress, &size, 0, $0.baseAddress, rowStride, nil)
            }
        }
        guard ok != 0 else { throw PictureError.cannotWrite(path: path, reason: message(of: image)) }
        // Written atomically: a reader sees the old figure or the new one, never half of
        // one, and only a regular file (or a link's target) is replaced.
        do { try AtomicWrite.write(Array(encoded[0..<size]), to: path) } catch {
            throw PictureError.cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// Reads a PNG file of any colour type; grey images stay grey, all others become RGB
    /// (transparency is composited onto white, as on paper).
    public static func read(path: String) throws -> DecodedImage {
        let bytes: [UInt8]
        do { bytes = try RegularFile.read(path, maximumBytes: maximumFileBytes) } catch {
            switch error {
            case .missing: throw PictureError.missingFile(path: path)
            case .directory: throw PictureError.notAFile(path: path)
            default: throw PictureError.notPNG(path: path, reason: "\(error)")
            }
        }
        return try decode(bytes, path: path)
    }

    /// Decodes PNG bytes; `path` only names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> DecodedImage {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw PictureError.notPNG(path: path, reason: "it does not start with the PNG signature")
        }
        // libpng reads straight from `bytes`, so begin and finish stay inside one closure.
        return try bytes.withUnsafeBytes { raw -> DecodedImage in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                throw PictureError.notPNG(path: path, reason: message(of: image))
            }
            let width = Int(image.width)
            let height = Int(image.height)
            guard width <= maximumSide, height <= maximumSide else {
                png_image_free(&image)
                throw PictureError.tooLarge(path: path, width: width, height: height)
            }
            // Grey without colour stays grey; everything else is decoded to RGB.
            let isGrey = image.format & UInt32(PNG_FORMAT_FLAG_COLOR) == 0
            let channels = isGrey ? 1 : 3
            image.format = isGrey ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
            var samples = [UInt8](repeating: 0, count: width * height * channels)
            var white = png_color(red: 255, green: 255, blue: 255)
            let finished = samples.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, &white, out.baseAddress, Int32(width * channels), nil)
            }
            guard finished != 0 else {
                let reason = message(of: image)
                png_image_free(&image)
                throw PictureError.notPNG(path: path, reason: reason)
            }
            return DecodedImage(width: width, height: height, channels: channels, samples: samples)
        }
    }

    private static func message(of image: png_image) -> String {
        var copy = image.message
        let text = withUnsafeBytes(of: &copy) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "libpng gave no reason" : text
    }
}
