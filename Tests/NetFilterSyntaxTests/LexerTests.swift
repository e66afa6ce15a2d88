import NetFilterDiagnostics
import NetFilterTestSupport
import Testing

@testable import NetFilterSyntax

/// Lexes all of `source` in `mode` and returns the token kinds (without the end of input).
private func lex(_ source: String, mode: Lexer.Mode = .normal) -> (
  kinds: [Token.Kind], tokens: [Token], diagnostics: [Diagnostic]
) {
  var lexer = Lexer(SourceText(source))
  var tokens: [Token] = []
  while true {
    let token = lexer.next(mode: mode)
    if token.kind == .endOfInput { break }
    tokens.append(token)
    if tokens.count > 10_000 {
      Issue.record("the lexer does not advance on '\(source)'")
      break
    }
  }
  return (tokens.map(\.kind), tokens, lexer.diagnostics)
}

/// Lexes `markedSource` and compares the kinds, and the diagnostics by marker.
private func assertTokens(
  _ markedSource: String,
  _ expected: [Token.Kind],
  mode: Lexer.Mode = .normal,
  diagnostics: [DiagnosticSpec] = [],
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let (markers, source) = extractMarkers(markedSource)
  let result = lex(source, mode: mode)
  #expect(result.kinds == expected, sourceLocation: sourceLocation)
  assertDiagnostics(
    result.diagnostics,
    match: diagnostics,
    markers: markers,
    source: source,
    sourceLocation: sourceLocation
  )
}

private func ipv4(_ text: String) -> Token.Kind { .ip(IPAddress(text)!) }
private func cidr(_ text: String) -> Token.Kind { .cidr(CIDR(text)!) }
private func string(_ text: String, escaped: [Int] = []) -> Token.Kind {
  .string(StringLiteral(text, escapedWildcards: escaped))
}

@Suite struct LexerTests {
  // MARK: Words

  @Test func identifiersKeepTheirDotsAndDollars() {
    assertTokens(
      "net.dport ps.parent.name _x a$b net_packet_dns.data.src",
      [
        .identifier("net.dport"), .identifier("ps.parent.name"), .identifier("_x"), .identifier("a$b"),
        .identifier("net_packet_dns.data.src"),
      ]
    )
  }

  @Test(arguments: Keyword.allCases)
  func everyKeywordInAnyCase(keyword: Keyword) {
    let word = keyword.rawValue
    let capitalized = word.prefix(1).uppercased() + word.dropFirst()
    assertTokens("\(word) \(word.uppercased()) \(capitalized)", Array(repeating: .keyword(keyword), count: 3))
  }

  @Test func keywordsAreWholeWords() {
    // A keyword inside a dotted name, or with a suffix, is an identifier.
    assertTokens(
      "andx and.x inside notes",
      [.identifier("andx"), .identifier("and.x"), .identifier("inside"), .identifier("notes")]
    )
  }

  @Test func boundVariables() {
    assertTokens("$e1 $e1.ps.name $_x", [.boundVariable("e1"), .boundVariable("e1.ps.name"), .boundVariable("_x")])
  }

  @Test func boundVariableWithoutName() {
    assertTokens(
      "1️⃣$ = 2️⃣$1",
      [.invalid("$"), .punctuation(.equal), .invalid("$1")],
      diagnostics: [
        DiagnosticSpec(
          locationMarker: "1️⃣",
          id: "syntax.expectedBoundVariableName",
          message: "expected a name after '$'"
        ),
        DiagnosticSpec(locationMarker: "2️⃣", id: "syntax.expectedBoundVariableName"),
      ]
    )
  }

  // MARK: Punctuation

  @Test(arguments: Punctuation.allCases)
  func everyPunctuation(punctuation: Punctuation) {
    assertTokens(" \(punctuation.rawValue) ", [.punctuation(punctuation)])
  }

  @Test func longestPunctuationWins() {
    assertTokens(
      "a<=b>=c<>d!=e==f~=g&&h||i",
      [
        .identifier("a"), .punctuation(.lessEqual), .identifier("b"), .punctuation(.greaterEqual), .identifier("c"),
        .punctuation(.lessGreater), .identifier("d"), .punctuation(.bangEqual), .identifier("e"),
        .punctuation(.equalEqual), .identifier("f"), .punctuation(.tildeEqual), .identifier("g"),
        .punctuation(.ampAmp), .identifier("h"), .punctuation(.pipePipe), .identifier("i"),
      ]
    )
  }

  @Test func fieldArgumentAndCall() {
    assertTokens(
      "ps.envs[PATH] lower(x)",
      [
        .identifier("ps.envs"), .punctuation(.leftBracket), .identifier("PATH"), .punctuation(.rightBracket),
        .identifier("lower"), .punctuation(.leftParen), .identifier("x"), .punctuation(.rightParen),
      ]
    )
  }

