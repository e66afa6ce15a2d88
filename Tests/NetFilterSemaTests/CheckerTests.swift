import NetFilterDiagnostics
import NetFilterSema
import NetFilterTestSupport
import Testing

/// A filter that checks clean, with its typed tree.
struct CheckCase: Sendable, CustomTestStringConvertible {
  var source: String
  var typed: String
  var sourceLocation: SourceLocation

  init(_ source: String, _ typed: String, sourceLocation: SourceLocation = #_sourceLocation) {
    self.source = source
    self.typed = typed
    self.sourceLocation = sourceLocation
  }

  var testDescription: String { source }

  /// Checks that `source` checks clean, without diagnostics, to `typed`.
  func check() {
    assertCheck(source, typed: typed, sourceLocation: sourceLocation)
  }
}

/// A filter with diagnostics, located by markers.
struct ErrorCase: Sendable, CustomTestStringConvertible {
  var source: String
  var diagnostics: [DiagnosticSpec]
  var sourceLocation: SourceLocation

  init(_ source: String, _ diagnostics: DiagnosticSpec..., sourceLocation: SourceLocation = #_sourceLocation) {
    self.source = source
    self.diagnostics = diagnostics
    self.sourceLocation = sourceLocation
  }

  var testDescription: String { source }

  /// Checks that `source` reports exactly `diagnostics`.
  func check() {
    assertCheck(source, diagnostics: diagnostics, sourceLocation: sourceLocation)
  }
}

