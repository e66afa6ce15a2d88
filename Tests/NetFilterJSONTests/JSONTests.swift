import Testing

@testable import NetFilterJSON

@Suite struct JSONParserTests {
  @Test(arguments: [
    #"{"a":1,"b":[true,false,null],"c":{"d":"e\n\u00e9\ud83d\ude00"}}"#,
    #"[]"#, #"{}"#, #"-0.5e+10"#, #""plain""#,
  ])
  func validJSONRoundTrips(_ text: String) throws {
    let value = try JSONParser.parse(text)
    #expect(try JSONParser.parse(value.serialized) == value)
  }

  struct Bad: CustomStringConvertible, Sendable {
    var text: String
    var offset: Int
    var message: String
    var description: String { text }
  }

  @Test(arguments: [
    Bad(text: #"{"a":}"#, offset: 5, message: "expected a value"),
    Bad(text: #"{"a":1"#, offset: 6, message: "expected ',' or '}'"),
    Bad(text: #"[1 2]"#, offset: 3, message: "expected ',' or ']'"),
    Bad(text: #""abc"#, offset: 4, message: "unterminated string"),
    Bad(text: #"01"#, offset: 2, message: "leading zeros"),
    Bad(text: #"{"a":tru}"#, offset: 5, message: "invalid literal"),
    Bad(text: #""\ud800""#, offset: 7, message: "unpaired surrogate"),
    Bad(text: #"{} x"#, offset: 3, message: "unexpected text after"),
    Bad(text: #""\uZZZZ""#, offset: 3, message: "four hex digits"),
  ])
  func malformedJSONIsAnErrorWithItsColumn(_ bad: Bad) {
    #expect {
      _ = try JSONParser.parse(bad.text)
    } throws: { error in
      guard let error = error as? JSONError else { return false }
      return error.offset == bad.offset && error.message.contains(bad.message)
    }
  }

  @Test func equalValuesHashAlikeAndDistinctOnesStayApart() throws {
    let text = #"{"a":1,"b":[true,null,"x"],"c":{"d":"e"}}"#
    let one = try JSONParser.parse(text)
    let two = try JSONParser.parse(text)
    #expect(one.hashValue == two.hashValue)
    let others = [#"{"a":1}"#, #"{"b":1,"a":1}"#, #"[1]"#, #""1""#, #"1"#, #"true"#, #"null"#, #"[]"#, #"{}"#]
    let set = Set(try (others + others + [text]).map { try JSONParser.parse($0) })
    #expect(set.count == others.count + 1)
    #expect(set.contains(one))
  }

  /// Bytes that are not UTF-8 are an error at the first bad byte, in a string or outside one;
  /// well-formed characters of every length are kept byte for byte.
  @Test(
    arguments: [
      ([0x22, 0x61, 0xFF, 0x22], 2, "invalid UTF-8 byte 0xFF in a string"),
      ([0x22, 0xC0, 0xAF, 0x22], 1, "invalid UTF-8 byte 0xC0 in a string"),  // overlong '/'
      ([0x22, 0xED, 0xA0, 0x80, 0x22], 1, "invalid UTF-8 byte 0xED in a string"),  // a surrogate
      ([0x22, 0x61, 0xE2, 0x82, 0x22], 2, "invalid UTF-8 byte 0xE2 in a string"),  // cut short
      ([0x22, 0x80, 0x22], 1, "invalid UTF-8 byte 0x80 in a string"),  // a stray continuation
      ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, "invalid UTF-8 byte 0xF4 in a string"),  // above U+10FFFF
      ([0x5B, 0xFE, 0x5D], 1, "invalid UTF-8 byte 0xFE; expected a value"),
      ([0x5B, 0xC3, 0xA9, 0x5D], 1, "unexpected character 'é'; expected a value"),
    ] as [([UInt8], Int, String)]
  )
  func bytesThatAreNotUTF8AreAnErrorAtTheByte(_ bytes: [UInt8], _ offset: Int, _ message: String) {
    #expect {
      _ = try JSONParser.parse(bytes: bytes)
    } throws: { error in
      guard let error = error as? JSONError else { return false }
      return error.offset == offset && error.message == message
    }
  }

  @Test func wellFormedUTF8IsKeptExactly() throws {
    let text = "\"é€😀\u{10FFFF}\""
    #expect(try JSONParser.parse(bytes: Array(text.utf8)) == .string("é€😀\u{10FFFF}"))
  }

  @Test func deepNestingIsAnErrorNotACrash() {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    #expect(throws: JSONError.self) { try JSONParser.parse(deep) }
  }
}