  @Test func leadingSpaceIsRecorded() {
    let tokens = lex("f(x) f (x)").tokens
    #expect(tokens.map(\.hasLeadingSpace) == [false, false, false, false, true, true, false, false])
  }

  @Test func whitespaceOfEveryKindSeparatesTokens() {
    assertTokens("a\tb\nc\r\nd  e", ["a", "b", "c", "d", "e"].map { .identifier($0) })
  }

  // MARK: Invalid characters

  @Test func hashIsNotAComment() {
    assertTokens(
      "a 1️⃣# b",
      [.identifier("a"), .invalid("#"), .identifier("b")],
      diagnostics: [
        DiagnosticSpec(
          id: "syntax.unexpectedCharacter",
          message: "unexpected character '#'",
          notes: ["filters have no comments"]
        )
      ]
    )
  }

  @Test func tildeAloneSuggestsTildeEqual() {
    assertTokens(
      "a 1️⃣~ 'b'",
      [.identifier("a"), .invalid("~"), string("b")],
      diagnostics: [
        DiagnosticSpec(
          id: "syntax.unexpectedCharacter",
          message: "unexpected character '~'",
          notes: ["did you mean '~='?"]
        )
      ]
    )
  }

  @Test func ampersandAloneSuggestsAndAnd() {
    assertTokens(
      "a 1️⃣& b",
      [.identifier("a"), .invalid("&"), .identifier("b")],
      diagnostics: [DiagnosticSpec(id: "syntax.unexpectedCharacter", notes: ["did you mean '&&'?"])]
    )
  }

  @Test func minusIsNotASign() {
    // As in Fibratus: there are no negative literals, and `Zx12_3U_-` ends the identifier at `-`.
    assertTokens(
      "Zx12_3U_1️⃣-",
      [.identifier("Zx12_3U_"), .invalid("-")],
      diagnostics: [DiagnosticSpec(id: "syntax.unexpectedCharacter", message: "unexpected character '-'")]
    )
  }

  @Test func nonASCIICharacterIsOneInvalidToken() {
    assertTokens(
      "n1️⃣é2️⃣t",
      [.identifier("n"), .invalid("é"), .identifier("t")],
      diagnostics: [
        DiagnosticSpec(endMarker: "2️⃣", id: "syntax.unexpectedCharacter", message: "unexpected character 'é'")
      ]
    )
  }

  // MARK: Numbers

  @Test func integers() {
    assertTokens(
      "0 80 65535 18446744073709551615 0x50 0XfF",
      [.integer(0), .integer(80), .integer(65535), .integer(UInt64.max), .integer(0x50), .integer(255)]
    )
  }

  @Test func integerTooLarge() {
    assertTokens(
      "1️⃣18446744073709551616",
      [.invalid("18446744073709551616")],
      diagnostics: [
        DiagnosticSpec(
          id: "syntax.integerTooLarge",
          message: "integer '18446744073709551616' does not fit in 64 bits"
        )
      ]
    )
  }

  @Test func badHexNumbers() {
    assertTokens(
      "1️⃣0x 2️⃣0x1g",
      [.invalid("0x"), .invalid("0x1g")],
      diagnostics: [
        DiagnosticSpec(locationMarker: "1️⃣", id: "syntax.invalidNumber", message: "invalid number '0x'"),
        DiagnosticSpec(locationMarker: "2️⃣", id: "syntax.invalidNumber", message: "invalid number '0x1g'"),
      ]
    )
  }

  @Test func decimals() {
    assertTokens(".5 0.25 6.2323 10.0", [.decimal(0.5), .decimal(0.25), .decimal(6.2323), .decimal(10)])
  }

  @Test func decimalThatOverflowsIsInvalid() {
    // `Double` would make this infinity, which cannot be printed back as a literal.
    let digits = String(repeating: "9", count: 400)
    assertTokens(
      "1️⃣\(digits).5",
      [.invalid("\(digits).5")],
      diagnostics: [DiagnosticSpec(id: "syntax.invalidNumber")]
    )
  }

  @Test func durations() {
    let second: UInt64 = 1_000_000_000
    assertTokens(
      "5s 1h30m 500ms 10µs 3us 7ns 2d 1w",
      [
        .duration(Duration(nanoseconds: 5 * second, text: "5s")),
        .duration(Duration(nanoseconds: 5400 * second, text: "1h30m")),
        .duration(Duration(nanoseconds: 500_000_000, text: "500ms")),
        .duration(Duration(nanoseconds: 10_000, text: "10µs")),
        .duration(Duration(nanoseconds: 3_000, text: "3us")),
        .duration(Duration(nanoseconds: 7, text: "7ns")),
        .duration(Duration(nanoseconds: 2 * 86_400 * second, text: "2d")),
        .duration(Duration(nanoseconds: 7 * 86_400 * second, text: "1w")),
      ]
    )
  }

