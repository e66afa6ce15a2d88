import NetFilterDiagnostics
import NetFilterSema
import NetFilterSyntax
import NetFilterTestSupport
import Testing

@Suite struct NameTests {
  static let invalid: [ErrorCase] = [
    ErrorCase(
      "1️⃣net.dprot2️⃣ = 1",
      DiagnosticSpec(
        endMarker: "2️⃣",
        id: "sema.unknownField",
        message: "unknown field 'net.dprot'",
        notes: ["did you mean 'net.dport'?"]
      )
    ),
    ErrorCase("1️⃣ps.nme = 'x'", DiagnosticSpec(id: "sema.unknownField", notes: ["did you mean 'ps.name'?"])),
    ErrorCase(
      "1️⃣tcp.dport = 1",
      DiagnosticSpec(
        id: "sema.unknownField",
        message: "unknown field 'tcp.dport'",
        notes: ["did you mean 'net.dport'?"]
      )
    ),
    ErrorCase("1️⃣xyz.abc = 1", DiagnosticSpec(id: "sema.unknownField", message: "unknown field 'xyz.abc'")),
    ErrorCase("net.dport = 1 and 1️⃣null", DiagnosticSpec(id: "sema.unknownField", message: "unknown field 'null'")),
    // Bare event names are conditions, so a misspelt one gets an event suggestion.
    ErrorCase("1️⃣net_packet_dnss", DiagnosticSpec(id: "sema.unknownField", notes: ["did you mean 'net_packet_dns'?"])),
    ErrorCase("1️⃣Conect and net.dport = 1", DiagnosticSpec(id: "sema.unknownField", notes: ["did you mean 'Connect'?"])),
    // Tracee paths: the event, then the argument, each with a suggestion.
    ErrorCase(
      "1️⃣net_packet_tcpp2️⃣.data.src = 1.2.3.4",
      DiagnosticSpec(
        endMarker: "2️⃣",
        id: "sema.unknownEvent",
        message: "unknown event 'net_packet_tcpp'",
        notes: ["did you mean 'net_packet_tcp'?"]
      )
    ),
    ErrorCase("1️⃣EVENT.args.ARG=1", DiagnosticSpec(id: "sema.unknownEvent", message: "unknown event 'EVENT'")),
    ErrorCase(
      "net_packet_tcp.data.1️⃣srcc2️⃣ = 1.2.3.4",
      DiagnosticSpec(
        endMarker: "2️⃣",
        id: "sema.unknownEventArgument",
        message: "event 'net_packet_tcp' has no argument 'srcc'",
        notes: ["did you mean 'src'?"]
      )
    ),
    ErrorCase(
      "net_packet_tcp.args.1️⃣dstport=80",
      DiagnosticSpec(id: "sema.unknownEventArgument", notes: ["did you mean 'dst_port'?"])
    ),
    ErrorCase(
      // The case-insensitive match beats a closer spelling with the wrong case.
      "net_packet_tcp.data.1️⃣proto_tcp.syn=1",
      DiagnosticSpec(id: "sema.unknownEventArgument", notes: ["did you mean 'proto_tcp.SYN'?"])
    ),
    ErrorCase(
      "1️⃣net_packet_tcp.data.proto_tcp = 1",
      DiagnosticSpec(
        id: "sema.structureNotValue",
        message:
          "'net_packet_tcp.data.proto_tcp' is a structure; name one of its members: srcPort, dstPort, seq, ack, dataOffset, FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, NS, window, checksum, urgent"
      )
    ),
    ErrorCase("1️⃣net_packet_dns.data.proto_dns.answers=1", DiagnosticSpec(id: "sema.structureNotValue")),
    ErrorCase("1️⃣net_packet_tcp.data", DiagnosticSpec(id: "sema.structureNotValue")),
    // Field arguments.
    ErrorCase(
      "1️⃣evt.arg = 'x'",
      DiagnosticSpec(id: "sema.argumentRequired", message: "field 'evt.arg' needs an argument: evt.arg[parameter name]")
    ),
    ErrorCase(
      "1️⃣ps.ancestor[x] = 'a'",
      DiagnosticSpec(
        id: "sema.numericArgumentRequired",
        message: "the argument of 'ps.ancestor' must be a non-negative integer"
      )
    ),
    ErrorCase(
      "1️⃣ps.name[x] = 'a'",
      DiagnosticSpec(id: "sema.argumentNotAllowed", message: "field 'ps.name' takes no argument")
    ),
    // Functions.
    ErrorCase(
      "1️⃣lowr2️⃣(ps.name) = 'x'",
      DiagnosticSpec(
        endMarker: "2️⃣",
        id: "sema.unknownFunction",
        message: "unknown function 'lowr'",
        notes: ["did you mean 'lower'?"]
      )
    ),
    ErrorCase(
      "1️⃣CIDR_CONTAINZ(net.dip, '10.0.0.0/8')",
      DiagnosticSpec(id: "sema.unknownFunction", notes: ["did you mean 'cidr_contains'?"])
    ),
    // Fibratus functions that make no sense on Linux network events are not there.
    ErrorCase("1️⃣get_reg_value(ps.name) = 'x'", DiagnosticSpec(id: "sema.unknownFunction")),
    ErrorCase("1️⃣yara(ps.pid, 'rule')", DiagnosticSpec(id: "sema.unknownFunction")),
    ErrorCase("1️⃣foreach(ps.args, $a, $a = 'x')", DiagnosticSpec(id: "sema.unknownFunction")),
    // Fibratus's docs mention a `trim()` that does not exist.
    ErrorCase("1️⃣trim(ps.name) = 'x'", DiagnosticSpec(id: "sema.unknownFunction", notes: ["did you mean 'ltrim'?"])),
  ]

