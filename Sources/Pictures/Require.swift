/// Stops with `message` when `condition` is false: for programming errors, such as a
/// chart given fewer labels than bars.
///
/// Why not `precondition`? This module is compiled optimised in every build (see
/// Package.swift), and an optimised build drops precondition's message, leaving a bare
/// "precondition failure". (The same as ConvNet's `require`; Pictures does not depend
/// on ConvNet.)
@inline(__always)
func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
