import NetFilter
import NetFilterDiagnostics
import NetFilterSema
import NetFilterTestSupport
import Testing

/// Hostile or confusing filters: bounded diagnostics, clear messages, no silently empty matches.
@Suite struct HostileInputCheckTests {
  private func messages(_ filter: String) -> [String] { Environment().check(filter).diagnostics.map(\.message) }

  private func typed(_ filter: String) -> String? { Environment().check(filter).checked.map(TypedTree.print) }

  @Test func checkDiagnosticsStopAfterOneHundred() throws {
    let filter = (0..<500).map { "net.dprot\($0) = 1" }.joined(separator: " and ")
    let diagnostics = Environment().check(filter).diagnostics
    #expect(diagnostics.count == 101)
    #expect(diagnostics.last?.id.description == "limits.tooManyDiagnostics")
    #expect(diagnostics.filter { $0.id.description == "limits.tooManyDiagnostics" }.count == 1)
  }

  @Test func echoedNamesAndValuesAreCut() {
    let name = "a" + String(repeating: "b", count: 90_000)
    #expect(messages(name + " = 1") == ["unknown field 'a\(String(repeating: "b", count: 63))…'"])
    let value = String(repeating: "z", count: 90_000)
    let message = messages("evt.name = '\(value)'").first ?? ""
    #expect(message == "'\(String(repeating: "z", count: 64))…' is not a value of 'evt.name'")
  }

  @Test func invisibleCharactersInValuesAreNamed() {
    #expect(
      messages("evt.name = 'Send\u{200B}'").first == "'Send<U+200B ZERO WIDTH SPACE>' is not a value of 'evt.name'"
    )
  }

  /// An unquoted address met an enumeration as a string that matched nothing.
  @Test func unquotedAddressesAreNotEnumerationValues() {
    #expect(messages("evt.name = 8.8.8.8") == ["'8.8.8.8' is not a value of 'evt.name'"])
    #expect(messages("dns.rr = 1.2.3.4") == ["'1.2.3.4' is not a value of 'dns.rr'"])
    #expect(messages("dns.rr in (A, 1.2.3.4)").contains("'1.2.3.4' is not a value of 'dns.rr'"))
  }

  /// `::ffff:1.2.3.4` already matched the IPv4 address; its prefixes now do too.
  @Test func ipv4MappedPrefixesStandForIPv4Prefixes() {
    #expect(typed("net.dip = ::ffff:1.2.3.4/128") == typed("net.dip = 1.2.3.4/32"))
    #expect(typed("net.dip in (::ffff:10.0.0.0/104)") == typed("net.dip in (10.0.0.0/8)"))
    #expect(typed("net.dip in ('::ffff:10.0.0.0/104')") == typed("net.dip in (10.0.0.0/8)"))
    #expect(typed("cidr_contains(net.dip, '::ffff:10.0.0.0/104')") == typed("cidr_contains(net.dip, '10.0.0.0/8')"))
    #expect(typed("net.dip in (::ffff:1.2.3.0..1.2.3.9)") == typed("net.dip in (1.2.3.0..1.2.3.9)"))
    // Shorter than 96 bits is an IPv6 prefix (it holds other addresses too).
    #expect(typed("net.dip in (::ffff:0:0/95)") != typed("net.dip in (0.0.0.0/0)"))
  }

  @Test func rangesMixingFamiliesSaySo() {
    #expect(
      messages("net.dip in (1.2.3.4..::1)") == [
        "range 1.2.3.4..::1 mixes an IPv4 and an IPv6 address; give both ends in one family"
      ]
    )
    #expect(Environment().check("net.dip in (1.2.3.4..::1)").diagnostics.map(\.id.description) == ["sema.invalidRange"])
    #expect(messages("net.dip in (1.2.3.9..1.2.3.4)").first?.hasSuffix("its low end is above its high end") == true)
    // A range from IPv6 into the mapped block stays an IPv6 range, as before.
    #expect(typed("net.dip in (::..::ffff:255.255.255.255)") != nil)
  }

  @Test func leadingZeroStringsGetTheOctalNote() {
    let diagnostic = Environment().check("net.dip = '010.0.0.1'").diagnostics.first
    #expect(diagnostic?.message == "'010.0.0.1' is not an IP address, but 'net.dip' is an address field")
    #expect(diagnostic?.notes.map(\.message).contains { $0.contains("inet_aton reads it as octal") } == true)
  }
}