  @Test(arguments: invalid)
  func reportsUnknownNames(_ c: ErrorCase) {
    c.check()
  }

  @Test func everySchemaFieldIsKnown() {
    // Every field the schema lists resolves, and compares with a value of its own type.
    for name in Schema.network.fieldNames {
      guard let field = Schema.network.fields[name] else {
        Issue.record("\(name) is listed but not found")
        continue
      }
      let reference = field.argument?.required == true ? "\(name)[x]" : name
      let value: String =
        switch field.type {
        case .ip: "1.2.3.4"
        case .string: field.allowedValues.map { "'\($0[0])'" } ?? "'x'"
        case .bool: "true"
        case .double: "1.5"
        default: "1"
        }
      let op = field.isMulti && field.argument == nil && field.type == .string ? "in" : "="
      let rhs = op == "in" ? "(\(value))" : value
      assertCheck("\(reference) \(op) \(rhs)")
    }
  }

  @Test func traceeArgsIsAnAliasOfData() {
    #expect(Schema.canonicalName("net_packet_dns.args.src") == "net_packet_dns.data.src")
    #expect(Schema.canonicalName("net_packet_dns.data.src") == "net_packet_dns.data.src")
    #expect(Schema.canonicalName("ps.args") == "ps.args")
    #expect(Schema.network.field(named: "net_packet_tcp.args.proto_tcp.SYN")?.type == .uint8)
  }
}

