import Testing

@testable import KubeTestServer

@Suite struct JSONTests {
    @Test func integersStayIntegers() throws {
        let value = try JSONParser.parse(
            #"{"a":1,"b":1.5,"c":-7,"d":1e3,"e":true,"f":null,"g":"\u00e9\n\ud83d\ude00"}"#
        )
        #expect(value["a"] == .int(1))
        #expect(value["b"] == .double(1.5))
        #expect(value["c"] == .int(-7))
        #expect(value["d"] == .double(1000))
        #expect(value["e"] == .bool(true))
        #expect(value["f"] == .null)
        #expect(value["g"] == .string("é\n😀"))
        #expect(
            try JSONParser.parse(JSONWriter.string(value)).semanticallyEquals(value),
            "1e3 comes back as the integer 1000, as Go writes it"
        )
    }

    @Test func syntaxErrorsCarryTheOffset() {
        let error = #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(#"{"a":}"#) }
        #expect(error?.offset == 5)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse("[1,2") }
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse("{} x") }
    }

    @Test func yamlScalarsAreTyped() throws {
        let value = try YAMLDocuments.parseSingle(
            "port: 25\nquoted: \"25\"\ntls: true\nratio: 0.5\nnothing: null\nname: mail\n"
        )
        #expect(value == ["port": 25, "quoted": "25", "tls": true, "ratio": 0.5, "nothing": nil, "name": "mail"])
        #expect(try YAMLDocuments.parse("a: 1\n---\n---\nb: 2\n").count == 2)
    }

    @Test func writerSortsKeysAndEscapes() {
        #expect(JSONWriter.string(["b": 1, "a": "x\"y\u{01}"]) == #"{"a":"x\"y\u0001","b":1}"#)
    }
}
