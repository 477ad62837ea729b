import Testing

@testable import SMTP

struct SASLMechanismTests {
    struct Selection: Sendable, CustomTestStringConvertible {
        var configured: SASLMechanism?
        var offered: [String]
        var isEncrypted: Bool
        var allowInsecureAuth: Bool = false
        var expected: Result<SASLMechanism, SASLError>

        var testDescription: String {
            "configured \(configured.map(\.rawValue) ?? "none"), offered \(offered), encrypted \(isEncrypted), insecure \(allowInsecureAuth)"
        }
    }

    private static let all = ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"]

    @Test(arguments: [
        Selection(configured: nil, offered: all, isEncrypted: true, expected: .success(.scramSHA256)),
        Selection(
            configured: nil,
            offered: ["PLAIN", "SCRAM-SHA-1", "CRAM-MD5"],
            isEncrypted: true,
            expected: .success(.scramSHA1)
        ),
        Selection(
            configured: nil,
            offered: ["LOGIN", "CRAM-MD5", "PLAIN"],
            isEncrypted: true,
            expected: .success(.cramMD5)
        ),
        Selection(configured: nil, offered: ["LOGIN", "PLAIN"], isEncrypted: true, expected: .success(.plain)),
        Selection(configured: nil, offered: ["LOGIN"], isEncrypted: true, expected: .success(.login)),
        Selection(
            configured: nil,
            offered: ["scram-sha-256", "plain"],
            isEncrypted: false,
            expected: .success(.scramSHA256)
        ),
        Selection(
            configured: nil,
            offered: ["XOAUTH2", "GSSAPI", "cram-md5"],
            isEncrypted: false,
            expected: .success(.cramMD5)
        ),
        Selection(
            configured: nil,
            offered: ["LOGIN", "PLAIN"],
            isEncrypted: false,
            expected: .failure(.insecureMechanismRefused(.plain))
        ),
        Selection(
            configured: nil,
            offered: ["LOGIN", "PLAIN"],
            isEncrypted: false,
            allowInsecureAuth: true,
            expected: .success(.plain)
        ),
        Selection(
            configured: nil,
            offered: ["XOAUTH2", "GSSAPI"],
            isEncrypted: true,
            expected: .failure(.noSupportedMechanism(offered: ["XOAUTH2", "GSSAPI"]))
        ),
        Selection(
            configured: nil,
            offered: [],
            isEncrypted: true,
            expected: .failure(.noSupportedMechanism(offered: []))
        ),
        Selection(configured: .login, offered: all, isEncrypted: true, expected: .success(.login)),
        Selection(configured: .plain, offered: ["Plain"], isEncrypted: true, expected: .success(.plain)),
        Selection(
            configured: .scramSHA1,
            offered: ["SCRAM-SHA-256"],
            isEncrypted: true,
            expected: .failure(.mechanismNotOffered(.scramSHA1, offered: ["SCRAM-SHA-256"]))
        ),
        Selection(
            configured: .plain,
            offered: ["PLAIN"],
            isEncrypted: false,
            expected: .failure(.insecureMechanismRefused(.plain))
        ),
        Selection(
            configured: .login,
            offered: ["LOGIN"],
            isEncrypted: false,
            expected: .failure(.insecureMechanismRefused(.login))
        ),
        Selection(
            configured: .login,
            offered: ["LOGIN"],
            isEncrypted: false,
            allowInsecureAuth: true,
            expected: .success(.login)
        ),
        Selection(configured: .cramMD5, offered: ["CRAM-MD5"], isEncrypted: false, expected: .success(.cramMD5)),
        Selection(
            configured: .scramSHA256,
            offered: [],
            isEncrypted: true,
            expected: .failure(.mechanismNotOffered(.scramSHA256, offered: []))
        ),
    ])
    func select(_ row: Selection) {
        let result = Result { () throws(SASLError) in
            try SASLMechanism.select(
                configured: row.configured,
                offered: row.offered,
                isEncrypted: row.isEncrypted,
                allowInsecureAuth: row.allowInsecureAuth
            )
        }
        #expect(result == row.expected)
    }

    @Test func namesMatchCaseInsensitively() {
        #expect(SASLMechanism(name: "scram-sha-256") == .scramSHA256)
        #expect(SASLMechanism(name: "Cram-Md5") == .cramMD5)
        #expect(SASLMechanism(name: "SCRAM-SHA-256-PLUS") == nil)
        #expect(
            SASLMechanism.allCases.map(\.rawValue) == ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"]
        )
    }

    @Test func errorDescriptionsExplain() {
        #expect(SASLError.mechanismNotOffered(.scramSHA1, offered: ["PLAIN"]).description.contains("SCRAM-SHA-1"))
        #expect(SASLError.insecureMechanismRefused(.plain).description.contains("unencrypted"))
    }
}
