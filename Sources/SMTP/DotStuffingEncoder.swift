/// Applies the client side of SMTP transparency (RFC 5321 §4.5.2) to a message streamed in chunks.
///
/// A `.` at the start of a line is doubled; nothing else changes. A line starts at the beginning of
/// the message and after every CR or LF, so a dot after a bare CR or LF — which the message should
/// not contain, but might — is doubled too: no receiver, however it splits lines, can then mistake
/// message content for the end-of-data marker (the "SMTP smuggling" family of attacks).
/// Three flags are all the state kept between chunks.
public struct DotStuffingEncoder: Sendable {
    private var atLineStart = true
    private var previousWasCR = false
    private var endsWithCRLF = true

    public init() {}

    /// Appends the stuffed form of `chunk` to `output`.
    public mutating func encode(_ chunk: some Sequence<UInt8>, into output: inout [UInt8]) {
        for byte in chunk {
            if atLineStart, byte == UInt8(ascii: ".") {
                output.append(UInt8(ascii: "."))
            }
            output.append(byte)
            endsWithCRLF = previousWasCR && byte == UInt8(ascii: "\n")
            previousWasCR = byte == UInt8(ascii: "\r")
            atLineStart = previousWasCR || byte == UInt8(ascii: "\n")
        }
    }

    /// Appends the end-of-data marker: `.CRLF`, preceded by a CRLF unless the message already ended
    /// with one (an empty message counts as ending a line, since the DATA command's CRLF precedes it).
    public mutating func finish(into output: inout [UInt8]) {
        if !endsWithCRLF {
            output.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
        }
        output.append(contentsOf: [UInt8(ascii: "."), UInt8(ascii: "\r"), UInt8(ascii: "\n")])
        self = DotStuffingEncoder()
    }

    /// ``encode(_:into:)`` returning a new array.
    public mutating func encode(_ chunk: some Sequence<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        encode(chunk, into: &output)
        return output
    }

    /// ``finish(into:)`` returning a new array.
    public mutating func finish() -> [UInt8] {
        var output: [UInt8] = []
        finish(into: &output)
        return output
    }
}
