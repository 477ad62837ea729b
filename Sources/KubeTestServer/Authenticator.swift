import NIOSSL

/// Who is calling: a bearer token from the configured set, or a client certificate signed by the
/// configured CA (the user is its subject's CN). Without either configured, everyone is
/// `system:anonymous`; with one configured, a request with neither is 401 Unauthorized.
public struct Authenticator: Sendable {
    /// Token to user name.
    public var tokens: [String: String]
    /// Whether client certificates are accepted (the TLS layer verifies them against the CA).
    public var acceptsClientCertificates: Bool

    public init(tokens: [String: String] = [:], acceptsClientCertificates: Bool = false) {
        self.tokens = tokens
        self.acceptsClientCertificates = acceptsClientCertificates
    }

    public var isAnonymous: Bool { tokens.isEmpty && !acceptsClientCertificates }

    func authenticate(authorization: String?, peerCertificate: NIOSSLCertificate?) -> Result<String, APIError> {
        if let authorization, authorization.hasPrefix("Bearer ") {
            let token = String(authorization.dropFirst("Bearer ".count)).trimmingWhitespace()
            if let user = tokens[token] { return .success(user) }
            return .failure(.unauthorized)
        }
        if acceptsClientCertificates, let peerCertificate, let der = try? peerCertificate.toDERBytes(),
            let commonName = CertificateSubject.commonName(ofDER: der)
        {
            return .success(commonName)
        }
        return isAnonymous ? .success("system:anonymous") : .failure(.unauthorized)
    }
}

/// Reads the subject CN of a DER certificate: Certificate → TBSCertificate → subject.
enum CertificateSubject {
    private struct Element {
        var tag: UInt8
        var content: ArraySlice<UInt8>
    }

    private static func elements(_ bytes: ArraySlice<UInt8>) -> [Element]? {
        var result: [Element] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let tag = bytes[index]
            index += 1
            guard index < bytes.endIndex else { return nil }
            var length = Int(bytes[index])
            index += 1
            if length & 0x80 != 0 {
                let count = length & 0x7F
                guard count <= 4, index + count <= bytes.endIndex else { return nil }
                length = bytes[index..<index + count].reduce(0) { $0 << 8 | Int($1) }
                index += count
            }
            guard index + length <= bytes.endIndex else { return nil }
            result.append(Element(tag: tag, content: bytes[index..<index + length]))
            index += length
        }
        return result
    }

    static func commonName(ofDER der: [UInt8]) -> String? {
        guard let certificate = elements(der[...])?.first, let tbs = elements(certificate.content)?.first,
            var fields = elements(tbs.content)
        else { return nil }
        if fields.first?.tag == 0xA0 { fields.removeFirst() }  // [0] version
        // serialNumber, signature, issuer, validity, subject
        guard fields.count > 4 else { return nil }
        let subject = fields[4]
        var commonName: String?
        for set in elements(subject.content) ?? [] {
            for attribute in elements(set.content) ?? [] {
                guard let parts = elements(attribute.content), parts.count == 2 else { continue }
                if Array(parts[0].content) == [0x55, 0x04, 0x03] {
                    commonName = String(decoding: parts[1].content, as: UTF8.self)
                }
            }
        }
        return commonName
    }
}
