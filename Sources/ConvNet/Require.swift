/// Stops with `message` when `condition` is false: for programming errors inside the
/// core, such as a tensor of the wrong shape handed to a layer.
///
/// Why not `precondition`? The numeric modules are always compiled optimised (see
/// Package.swift), and an optimised build drops precondition's message, leaving a bare
/// "precondition failure". The message naming both shapes is the useful part, so this
/// keeps it. Mistakes a user can make (bad files, bad options) are thrown as errors
/// long before they could reach one of these.
@inline(__always)
package func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
