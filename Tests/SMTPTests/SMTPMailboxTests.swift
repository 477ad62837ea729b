import Testing

@testable import SMTP

struct SMTPMailboxTests {
    @Test(arguments: [
        ("user@example.com", "user", "example.com"),
        ("first.last@sub.example.co", "first.last", "sub.example.co"),
        ("\"with space\"@example.com", "\"with space\"", "example.com"),
        ("x@[10.0.0.1]", "x", "[10.0.0.1]"),
        ("x@[IPv6:::1]", "x", "[IPv6:::1]"),
        ("x@[IPv6:2001:db8:0:0:0:0:0:1]", "x", "[IPv6:2001:db8:0:0:0:0:0:1]"),
        ("x@[x-tag:some-value]", "x", "[x-tag:some-value]"),
        ("用户@例子.广告", "用户", "例子.广告"),
        ("!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~", "example.com"),
    ])
    func valid(address: String, localPart: String, domain: String) throws {
        let mailbox = try #require(SMTPMailbox(address))
        #expect(mailbox.localPart == localPart)
        #expect(mailbox.domain == domain)
        #expect(mailbox.description == address)
    }

    @Test(arguments: [
        "", "user", "@example.com", "user@", "us er@example.com", "user.@example.com", "user@example.com.",
        "user@-example.com", "user@example-.com", "\"open@example.com", "x@[1.2.3]", "x@[IPv6:12345::]",
        "x@[:value]", "x@[10.0.0.1", "a@b@c", "x@\(String(repeating: "a", count: 64)).com",
    ])
    func invalid(address: String) {
        #expect(SMTPMailbox(address) == nil)
    }

    @Test func asciiCheck() {
        #expect(SMTPMailbox("user@example.com")?.isASCII == true)
        #expect(SMTPMailbox("üser@example.com")?.isASCII == false)
        #expect(SMTPMailbox("user@exämple.com")?.isASCII == false)
    }
}
