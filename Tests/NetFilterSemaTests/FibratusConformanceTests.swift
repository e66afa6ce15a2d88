import NetFilterDiagnostics
import NetFilterSema
import NetFilterTestSupport
import Testing

/// The expressions quoted in the Fibratus filter documentation that use fields of our schema
/// (network, process and event fields; Windows-only namespaces such as registry, file, pe and
/// thread are left out), and every error of its error list. Where netfilter deliberately differs from
/// Fibratus, the case tests our behaviour and says why.
@Suite struct FibratusConformanceTests {
  /// Valid filters, checked clean (no errors, no warnings).
  static let valid: [String] = [
    // §1.1 keywords in any case.
    "net.dport = 1 AND ps.name = 'x' And net.sport = 2 and evt.pid = 3",
    // §1.1 strings with the four Fibratus escapes.
    #"ps.cmdline contains 'foo\\bar' and ps.name = 'it\'s' and ps.cmdline contains 'a\nb' and ps.name != 'say \"x\"'"#,
    // §1.1 IPv4 literals, durations after maxspan, bound variables.
    "net.dip = 172.17.0.1",
    "sequence maxspan 20s |evt.name = 'Connect'| as e1 |ps.name = $e1.ps.name|",
    "sequence maxspan 1h30m |evt.name = 'Connect'| |evt.name = 'Send'|",
    "sequence maxspan 500ms |evt.name = 'Connect'| |evt.name = 'Send'|",
    "sequence maxspan 10µs |evt.name = 'Connect'| |evt.name = 'Send'|",
    // §1.2: lists, one-item lists, calls with lowercase or uppercase names.
    "ps.name in ('a')",
    "ps.name in ('cmd.exe', 'powershell.exe')",
    "MD5(ps.exe) = '0cc175b9c0f1b6a831c399e269772661'",
    "Lower(ps.name) = 'x'",
    // §1.3 precedence examples.
    "ps.name = 'a' or ps.name = 'b' and net.dport = 1",
    "ps.cmdline contains 'a' = true",
    // §1.3 infix negation before any operator.
    "ps.name not in ('a', 'b')",
    "ps.cmdline not contains 'x'",
    "ps.name not matches 'cmd*'",
    "ps.name not imatches ('CMD*')",
    "ps.name not = 'x'",
    "ps.name not ~= 'X'",
    "net.dport not < 5",
    "ps.name != 'x'",
    "ps.name <> 'x'",
    // §1.3 prefix negation of parenthesized expressions and functions.
    "not (ps.name = 'x')",
    "not cidr_contains(net.dip, '10.0.0.0/8')",
    // §2.1 bare boolean functions work.
    "cidr_contains(net.dip, '216.58.201.1/24', '10.0.0.0/8')",
    "is_abs(ps.exe)",
    // §2.1 missing values: `ps.exe = ''` and `ps.ancestor[3] = ''` hold when there is no value.
    "ps.exe = ''",
    "ps.ancestor[3] = ''",
    // §2.2 NOT of a comparison.
    "not (net.dport = 1)",
    // §2.3 strings, lists and slices.
    "ps.name ~= 'CMD.EXE'",
    "ps.name icontains ('power', 'shell')",
    "ps.name istartswith ('cmd', 'pow')",
    "ps.name iendswith '.EXE'",
    "ps.name imatches ('*.exe', 'cmd?')",
    "ps.name iin ('CMD.EXE')",
    "ps.args intersects ('-c', '-e')",
    "ps.args iintersects ('-C')",
    "net.dip.names endswith ('.google.')",
    "net.dip.names in ('dns.google.')",
    "dns.answers in ('o.lencr.edgesuite.net')",
    "dns.options in ('ADDRCONFIG', 'DUAL_ADDR')",
    // §2.3 addresses.
    "net.dip = 216.58.201.174",
    "net.dip startswith '216.58'",
    "net.dip not in ('0:0:0:0:0:0:0:1', '::1')",
    // §2.3 numbers: field against field, `in` lists of ports and pids.
    "evt.pid != ps.ppid",
    "net.dport in (80, 443)",
    "evt.pid in (4, 8)",
    "net.size > 512",
    // §2.4 fuzzy matching.
    "ps.exe fuzzy '/usr/bn/crl'",
    "ps.exe ifuzzy '/USR/BIN'",
    "ps.exe fuzzynorm 'cafe'",
    "ps.exe ifuzzynorm 'CAFE'",
    // §3.1 network fields.
    "net.dip = 172.17.0.3",
    "net.sip = 127.0.0.1",
    "net.dport in (80, 443, 8080)",
    "net.sport != 3306",
    "net.dport.name = 'https'",
    "net.dport.name = 'dns'",
    "net.l4.proto = 'TCP' or net.l4.proto = 'UDP'",
    "evt.arg[dip] = '8.8.8.8'",
    // §3.1 the outbound_network and inbound_network macros, expanded.
    """
    (evt.name = 'Send' or evt.name = 'Connect') and (net.dip != 0.0.0.0 and net.dip not in ('0:0:0:0:0:0:0:1', '::1') \
    and not cidr_contains(net.dip, '127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'))
    """,
    """
    (evt.name = 'Recv' or evt.name = 'Accept') and ((net.sip != 0.0.0.0 or net.dip != 0.0.0.0) \
    and (net.sip not in ('0:0:0:0:0:0:0:1','::1') or net.dip not in ('0:0:0:0:0:0:0:1','::1')) \
    and not (cidr_contains(net.sip, '127.0.0.0/8') or cidr_contains(net.dip, '127.0.0.0/8')))
    """,
    // §3.2 DNS fields.
    "dns.name = 'r3.o.lencr.org'",
    "evt.name = 'ReplyDns' and dns.rcode = 'NXDOMAIN'",
    "dns.rr in ('A', 'AAAA', 'CNAME')",
    // §3.3 event fields.
    "evt.time = '17:05:32'",
    "evt.time.h >= 22 or evt.date.weekday = 'Sunday'",
    "evt.category = 'net'",
    "evt.name in ('Connect', 'Accept', 'Send', 'Recv', 'Disconnect', 'Reconnect', 'Retransmit', 'QueryDns', 'ReplyDns')",
    // §3.4 process fields with arguments.
    "ps.envs[ALLUSER] = ''",
    "ps.envs[PATH] contains '/usr/local/bin'",
    "ps.ancestor[0] = 'bash'",
    "ps.ancestor in ('sshd')",
    "ps.parent.name = 'sshd' and ps.uuid > 0",
    // §4 functions, one use of each that exists on Linux.
    "concat(ps.name, '-', ps.pid) = 'curl-1'",
    "ltrim(ps.exe, '/usr') = '/bin/curl' and rtrim(dns.name, '.') = 'example.com'",
    "lower(ps.name) = 'curl' and upper(ps.name) = 'CURL'",
    "replace(ps.exe, '/usr', '', '/bin', '') = '/curl'",
    "split(dns.name, '.') in ('com')",
    "length(ps.args) > 3",
    "indexof(ps.cmdline, 'http', 'lastany') > 0",
    "substr(ps.cmdline, 0, 4) = 'curl'",
    "entropy(dns.name) > 200",
    "regex(ps.cmdline, 'https?://', 'ftp://')",
    "count(ps.args, '-*') > 2",
    "base(ps.exe) = 'curl' and base(ps.exe, false) = 'curl' and dir(ps.exe) = '/usr/bin'",
    "ext(ps.exe) = '.sh' and ext(ps.exe, false) = 'sh'",
    "glob('/etc/*.conf') in ('/etc/resolv.conf')",
    // §9 rsigma output: case-insensitive operators and its field map.
    "evt.name = 'Connect' and net.dip in ('1.2.3.4') and net.dport.name iin ('HTTPS')",
    "evt.name = 'QueryDns' and dns.name iendswith '.onion'",
    "regex(ps.cmdline, 'a.*b') = true",
  ]

