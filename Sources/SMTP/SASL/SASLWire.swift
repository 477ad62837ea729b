/// The base64 wire form of SASL data in SMTP (RFC 4954 §4).
public enum SASLWire {
    /// The line a client sends to abort an exchange (RFC 4954 §4).
    public static let cancel = "*"

    /// Decodes the text of a `334` reply. An empty text is an empty challenge.
    public static func decodeChallenge(_ text: some StringProtocol) throws(SASLError) -> [UInt8] {
        guard let bytes = Base64.decode(text) else {
            throw .invalidChallengeEncoding
        }
        return bytes
    }

    /// Encodes a response line; an empty response is an empty line.
    public static func encodeResponse(_ bytes: [UInt8]) -> String {
        Base64.encode(bytes)
    }

    /// Encodes the initial response of an `AUTH` command, where a zero-length response is `=`
    /// to distinguish it from no initial response at all (RFC 4954 §4).
    public static func encodeInitialResponse(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "=" : Base64.encode(bytes)
    }
}