  @Test func digitsFollowedByLettersAreNotANumber() {
    // Fibratus: "443abc" is a bad duration, not 443 followed by a name.
    assertTokens(
      "1️⃣443abc",
      [.invalid("443abc")],
      diagnostics: [DiagnosticSpec(id: "syntax.invalidNumber", message: "invalid number '443abc'")]
    )
  }

  @Test func rangeOfIntegers() {
    assertTokens("8000..8999", [.integer(8000), .punctuation(.dotDot), .integer(8999)])
  }

  @Test func rangeOfAddresses() {
    assertTokens("10.0.0.1..10.0.0.9", [ipv4("10.0.0.1"), .punctuation(.dotDot), ipv4("10.0.0.9")])
  }

  @Test func rangeOfIPv6Addresses() {
    assertTokens("fd00::1..fd00::9", [ipv4("fd00::1"), .punctuation(.dotDot), ipv4("fd00::9")])
    assertTokens("::1..::5", [ipv4("::1"), .punctuation(.dotDot), ipv4("::5")])
  }

  // MARK: Addresses

  @Test func ipv4Addresses() {
    assertTokens("172.17.0.1 0.0.0.0 255.255.255.255", [ipv4("172.17.0.1"), ipv4("0.0.0.0"), ipv4("255.255.255.255")])
  }

  @Test(arguments: ["::1", "2001:db8::1", "fd00::", "::", "::ffff:1.2.3.4", "fe80::1:2", "1:2:3:4:5:6:7:8"])
  func ipv6Addresses(text: String) {
    assertTokens(text, [ipv4(text)])
    if case .ip(let address) = lex(text).kinds.first {
      #expect(address.family == .v6)
    }
  }

  @Test func cidrs() {
    assertTokens(
      "10.0.0.0/8 216.58.201.1/24 fd00::/8 ::/0 0.0.0.0/0 ::1/128",
      [cidr("10.0.0.0/8"), cidr("216.58.201.1/24"), cidr("fd00::/8"), cidr("::/0"), cidr("0.0.0.0/0"), cidr("::1/128")]
    )
  }

  @Test func cidrBeforeARange() {
    // A CIDR is no range bound, but `..` must still end it (the checker explains the rest).
    assertTokens("10.0.0.0/8..10.0.0.9", [cidr("10.0.0.0/8"), .punctuation(.dotDot), ipv4("10.0.0.9")])
    assertTokens("fd00::/8..fd00::1", [cidr("fd00::/8"), .punctuation(.dotDot), ipv4("fd00::1")])
  }

  @Test func cidrPrefixTooLong() {
    assertTokens(
      "1️⃣10.0.0.0/33 2️⃣fd00::/129",
      [.invalid("10.0.0.0/33"), .invalid("fd00::/129")],
      diagnostics: [
        DiagnosticSpec(
          locationMarker: "1️⃣",
          id: "syntax.invalidCIDR",
          message: "invalid CIDR '10.0.0.0/33': the prefix length must be 0 to 32"
        ),
        DiagnosticSpec(
          locationMarker: "2️⃣",
          id: "syntax.invalidCIDR",
          message: "invalid CIDR 'fd00::/129': the prefix length must be 0 to 128"
        ),
      ]
    )
  }

  @Test(arguments: ["172.317.1.2", "172.17.1", "172.2.266.2", "1.2.3.4.5"])
  func badIPv4(text: String) {
    // All [tested] upstream as BADIPADDRESS.
    assertTokens(
      "1️⃣\(text)",
      [.invalid(text)],
      diagnostics: [DiagnosticSpec(id: "syntax.invalidIPAddress", message: "invalid IP address '\(text)'")]
    )
  }

  @Test(arguments: ["1::2::3", "12345::1", "::g", "1:2:3:4:5:6:7:8:9", "fd00:1.2.3.4"])
  func badIPv6(text: String) {
    assertTokens(
      "1️⃣\(text)",
      [.invalid(text)],
      diagnostics: [DiagnosticSpec(id: "syntax.invalidIPAddress")]
    )
  }

  // MARK: Strings