@Suite struct FunctionTests {
  static let valid: [CheckCase] = [
    CheckCase(
      "cidr_contains(net.dip, '10.0.0.0/8', '192.168.0.0/16')",
      "(truth (cidr_contains() net.dip~ip 10.0.0.0/8~cidr 192.168.0.0/16~cidr)~bool)"
    ),
    CheckCase(
      "cidr_contains(net.dip, 10.0.0.0/8, 'fd00::/8')",
      "(truth (cidr_contains() net.dip~ip 10.0.0.0/8~cidr fd00::/8~cidr)~bool)"
    ),
    CheckCase(
      "cidr_contains(net.dip, '216.58.201.1/24')",
      "(truth (cidr_contains() net.dip~ip 216.58.201.1/24~cidr)~bool)"
    ),
    CheckCase(
      "not cidr_contains(net.sip, '127.0.0.0/8')",
      "(not (truth (cidr_contains() net.sip~ip 127.0.0.0/8~cidr)~bool))"
    ),
    CheckCase(
      "regex(dns.name, '^[a-z0-9]{32}\\\\.')",
      "(truth (regex() dns.name~string '^[a-z0-9]{32}\\\\.'~string)~bool)"
    ),
    CheckCase(
      "regex(ps.cmdline, 'a+', 'b+') = true",
      "(= (regex() ps.cmdline~string 'a+'~string 'b+'~string)~bool true~bool)"
    ),
    CheckCase("LOWER(ps.name) = 'x'", "(= (lower() ps.name~string)~string 'x'~string)"),
    CheckCase("upper(ps.name) in ('CURL')", "(in (upper() ps.name~string)~string (list 'CURL'))"),
    CheckCase("lower(ps.args) in ('-v')", "(in (lower() ps.args~list of string)~list of string (list '-v'))"),
    CheckCase("length(dns.name) > 40", "(> (length() dns.name~string)~int 40~uint64)"),
    CheckCase("length(ps.args) in (1, 2)", "(in (length() ps.args~list of string)~int (list 1 2))"),
    CheckCase(
      "concat(ps.name, net.dport) = 'x80'",
      "(= (concat() ps.name~string net.dport~uint16)~string 'x80'~string)"
    ),
    CheckCase(
      "ltrim(ps.exe, '/usr') = '/bin/curl'",
      "(= (ltrim() ps.exe~string '/usr'~string)~string '/bin/curl'~string)"
    ),
    CheckCase("rtrim(dns.name, '.') = 'a.b'", "(= (rtrim() dns.name~string '.'~string)~string 'a.b'~string)"),
    CheckCase(
      "replace(ps.name, 'a', 'b', 'c', 'd') = 'x'",
      "(= (replace() ps.name~string 'a'~string 'b'~string 'c'~string 'd'~string)~string 'x'~string)"
    ),
    CheckCase(
      "split(dns.name, '.') in ('com')",
      "(in (split() dns.name~string '.'~string)~list of string (list 'com'))"
    ),
    CheckCase(
      "indexof(ps.name, 'a', 'last') = 1",
      "(= (indexof() ps.name~string 'a'~string 'last'~string)~int 1~uint64)"
    ),
    CheckCase("substr(ps.name, 1, 3) = 'ur'", "(= (substr() ps.name~string 1~uint64 3~uint64)~string 'ur'~string)"),
    CheckCase("entropy(dns.name, 'shannon') > 100", "(> (entropy() dns.name~string 'shannon'~string)~int 100~uint64)"),
    CheckCase(
      "md5(ps.exe) = 'd41d8cd98f00b204e9800998ecf8427e'",
      "(= (md5() ps.exe~string)~string 'd41d8cd98f00b204e9800998ecf8427e'~string)"
    ),
    CheckCase(
      "count(ps.args, '*a*', true) > 1",
      "(> (count() ps.args~list of string '*a*'~string true~bool)~int 1~uint64)"
    ),
    CheckCase("base(ps.exe, false) = 'curl'", "(= (base() ps.exe~string false~bool)~string 'curl'~string)"),
    CheckCase("dir(ps.exe) = '/usr/bin'", "(= (dir() ps.exe~string)~string '/usr/bin'~string)"),
    CheckCase("ext(ps.exe, false) = 'so'", "(= (ext() ps.exe~string false~bool)~string 'so'~string)"),
    CheckCase("glob('/tmp/*') in ('/tmp/x')", "(in (glob() '/tmp/*'~string)~list of string (list '/tmp/x'))"),
    CheckCase("is_abs(ps.exe)", "(truth (is_abs() ps.exe~string)~bool)"),
  ]

  @Test(arguments: valid)
  func checksClean(_ c: CheckCase) {
    c.check()
  }

