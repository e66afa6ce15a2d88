import NetFilterDiagnostics
import NetFilterTestSupport
import Testing

@testable import NetFilterSyntax

/// Hostile or confusing filter text: bounded diagnostics, messages that show what is there.
@Suite struct HostileInputSyntaxTests {
  private func messages(_ source: String) -> [String] { parseDiagnostics(source).map(\.message) }

  @Test func diagnosticsStopAfterOneHundredWithOneNote() throws {
    let source = "net.dport = 1 " + String(repeating: "# ", count: 5_000)
    let diagnostics = Parser.parse(SourceText(source)).diagnostics
    #expect(diagnostics.count == 101)
    let last = try #require(diagnostics.last)
    #expect(last.id.description == "limits.tooManyDiagnostics")
    #expect(last.severity == .note)
    #expect(last.message == "too many errors: only the first 100 are reported; stopping")
    #expect(diagnostics.dropLast().allSatisfy { $0.id.description == "syntax.unexpectedCharacter" })
  }

  @Test func echoedTokensAreCutTo64Characters() {
    let long = String(repeating: "x", count: 100_000 - 20)
    #expect(
      messages("net.dport = 1 " + long)
        == ["expected operator, ')', ',' or '|' but found '\(String(repeating: "x", count: 64))…'"]
    )
    #expect(messages("net.dip = 1.2.3." + String(repeating: "4", count: 500)).first?.count ?? .max < 120)
  }

  @Test(arguments: [
    ("\u{A0}", "U+00A0 NO-BREAK SPACE"), ("\u{200B}", "U+200B ZERO WIDTH SPACE"),
    ("\u{FEFF}", "U+FEFF BYTE ORDER MARK"), ("\u{1B}", "U+001B ESCAPE"), ("\u{0}", "U+0000 NULL"),
  ])
  func invisibleCharactersAreNamed(character: String, name: String) {
    #expect(messages("net.dport\(character)= 1").first == "unexpected character \(name)")
  }

  @Test func aByteOrderMarkAtTheStartIsSkipped() {
    assertParse("\u{FEFF}net.dport = 1", tree: "(= net.dport 1)", printed: "net.dport = 1")
  }

  @Test func negativeNumbersSayTheyAreNegative() {
    #expect(
      messages("net.dport > -1") == ["negative number '-1': ports, sizes and other numbers in filters are 0 or more"]
    )
    #expect(messages("net.dport in (-1, 2)").first?.hasPrefix("negative number '-1'") == true)
    #expect(
      messages("net.dip in (1.2.3.4/-1)") == [
        "invalid CIDR '1.2.3.4/-1': the prefix length is negative; it must be 0 to 32"
      ]
    )
  }

  /// `inet_aton` reads `010` as octal 8, `inet_pton` and Go reject it: so does netfilter.
  @Test func leadingZeroOctetsAreRejected() throws {
    let diagnostics = parseDiagnostics("net.dip = 010.0.0.1")
    #expect(diagnostics.map(\.message) == ["invalid IP address '010.0.0.1'"])
    #expect(diagnostics.first?.notes.first?.message.hasPrefix("an octet with a leading zero is ambiguous") == true)
    #expect(IPAddress("10.0.0.01") == nil)
    #expect(IPAddress("::ffff:1.2.3.04") == nil)
    #expect(IPAddress("10.0.0.0") != nil)
    #expect(IPAddress.hasLeadingZeroOctet("1.2.3.00"))
    #expect(!IPAddress.hasLeadingZeroOctet("1.2.3.0"))
  }
}