  @Test func singleAndDoubleQuotedStrings() {
    // Double quotes make strings too (see the README); in Fibratus they made identifiers.
    assertTokens(#"'cmd.exe' "cmd.exe" '' """#, [string("cmd.exe"), string("cmd.exe"), string(""), string("")])
  }

  @Test func escapes() {
    assertTokens(
      #"'a\nb' 'C:\\Windows' 'it\'s' 'say \"hi\"' "it's" "\"" '\t\r'"#,
      [
        string("a\nb"), string(#"C:\Windows"#), string("it's"), string(#"say "hi""#), string("it's"), string("\""),
        string("\t\r"),
      ]
    )
  }

  @Test func escapedWildcardsRecordTheirOffsets() {
    // Offsets are in Unicode scalars of the decoded value: 'ü\*x\?' decodes to "ü*x?".
    assertTokens(
      #"'a\*b' 'ü\*x\?' '*\?*'"#,
      [string("a*b", escaped: [1]), string("ü*x?", escaped: [1, 3]), string("*?*", escaped: [1])]
    )
  }

  @Test func badEscape() {
    // Fibratus rejects the whole string (BADESCAPE); we report the escape and keep lexing.
    assertTokens(
      #"'a1️⃣\q2️⃣b'"#,
      [string("ab")],
      diagnostics: [
        DiagnosticSpec(endMarker: "2️⃣", id: "syntax.invalidEscape", message: #"invalid escape sequence '\q' in string"#)
      ]
    )
  }

  @Test func unterminatedString() {
    assertTokens(
      "a = 1️⃣'abc",
      [.identifier("a"), .punctuation(.equal), .invalid("'abc")],
      diagnostics: [
        DiagnosticSpec(id: "syntax.unterminatedString", message: "unterminated string", notes: ["string starts here"])
      ]
    )
  }

  @Test func rawNewlineEndsAString() {
    assertTokens(
      "1️⃣'ab\ncd 2️⃣'",
      [.invalid("'ab"), .identifier("cd"), .invalid("'")],
      diagnostics: [
        DiagnosticSpec(locationMarker: "1️⃣", id: "syntax.unterminatedString", notes: ["string starts here"]),
        DiagnosticSpec(locationMarker: "2️⃣", id: "syntax.unterminatedString", notes: ["string starts here"]),
      ]
    )
  }

  @Test func backslashAtTheEnd() {
    assertTokens(
      #"1️⃣'abc\"#,
      [.invalid(#"'abc\"#)],
      diagnostics: [DiagnosticSpec(id: "syntax.unterminatedString", notes: ["string starts here"])]
    )
  }

  // MARK: Tracee values

  @Test func traceeValuesAreBareWords() {
    assertTokens(
      "8.8.8.8 *.example.com /usr/bin/* GET",
      [.bareWord("8.8.8.8"), .bareWord("*.example.com"), .bareWord("/usr/bin/*"), .bareWord("GET")],
      mode: .traceeValue
    )
  }

  @Test func traceeValueStopsAtCommaParenAndLogicalOperators() {
    var lexer = Lexer(SourceText("80,443) 1&&x 2||y"))
    var kinds: [Token.Kind] = []
    for _ in 0..<9 { kinds.append(lexer.next(mode: .traceeValue).kind) }
    #expect(
      kinds == [
        .bareWord("80"), .punctuation(.comma), .bareWord("443"), .punctuation(.rightParen), .bareWord("1"),
        .punctuation(.ampAmp), .bareWord("x"), .bareWord("2"), .punctuation(.pipePipe),
      ]
    )
  }

  @Test func traceeValueStopsAtAPipe() {
    // Inside a sequence step, `|` closes the step: `|net_packet_tcp.data.dst_port=80|`.
    var lexer = Lexer(SourceText("80| |"))
    #expect(lexer.next(mode: .traceeValue).kind == .bareWord("80"))
    #expect(lexer.next(mode: .traceeValue).kind == .punctuation(.pipe))
  }

  @Test func quotedTraceeValuesAreStrings() {
    assertTokens("'a b' \"c\"", [string("a b"), string("c")], mode: .traceeValue)
  }

  // MARK: Ranges

  @Test func tokenRangesAreUTF8Offsets() {
    let tokens = lex("ü = 'é'").tokens
    #expect(tokens.map(\.range) == [SourceRange(0, 2), SourceRange(3, 4), SourceRange(5, 9)])
  }

  @Test func lexerNeverStallsOnJunk() {
    let junk = "@#%^&*~`\\;:?é😀\u{0}[]{}"
    let result = lex(junk)
    #expect(!result.kinds.isEmpty)
    #expect(result.diagnostics.count >= 5)
  }
}

@Suite struct LexerEndTests {
  @Test func endOfInputIsStickyAndPointsPastTheText() {
    var lexer = Lexer(SourceText("a  "))
    #expect(lexer.next().kind == .identifier("a"))
    for _ in 0..<3 {
      let token = lexer.next()
      #expect(token.kind == .endOfInput)
      #expect(token.range == .at(3))
    }
  }

  @Test func emptyInputIsJustTheEnd() {
    var lexer = Lexer(SourceText(""))
    #expect(lexer.next().kind == .endOfInput)
    #expect(lexer.diagnostics.isEmpty)
  }
}