  static let invalid: [ErrorCase] = [
    ErrorCase(
      "1️⃣cidr_contains(net.dip)",
      DiagnosticSpec(id: "sema.wrongArgumentCount", message: "'cidr_contains' takes 2 to 32 arguments, but 1 was given")
    ),
    ErrorCase(
      "1️⃣lower(ps.name, ps.exe) = 'x'",
      DiagnosticSpec(id: "sema.wrongArgumentCount", message: "'lower' takes 1 argument, but 2 were given")
    ),
    ErrorCase(
      "1️⃣lower() = 'x'",
      DiagnosticSpec(id: "sema.wrongArgumentCount", message: "'lower' takes 1 argument, but 0 were given")
    ),
    ErrorCase(
      "1️⃣substr(ps.name) = 'x'",
      DiagnosticSpec(id: "sema.wrongArgumentCount", message: "'substr' takes 2 or 3 arguments, but 1 was given")
    ),
    ErrorCase(
      "1️⃣replace(ps.name, 'a') = 'b'",
      DiagnosticSpec(
        id: "sema.wrongArgumentCount",
        message: "'replace' takes an odd number (3, 5, …) of arguments, but 2 were given"
      )
    ),
    ErrorCase("1️⃣replace(ps.name, 'a', 'b', 'c') = 'b'", DiagnosticSpec(id: "sema.wrongArgumentCount")),
    ErrorCase(
      "cidr_contains(1️⃣ps.name, '10.0.0.0/8')",
      DiagnosticSpec(
        id: "sema.badFunctionArgument",
        message: "argument #1 of 'cidr_contains' must be an IP address, not 'ps.name' (string)"
      )
    ),
    ErrorCase(
      "cidr_contains(net.dip, 1️⃣8)",
      DiagnosticSpec(
        id: "sema.badFunctionArgument",
        message: "argument #2 of 'cidr_contains' must be a CIDR such as '10.0.0.0/8', not integer 8"
      )
    ),
    ErrorCase(
      "cidr_contains(net.dip, 1️⃣'10.0.0.0/33')",
      DiagnosticSpec(id: "sema.invalidCIDR", message: "invalid CIDR '10.0.0.0/33'")
    ),
    ErrorCase(
      "cidr_contains(net.dip, '10.0.0.0/8', 1️⃣'abc')",
      DiagnosticSpec(id: "sema.invalidCIDR", message: "invalid CIDR 'abc'")
    ),
    ErrorCase(
      "regex(ps.name, 1️⃣'(abc')",
      DiagnosticSpec(
        id: "sema.invalidRegex",
        message: "invalid regular expression '(abc': missing closing parenthesis",
        notes: ["PCRE2 stopped at offset 4 of the pattern"]
      )
    ),
    ErrorCase(
      "regex(ps.name, 'ok', 1️⃣'a{2,1}')",
      DiagnosticSpec(id: "sema.invalidRegex", notes: ["PCRE2 stopped at offset …"])
    ),
    ErrorCase(
      "regex(ps.name, 1️⃣ps.exe)",
      DiagnosticSpec(id: "sema.badFunctionArgument", contains: "must be a string literal")
    ),
    ErrorCase(
      "indexof(ps.name, 'a', 1️⃣'middle') = 1",
      DiagnosticSpec(
        id: "sema.badFunctionOption",
        message: "'middle' is not an option of 'indexof'; use one of 'first', 'any', 'last', 'lastany'"
      )
    ),
    ErrorCase(
      "entropy(ps.name, 1️⃣'md5') > 1",
      DiagnosticSpec(id: "sema.badFunctionOption", message: "'md5' is not an option of 'entropy'; use one of 'shannon'")
    ),
    ErrorCase(
      "substr(ps.name, 1️⃣'1', 2) = 'x'",
      DiagnosticSpec(id: "sema.badFunctionArgument", contains: "must be an integer")
    ),
    ErrorCase(
      "base(ps.exe, 1️⃣'no') = 'x'",
      DiagnosticSpec(id: "sema.badFunctionArgument", contains: "must be true or false")
    ),
    ErrorCase("md5(1️⃣ps.args) = 'x'", DiagnosticSpec(id: "sema.badFunctionArgument", contains: "must be a string")),
    ErrorCase("lower(1️⃣ps.pid) = 'x'", DiagnosticSpec(id: "sema.badFunctionArgument")),
    ErrorCase("length(dns.name) > 1️⃣'x'", DiagnosticSpec(id: "sema.cannotCompare")),
    ErrorCase(
      "not 1️⃣lower(ps.name)",
      DiagnosticSpec(
        id: "sema.notRequiresCondition",
        message: "'not' needs a condition, but 'lower(…)' (string) is not boolean"
      )
    ),
  ]

  @Test(arguments: invalid)
  func reportsErrors(_ c: ErrorCase) {
    c.check()
  }

  @Test func tableIsConsistent() {
    for name in FunctionDescriptor.Name.allCases {
      guard let descriptor = FunctionTable.all[name] else {
        Issue.record("\(name) has no row")
        continue
      }
      #expect(descriptor.required <= descriptor.parameters.count || descriptor.variadic != nil, "\(name)")
      #expect(descriptor.maximum >= descriptor.required, "\(name)")
      #expect(descriptor.maximum <= Limits.default.maxArguments, "\(name): the parser rejects more arguments than that")
    }
  }
}