  @Test(arguments: valid)
  func fibratusExpressionChecksClean(_ source: String) {
    assertCheck(source)
  }

  /// Where netfilter deliberately differs from Fibratus.
  @Test func deliberateDifferences() {
    // Double quotes make strings (see the README); in Fibratus `"cmd.exe"` lexes as an identifier.
    assertCheck(#"ps.name = "cmd.exe""#, typed: "(= ps.name~string 'cmd.exe'~string)")
    // `==` is an alias of `=`, `&&` of `and`, `||` of `or`, `!` of `not`.
    assertCheck(
      "ps.name == 'x' && !(net.dport = 1) || net.sport = 2",
      typed:
        "(or (and (= ps.name~string 'x'~string) (not (= net.dport~uint16 1~uint64))) (= net.sport~uint16 2~uint64))"
    )
    // IPv6 literals; Fibratus needs quoted strings.
    assertCheck(
      "net.dip = ::1 or net.dip in (fd00::/8)",
      typed: "(or (= net.dip~ip ::1~ip) (in net.dip~ip (list fd00::/8)))"
    )
    // Prefix `not` applies to a whole comparison; Fibratus rejects `not ps.name = 'x'`.
    assertCheck("not ps.name = 'x'", typed: "(not (= ps.name~string 'x'~string))")
    // A quoted address is an address, so this is not silently false as in Fibratus.
    assertCheck("net.dip = '1.2.3.4'", typed: "(= net.dip~ip 1.2.3.4~ip)")
    // On a multi-valued field a single string means "any element" (Fibratus: always false).
    assertCheck("net.dip.names endswith '.google.'", typed: "(endswith net.dip.names~list of string '.google.'~string)")
    // `\*` escapes a wildcard (rsigma emits it; Fibratus rejects it as a bad escape).
    assertCheck(#"ps.cmdline matches '*\*literal*'"#, typed: #"(matches ps.cmdline~string '*\*literal*'~string)"#)
    // `in` on 64-bit fields works (Fibratus: unsupported, always false).
    assertCheck("ps.uuid in (1, 2)", typed: "(in ps.uuid~uint64 (list 1 2))")
    // A parenthesized comparison with the literal first is grouping; Fibratus fails on it ("expected ')'").
    assertCheck("('a' = ps.name)", typed: "(= ps.name~string 'a'~string)")
    // Comparing a number field with a string is an error, not a silent false (see the README).
    assertCheck(
      "evt.pid = 1️⃣'859'",
      diagnostics: [DiagnosticSpec(id: "sema.cannotCompare", notes: ["write the number without quotes"])]
    )
    // A bare non-boolean is an error at check time (Fibratus evaluates it to false).
    assertCheck("1️⃣length(ps.name)", diagnostics: [DiagnosticSpec(id: "sema.conditionExpected")])
    // A sequence of one step is an error, as Fibratus's message says (its parser lets it through).
    assertCheck(
      "sequence 1️⃣|evt.name = 'Connect'|",
      diagnostics: [DiagnosticSpec(id: "sema.tooFewSequenceSteps", message: "a sequence needs at least 2 steps")]
    )
  }

  /// its error list: every kind of error Fibratus reports is an error here too, at the same place. The
  /// wording is ours; each case names the Fibratus message it stands for.
  static let errors: [ErrorCase] = [
    // The caret example: "expected operator".
    ErrorCase(
      "ps.name = 'cmd.exe' 1️⃣aand ps.cmdline contains 'ss'",
      DiagnosticSpec(id: "syntax.expectedOperator", notes: ["did you mean 'and'?"])
    ),
    // "expected field, bound field, string, number, bool, ip, function": unknown identifier,
    // missing operand, bad token.
    ErrorCase("1️⃣ps.nam = 'x'", DiagnosticSpec(id: "sema.unknownField", notes: ["did you mean 'ps.name'?"])),
    ErrorCase("ps.name = 1️⃣", DiagnosticSpec(id: "syntax.unexpectedEndOfInput", contains: "expected field")),
    ErrorCase("ps.name = 1️⃣and net.dport = 1", DiagnosticSpec(id: "syntax.expectedExpression")),
    ErrorCase("ps.name = 1️⃣@", DiagnosticSpec(id: "syntax.unexpectedCharacter")),
    // "expected a valid IP address".
    ErrorCase("net.dip = 1️⃣172.317.1.2", DiagnosticSpec(id: "syntax.invalidIPAddress")),
    ErrorCase("net.dip = 1️⃣172.17.1", DiagnosticSpec(id: "syntax.invalidIPAddress")),
    ErrorCase("net.dip = 1️⃣172.2.266.2", DiagnosticSpec(id: "syntax.invalidIPAddress")),
    // "expected a valid string but bad string or escape found".
    ErrorCase(#"ps.name = 'a1️⃣\xb'"#, DiagnosticSpec(id: "syntax.invalidEscape")),
    ErrorCase("ps.name = 1️⃣'abc", DiagnosticSpec(id: "syntax.unterminatedString", notes: ["string starts here"])),
    // "expected operator, ')', ',', '|'": trailing junk.
    ErrorCase("ps.name = 'a' 1️⃣)", DiagnosticSpec(id: "syntax.unmatchedRightParen")),
    ErrorCase("ps.name = 'a' 1️⃣]", DiagnosticSpec(id: "syntax.expectedOperator")),
    // "expected ')'": unclosed parenthesis or list; "expected )": unclosed call.
    ErrorCase("(ps.name = 'a'1️⃣", DiagnosticSpec(id: "syntax.unexpectedEndOfInput", notes: ["to match this '('"])),
    ErrorCase("net.dport in (1, 21️⃣", DiagnosticSpec(id: "syntax.unexpectedEndOfInput", notes: ["to match this '('"])),
    ErrorCase(
      "lower(ps.name) = lower(ps.exe1️⃣",
      DiagnosticSpec(id: "syntax.unexpectedEndOfInput", notes: ["to match this '('"])
    ),
    // "expected '('" after `in`: ours is a type error naming the value.
    ErrorCase("net.dport in 1️⃣80", DiagnosticSpec(id: "sema.listExpected")),
    // "expected operator" after infix `not`.
    ErrorCase("ps.name not1️⃣ 'x'", DiagnosticSpec(id: "syntax.expectedOperatorAfterNot")),
    // "expected boolean field, (": unary `not` on a non-boolean field.
    ErrorCase("not 1️⃣ps.exe", DiagnosticSpec(id: "sema.notRequiresCondition")),
    // "expected identifier": a list item that is not a literal.
    ErrorCase("ps.name in ('a', 1️⃣ps.exe)", DiagnosticSpec(id: "sema.listItemNotLiteral")),
    // Field arguments: "expected ident, integer", "expected field without argument",
    // "expected field argument", "[0-9]+" patterns, "expected ]".
    ErrorCase("ps.envs[1️⃣] = 'x'", DiagnosticSpec(id: "syntax.expectedFieldArgument")),
    ErrorCase("1️⃣ps.name[x] = 'a'", DiagnosticSpec(id: "sema.argumentNotAllowed")),
    ErrorCase("1️⃣evt.arg = 'x'", DiagnosticSpec(id: "sema.argumentRequired")),
    ErrorCase("1️⃣ps.ancestor[x] = 'a'", DiagnosticSpec(id: "sema.numericArgumentRequired")),
    ErrorCase("ps.envs[PATH 1️⃣= 'x'", DiagnosticSpec(id: "syntax.expectedRightBracket")),
    // §1.2: a field path is flat, `ps.ancestor[1].name` is not a field.
    ErrorCase("ps.ancestor[1]1️⃣.name = 'x'", DiagnosticSpec(id: "syntax.unexpectedCharacter")),
    // "expected field/segment after bound ref".
    ErrorCase(
      "sequence |evt.name = 'Connect'| as e |ps.exe = 1️⃣$e|",
      DiagnosticSpec(id: "sema.unknownField", notes: ["name a field of the step's event, such as $e.ps.pid"])
    ),
    // Sequences: "expected |", "expected field", "expected identifier", "expected duration".
    ErrorCase("sequence maxspan 5s 1️⃣evt.name = 'Connect'", DiagnosticSpec(id: "syntax.expectedPipe")),
    ErrorCase("sequence by 1️⃣|Connect| |Send|", DiagnosticSpec(id: "syntax.expectedFieldAfterBy")),
    ErrorCase("sequence |Connect| as 1️⃣|Send|", DiagnosticSpec(id: "syntax.expectedIdentifierAfterAs")),
    ErrorCase("sequence maxspan 1️⃣|Connect| |Send|", DiagnosticSpec(id: "syntax.expectedDuration")),
    // §5.3: "sequence mixes global and per-expression 'by' statements", "all expressions require
    // the 'by' statement", "maximum number of expressions reached", "maximum span 40h0m0s cannot be
    // greater than 4h", "bound field references an invalid '$e' event alias".
    ErrorCase("sequence by ps.pid 1️⃣|Connect| by ps.pid |Send|", DiagnosticSpec(id: "sema.mixedSequenceJoins")),
    ErrorCase("sequence |Connect| by ps.pid 1️⃣|Send|", DiagnosticSpec(id: "sema.sequenceJoinsIncomplete")),
    ErrorCase(
      "sequence |Connect| |Send| |Send| |Send| |Send| 1️⃣|Send|",
      DiagnosticSpec(id: "sema.tooManySequenceSteps")
    ),
    ErrorCase("sequence maxspan 1️⃣40h |Connect| |Send|", DiagnosticSpec(id: "sema.maxSpanTooLong")),
    ErrorCase("sequence |Connect| |ps.exe = 1️⃣$e.ps.exe|", DiagnosticSpec(id: "sema.boundVariableUnknown")),
    // "X function is undefined. Did you mean one of …".
    ErrorCase("1️⃣volume(ps.exe) = 'C:'", DiagnosticSpec(id: "sema.unknownFunction")),
    ErrorCase("1️⃣symlink(ps.exe) = 'x'", DiagnosticSpec(id: "sema.unknownFunction")),
    ErrorCase("1️⃣is_minidump(ps.exe)", DiagnosticSpec(id: "sema.unknownFunction")),
    // "CIDR_CONTAINS function requires 2 argument(s) but 1 argument(s) given".
    ErrorCase("1️⃣cidr_contains(net.dip)", DiagnosticSpec(id: "sema.wrongArgumentCount")),
    // "argument #2 (cidr) in function CIDR_CONTAINS should be one of: string".
    ErrorCase("cidr_contains(net.dip, 1️⃣8)", DiagnosticSpec(id: "sema.badFunctionArgument")),
    // "old/new replacements mismatch"; "not a valid index search order"; "unsupported entropy algorithm".
    ErrorCase("1️⃣replace(ps.exe, 'a', 'b', 'c') = 'x'", DiagnosticSpec(id: "sema.wrongArgumentCount")),
    ErrorCase("indexof(ps.exe, 'a', 1️⃣'middle') = 1", DiagnosticSpec(id: "sema.badFunctionOption")),
    ErrorCase("entropy(ps.exe, 1️⃣'renyi') > 1", DiagnosticSpec(id: "sema.badFunctionOption")),
    // "expected at least one field or operator but zero found".
    ErrorCase("1️⃣'cmd.exe'", DiagnosticSpec(id: "sema.conditionExpected")),
    ErrorCase(
      "1️⃣ps.name",
      DiagnosticSpec(id: "sema.conditionExpected", notes: ["compare it with a value, such as ps.name = …"])
    ),
    // §5.2: "rule X references an invalid event name "RecvTcp4" in the evt.name field" and
    // "invalid event category "network" in the evt.category field".
    ErrorCase("evt.name = 1️⃣'RecvTcp4'", DiagnosticSpec(id: "sema.invalidValue", notes: ["…"])),
    ErrorCase(
      "evt.category = 1️⃣'network'",
      DiagnosticSpec(id: "sema.invalidValue", notes: ["'evt.category' takes one of: net"])
    ),
    // §9: rsigma's `field = null` is not a literal.
    ErrorCase("dns.name = 1️⃣null", DiagnosticSpec(id: "sema.unknownField")),
  ]

  @Test(arguments: errors)
  func fibratusErrorIsAnErrorHere(_ c: ErrorCase) {
    c.check()
  }
}