@Suite struct LiteralTypingTests {
  /// A literal is typed by the field it meets.
  static let valid: [CheckCase] = [
    // Addresses: IP literals and quoted text both become addresses.
    CheckCase("net.dip = '8.8.8.8'", "(= net.dip~ip 8.8.8.8~ip)"),
    CheckCase("net.dip = 8.8.8.8", "(= net.dip~ip 8.8.8.8~ip)"),
    CheckCase("net.dip = ::1", "(= net.dip~ip ::1~ip)"),
    CheckCase("net.dip = '2001:DB8::1'", "(= net.dip~ip 2001:db8::1~ip)"),
    CheckCase("net.sip != ::ffff:10.0.0.1", "(!= net.sip~ip ::ffff:10.0.0.1~ip)"),
    // CIDRs in lists, written either way; `= CIDR` means membership.
    CheckCase(
      "net.dip in ('10.0.0.0/8', 1.2.3.4, '::1', fd00::/8)",
      "(in net.dip~ip (list 10.0.0.0/8 1.2.3.4 ::1 fd00::/8))"
    ),
    CheckCase("net.dip = 10.0.0.0/8", "(in net.dip~ip (list 10.0.0.0/8))"),
    CheckCase("net.dip != 10.0.0.0/8", "(not in net.dip~ip (list 10.0.0.0/8))"),
    // Ranges of ports and of addresses.
    CheckCase("net.dport in (8000..8999, 443)", "(in net.dport~uint16 (list 8000..8999 443))"),
    CheckCase("net.dip in (10.0.0.1..10.0.0.9)", "(in net.dip~ip (list 10.0.0.1..10.0.0.9))"),
    CheckCase("net.dport in (80..80)", "(in net.dport~uint16 (list 80..80))"),
    // Integers up to each field's width.
    CheckCase("net.dport = 0x50", "(= net.dport~uint16 80~uint64)"),
    CheckCase("net.dport = 65535", "(= net.dport~uint16 65535~uint64)"),
    CheckCase("ps.pid = 4294967295", "(= ps.pid~uint32 4294967295~uint64)"),
    CheckCase("evt.cpu <= 255", "(<= evt.cpu~uint8 255~uint64)"),
    CheckCase("evt.seq = 18446744073709551615", "(= evt.seq~uint64 18446744073709551615~uint64)"),
    CheckCase("80 = net.dport", "(= net.dport~uint16 80~uint64)"),
    CheckCase("1024 > net.sport", "(< net.sport~uint16 1024~uint64)"),
    // Strings, and the operators on them.
    CheckCase("ps.name = 'curl'", "(= ps.name~string 'curl'~string)"),
    CheckCase(#"ps.name = "curl""#, "(= ps.name~string 'curl'~string)"),
    CheckCase("ps.name ~= 'CURL'", "(~= ps.name~string 'CURL'~string)"),
    CheckCase("ps.name icontains 'cu'", "(icontains ps.name~string 'cu'~string)"),
    CheckCase("ps.name matches 'cu*'", "(matches ps.name~string 'cu*'~string)"),
    CheckCase(#"ps.name matches 'a\*b'"#, #"(matches ps.name~string 'a\*b'~string)"#),
    CheckCase("ps.name imatches ('CU*', 'w?et')", "(imatches ps.name~string (list 'CU*' 'w?et'))"),
    CheckCase("ps.name fuzzy 'crl'", "(fuzzy ps.name~string 'crl'~string)"),
    CheckCase("ps.name iin ('Curl', 'WGET')", "(iin ps.name~string (list 'Curl' 'WGET'))"),
    // Enumerations.
    CheckCase("evt.name = 'Connect'", "(= evt.name~string 'Connect'~string)"),
    CheckCase("evt.name in ('Connect', 'net_packet_dns')", "(in evt.name~string (list 'Connect' 'net_packet_dns'))"),
    CheckCase("evt.name ~= 'connect'", "(~= evt.name~string 'connect'~string)"),
    CheckCase("dns.rr ~= 'aaaa'", "(~= dns.rr~string 'aaaa'~string)"),
    CheckCase("net.l4.proto = 'TCP'", "(= net.l4.proto~string 'TCP'~string)"),
    // Multi-valued fields.
    CheckCase("dns.answers intersects ('a', 'b')", "(intersects dns.answers~list of string (list 'a' 'b'))"),
    CheckCase("net.sip.names matches ('*.domain.')", "(matches net.sip.names~list of string (list '*.domain.'))"),
    CheckCase("ps.name in ps.args", "(in ps.name~string ps.args~list of string)"),
    // Field against field.
    CheckCase("net.sport < net.dport", "(< net.sport~uint16 net.dport~uint16)"),
    CheckCase("evt.pid != ps.ppid", "(!= evt.pid~uint32 ps.ppid~uint32)"),
    CheckCase("ps.name = ps.parent.name", "(= ps.name~string ps.parent.name~string)"),
    // Conditions.
    CheckCase(
      "net.dport = 1 and not (ps.name = 'x')",
      "(and (= net.dport~uint16 1~uint64) (not (= ps.name~string 'x'~string)))"
    ),
    CheckCase("not net.dport = 1", "(not (= net.dport~uint16 1~uint64))"),
    CheckCase("Connect and net.dport = 80", "(and (event Connect) (= net.dport~uint16 80~uint64))"),
    CheckCase("net_packet_dns or QueryDns", "(or (event net_packet_dns) (event QueryDns))"),
    // A comparison compared with a boolean is the comparison (Fibratus: `x contains 'a' = true`).
    CheckCase("ps.name contains 'a' = true", "(contains ps.name~string 'a'~string)"),
    CheckCase("ps.name contains 'a' = false", "(not (contains ps.name~string 'a'~string))"),
    CheckCase("ps.name contains 'a' != true", "(not (contains ps.name~string 'a'~string))"),
    CheckCase(
      "(net.dport = 1 or net.sport = 1) = true",
      "(or (= net.dport~uint16 1~uint64) (= net.sport~uint16 1~uint64))"
    ),
  ]

  @Test(arguments: valid)
  func checksClean(_ c: CheckCase) {
    c.check()
  }

  static let invalid: [ErrorCase] = [
    ErrorCase(
      "net.dip = 1️⃣'abc'",
      DiagnosticSpec(
        id: "sema.invalidIPAddress",
        message: "'abc' is not an IP address, but 'net.dip' is an address field"
      )
    ),
    ErrorCase(
      "net.dip = 1️⃣'10.0.0.0/8'",
      DiagnosticSpec(id: "sema.invalidIPAddress", notes: ["to test a CIDR, write 'net.dip in (10.0.0.0/8)'"])
    ),
    ErrorCase(
      "net.dport = 1️⃣'http'",
      DiagnosticSpec(
        id: "sema.cannotCompare",
        message: "cannot apply '=' to 'net.dport' (uint16) and string 'http'",
        notes: ["to compare the service name, use 'net.dport.name'"]
      )
    ),
    ErrorCase(
      "net.sport in (1️⃣'ssh')",
      DiagnosticSpec(id: "sema.cannotCompare", notes: ["to compare the service name, use 'net.sport.name'"])
    ),
    ErrorCase(
      "net.dport in (1️⃣'80')",
      DiagnosticSpec(id: "sema.cannotCompare", notes: ["write the number without quotes"])
    ),
    ErrorCase(
      "net.dport = 1️⃣70000",
      DiagnosticSpec(id: "sema.integerOutOfRange", message: "integer 70000 does not fit in uint16")
    ),
    ErrorCase(
      "evt.cpu = 1️⃣256",
      DiagnosticSpec(id: "sema.integerOutOfRange", message: "integer 256 does not fit in uint8")
    ),
    ErrorCase("net.dport in (1, 1️⃣65536..70000)", DiagnosticSpec(id: "sema.integerOutOfRange")),
    ErrorCase(
      "net.dport = 1️⃣1.5",
      DiagnosticSpec(id: "sema.cannotCompare", message: "cannot apply '=' to 'net.dport' (uint16) and number 1.5")
    ),
    ErrorCase(
      "ps.name = 1️⃣123",
      DiagnosticSpec(id: "sema.cannotCompare", message: "cannot apply '=' to 'ps.name' (string) and integer 123")
    ),
    ErrorCase("net.dport = 1️⃣5s", DiagnosticSpec(id: "sema.cannotCompare", contains: "duration 5s")),
    ErrorCase(
      "1️⃣ps.name < 'x'",
      DiagnosticSpec(id: "sema.cannotCompare", message: "cannot apply '<' to 'ps.name' (string) and anything")
    ),
    ErrorCase("1️⃣net.dip iin ('1.2.3.4')", DiagnosticSpec(id: "sema.cannotCompare")),
    ErrorCase(
      "net.dport = 1️⃣ps.name",
      DiagnosticSpec(
        id: "sema.cannotCompare",
        message: "cannot apply '=' to 'net.dport' (uint16) and 'ps.name' (string)"
      )
    ),
    ErrorCase(
      "net.dport = 1️⃣(80, 443)",
      DiagnosticSpec(id: "sema.cannotCompare", notes: ["use 'in' to test membership in a list"])
    ),
    ErrorCase(
      "net.dport in 1️⃣80",
      DiagnosticSpec(
        id: "sema.listExpected",
        message: "'in' needs a list on its right, such as ('a', 'b'), not integer 80"
      )
    ),
    ErrorCase(
      "ps.name in ('a', 1️⃣1)",
      DiagnosticSpec(id: "sema.cannotCompare", message: "cannot apply 'in' to 'ps.name' (string) and integer 1")
    ),
    ErrorCase(
      "ps.name in ('a', 1️⃣ps.exe)",
      DiagnosticSpec(id: "sema.listItemNotLiteral", message: "list items must be literal values")
    ),
    // Bad CIDRs in lists and ranges that are empty.
    ErrorCase(
      "net.dip in (1️⃣'10.0.0.0/33', 1.2.3.4)",
      DiagnosticSpec(id: "sema.invalidCIDR", message: "invalid CIDR '10.0.0.0/33'")
    ),
    ErrorCase("net.dip in (1️⃣'fd00::/129')", DiagnosticSpec(id: "sema.invalidCIDR")),
    ErrorCase("net.dip in (1️⃣10.0.0.0/33)", DiagnosticSpec(id: "syntax.invalidCIDR")),
    ErrorCase(
      "net.dport in (1️⃣9000..8000)",
      DiagnosticSpec(id: "sema.invalidRange", message: "range 9000..8000 is empty: its low end is above its high end")
    ),
    ErrorCase("net.dip in (1️⃣10.0.0.9..10.0.0.1)", DiagnosticSpec(id: "sema.invalidRange")),
    ErrorCase("net.dip in (1️⃣10.0.0.1..::1)", DiagnosticSpec(id: "sema.invalidRange")),
    ErrorCase(
      "ps.name in (1️⃣'a'..'b')",
      DiagnosticSpec(id: "sema.cannotCompare", notes: ["ranges are for integer and address fields inside 'in (…)'"])
    ),
    ErrorCase("net.dport in 1️⃣()", DiagnosticSpec(id: "syntax.emptyList")),
    ErrorCase(
      "net.dip in (1️⃣10.0.0.0/8..10.0.0.9)",
      DiagnosticSpec(id: "sema.cannotCompare", message: "cannot apply 'in' to 'net.dip' (ip) and CIDR 10.0.0.0/8")
    ),
    // Enumerations.
    ErrorCase(
      "evt.name = 1️⃣'Conect'",
      DiagnosticSpec(
        id: "sema.invalidValue",
        message: "'Conect' is not a value of 'evt.name'",
        notes: ["did you mean 'Connect'?"]
      )
    ),
    ErrorCase(
      "evt.name in ('Connect', 1️⃣'recv')",
      DiagnosticSpec(id: "sema.invalidValue", notes: ["did you mean 'Recv'?"])
    ),
    ErrorCase("net.l4.proto = 1️⃣'tcp'", DiagnosticSpec(id: "sema.invalidValue", notes: ["did you mean 'TCP'?"])),
    ErrorCase("dns.rr = 1️⃣'aaaa'", DiagnosticSpec(id: "sema.invalidValue", notes: ["did you mean 'AAAA'?"])),
    ErrorCase(
      "evt.category = 1️⃣'network'",
      DiagnosticSpec(id: "sema.invalidValue", notes: ["'evt.category' takes one of: net"])
    ),
    // Multi-valued fields.
    ErrorCase(
      "1️⃣ps.name intersects ('a')",
      DiagnosticSpec(
        id: "sema.multiValuedRequired",
        message: "'intersects' needs a field with several values, but 'ps.name' has one"
      )
    ),
    ErrorCase("1️⃣net.dport iintersects ('a')", DiagnosticSpec(id: "sema.multiValuedRequired")),
    // Conditions.
    ErrorCase(
      "not 1️⃣ps.exe",
      DiagnosticSpec(
        id: "sema.notRequiresCondition",
        message: "'not' needs a condition, but 'ps.exe' (string) is not boolean"
      )
    ),
    ErrorCase(
      "1️⃣ps.exe",
      DiagnosticSpec(
        id: "sema.conditionExpected",
        message: "expected a condition, but 'ps.exe' (string) is not boolean",
        notes: ["compare it with a value, such as ps.exe = …"]
      )
    ),
    ErrorCase(
      "net.dport = 1 and 1️⃣ps.args",
      DiagnosticSpec(id: "sema.conditionExpected", notes: ["compare it with a value, such as ps.args = …"])
    ),
    // A field with an argument is named as written, with the type the argument selects.
    ErrorCase(
      "1️⃣ps.envs[PATH]",
      DiagnosticSpec(
        id: "sema.conditionExpected",
        message: "expected a condition, but 'ps.envs[PATH]' (string) is not boolean",
        notes: ["compare it with a value, such as ps.envs[PATH] = …"]
      )
    ),
    ErrorCase(
      "1️⃣'cmd.exe'",
      DiagnosticSpec(id: "sema.conditionExpected", message: "expected a condition, but string 'cmd.exe' is not boolean")
    ),
    ErrorCase("1️⃣lower(ps.name)", DiagnosticSpec(id: "sema.conditionExpected", contains: "'lower(…)' (string)")),
    ErrorCase("1️⃣5s", DiagnosticSpec(id: "sema.conditionExpected", contains: "duration 5s")),
    ErrorCase(
      "1️⃣'a' in ps.name",
      DiagnosticSpec(id: "sema.constantComparison", notes: ["put the field on the left of 'in'"])
    ),
    ErrorCase(
      "1️⃣1 = 1",
      DiagnosticSpec(id: "sema.constantComparison", message: "comparison has no field or function on either side")
    ),
    ErrorCase(
      "ps.name contains 'a' = 1️⃣1",
      DiagnosticSpec(
        id: "sema.cannotCompare",
        message: "cannot apply '=' to a condition and integer 1",
        notes: ["a condition can only be compared with true or false"]
      )
    ),
    ErrorCase("ps.name contains 'a' < 1️⃣true", DiagnosticSpec(id: "sema.cannotCompare", notes: ["…"])),
    ErrorCase("(1️⃣net.dprot = 1) = true", DiagnosticSpec(id: "sema.unknownField", notes: ["did you mean 'net.dport'?"])),
    // A condition where a value belongs.
    ErrorCase(
      "net.dport = 1️⃣(net.sport = 1)",
      DiagnosticSpec(id: "sema.conditionNotValue", message: "expected a value, but found a condition")
    ),
    ErrorCase("lower(1️⃣ps.name = 'x') = 'y'", DiagnosticSpec(id: "sema.conditionNotValue")),
    // The "always" warning, only when nothing else is wrong.
    ErrorCase("1️⃣true", DiagnosticSpec(id: "sema.alwaysConstant", message: "filter is always true", severity: .warning)),
    ErrorCase(
      "1️⃣false",
      DiagnosticSpec(id: "sema.alwaysConstant", message: "filter is always false", severity: .warning)
    ),
  ]

  @Test(arguments: invalid)
  func reportsErrors(_ c: ErrorCase) {
    c.check()
  }

  @Test func warningsDoNotInvalidate() {
    let outcome = assertCheck(
      "1️⃣true",
      typed: "true~bool",
      diagnostics: [DiagnosticSpec(id: "sema.alwaysConstant", severity: .warning)]
    )
    #expect(outcome.isValid)
  }

  @Test func fixItsReplaceWithTheSuggestion() {
    let outcome = assertCheck(
      "evt.name = 1️⃣'Conect'",
      diagnostics: [DiagnosticSpec(id: "sema.invalidValue", notes: ["did you mean 'Connect'?"])]
    )
    #expect(outcome.diagnostics.first?.fixIts.map(\.replacement) == ["'Connect'"])
  }
}
