import Testing

@testable import SMTP

struct Base64Tests {
    /// RFC 4648 §10.
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64.encode(plain.utf8) == encoded)
        #expect(Base64.decode(encoded) == [UInt8](plain))
    }

    @Test(arguments: ["Zg", "Zg=", "Zm9v\r\n", " Zm9v", "Zm9v!", "Z===", "Zh==", "Zm9=", "====", "Zg==Zg=="])
    func rejectsNonCanonical(text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test func roundTripsAllByteValues() {
        let bytes = (0...255).map(UInt8.init)
        for length in 0...bytes.count {
            #expect(Base64.decode(Base64.encode(bytes.prefix(length))) == Array(bytes.prefix(length)))
        }
    }
}
