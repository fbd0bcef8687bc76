import CZlib

/// gzip decompression through zlib. IDX files are usually shipped gzipped.
enum Gzip {
    /// True when the bytes start with gzip's magic number 1f 8b.
    static func isGzipped(_ data: [UInt8]) -> Bool {
        data.count >= 2 && data[0] == 0x1F && data[1] == 0x8B
    }

    /// Inflates every gzip member of `input` (a file may hold several, one after another).
    /// `limit` caps the output, so a tiny hostile file cannot ask for gigabytes.
    static func decompress(_ input: [UInt8], path: String, limit: Int) throws -> [UInt8] {
        var stream = z_stream()
        // 16 + MAX_WBITS: expect a gzip header and trailer, not a raw zlib stream.
        let status = inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw DatasetError.corruptGzip(path: path, reason: "zlib could not start (code \(status))")
        }
        defer { inflateEnd(&stream) }

        var output = [UInt8]()
        output.reserveCapacity(Swift.min(limit, input.count * 5))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)

        try input.withUnsafeBufferPointer { inBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            stream.avail_in = uInt(inBuffer.count)
            while true {
                var code: Int32 = Z_OK
                let produced = chunk.withUnsafeMutableBufferPointer { out -> Int in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    code = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                guard code == Z_OK || code == Z_STREAM_END || code == Z_BUF_ERROR else {
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(code)"
                    throw DatasetError.corruptGzip(path: path, reason: message)
                }
                if output.count + produced > limit {
                    throw DatasetError.unpacksTooLarge(path: path, limit: limit)
                }
                output.append(contentsOf: chunk[0..<produced])

                if code == Z_STREAM_END {
                    let rest = Int(stream.avail_in)
                    if rest == 0 { return }  // the normal end
                    let next = inBuffer.count - rest
                    guard rest >= 2, inBuffer[next] == 0x1F, inBuffer[next + 1] == 0x8B else {
                        throw DatasetError.corruptGzip(
                            path: path, reason: "\(rest) stray bytes after the compressed data")
                    }
                    inflateReset(&stream)  // another member follows
                } else if stream.avail_in == 0 && produced < chunk.count {
                    // zlib used all the input and had room to spare, yet saw no end.
                    throw DatasetError.corruptGzip(path: path, reason: "the compressed data ends early")
                } else if code == Z_BUF_ERROR && produced == 0 {
                    throw DatasetError.corruptGzip(path: path, reason: "no progress is possible")
                }
            }
        }
        return output
    }
}
