import Foundation
import NetFilter
import NetFilterTestSupport
import Testing

/// Loads `yaml`, expecting no diagnostics at all.
private func library(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> MacroLibrary {
  let (library, diagnostics) = MacroLibrary.load(yaml: yaml, name: "test.yml")
  #expect(diagnostics.isEmpty, "\(render(diagnostics, yaml))", sourceLocation: sourceLocation)
  return library
}

/// The diagnostics of loading `yaml`.
private func problems(_ yaml: String) -> [Diagnostic] {
  MacroLibrary.load(yaml: yaml, name: "test.yml").1
}

private func render(_ diagnostics: [Diagnostic], _ yaml: String) -> String {
  DiagnosticFormatter(style: .llvm).render(diagnostics, in: SourceText(yaml, name: "test.yml"))
}

/// `line:column` of a diagnostic in `yaml`.
private func position(_ diagnostic: Diagnostic, _ yaml: String) -> String {
  SourceText(yaml, name: "test.yml").lineColumn(of: diagnostic.range.lowerBound).description
}

/// The typed tree of a filter that must check clean.
private func typed(_ filter: String, _ environment: Environment, sourceLocation: SourceLocation = #_sourceLocation)
  -> String?
{
  let outcome = environment.check(filter)
  #expect(
    outcome.isValid && outcome.diagnostics.isEmpty,
    "\(DiagnosticFormatter(style: .llvm).render(outcome.diagnostics, in: outcome.source))",
    sourceLocation: sourceLocation
  )
  return outcome.checked.map(TypedTree.print)
}

private let exampleFile = repositoryRoot.appendingPathComponent("examples/macros/network.yml").path

@Suite struct MacroTests {
  // MARK: Expression and list macros

  @Test func expressionMacroExpandsAsItsBody() {
    let env = Environment(resolver: library("- macro: sending\n  expr: evt.name = 'Send'\n"))
    assertCheck(
      "sending and net.dport = 443",
      typed: "(and (= evt.name~string 'Send'~string) (= net.dport~uint16 443~uint64))",
      normalized: "sending and net.dport = 443",
      environment: env
    )
  }

  /// Fibratus splices `a or b` into `m and x` bare and gets `a or (b and x)`; netfilter does not.
  @Test func anOrMacroStaysGroupedUnderAnd() throws {
    let env = Environment(resolver: library("- macro: modify\n  expr: \"evt.name = 'Send' or evt.name = 'Recv'\"\n"))
    let tree = try #require(typed("modify and net.dport = 443", env))
    #expect(
      tree
        == "(and (or (= evt.name~string 'Send'~string) (= evt.name~string 'Recv'~string)) (= net.dport~uint16 443~uint64))"
    )
    #expect(tree == typed("(evt.name = 'Send' or evt.name = 'Recv') and net.dport = 443", Environment()))
    #expect(tree != typed("evt.name = 'Send' or evt.name = 'Recv' and net.dport = 443", Environment()))
    // On the right of `and`, and under `not`, too.
    #expect(
      typed("net.dport = 443 and modify", env)
        == "(and (= net.dport~uint16 443~uint64) (or (= evt.name~string 'Send'~string) (= evt.name~string 'Recv'~string)))"
    )
    #expect(
      typed("not modify", env) == "(not (or (= evt.name~string 'Send'~string) (= evt.name~string 'Recv'~string)))"
    )
  }

  @Test func listMacroOnTheRightOfIn() {
    let env = Environment(resolver: library("- macro: web_ports\n  list: [80, 443, 8080]\n"))
    #expect(typed("net.dport in web_ports", env) == typed("net.dport in (80, 443, 8080)", Environment()))
    #expect(typed("net.dport not in web_ports", env) == typed("net.dport not in (80, 443, 8080)", Environment()))
    #expect(typed("net.dport in web_ports", env) == "(in net.dport~uint16 (list 80 443 8080))")
  }

  @Test func listMacroStringsBecomeAddressesAndCIDRsByField() {
    let yaml = """
      - macro: private
        list: [10.0.0.0/8, '192.168.0.0/16', 'fd00::/8', '::1', 8.8.8.8]
      """
    let env = Environment(resolver: library(yaml))
    #expect(
      typed("net.dip in private", env)
        == typed("net.dip in (10.0.0.0/8, 192.168.0.0/16, fd00::/8, ::1, 8.8.8.8)", Environment())
    )
    // Against a string field the same items stay strings.
    #expect(typed("net.dip.names in private", env)?.contains("'10.0.0.0/8'") == true)
  }

  @Test func listMacroWithImatchesAndOtherListOperators() {
    let yaml = """
      - macro: bad_domains
        list: ['*.onion', '*.BIT']
      """
    let env = Environment(resolver: library(yaml))
    #expect(
      typed("dns.name imatches bad_domains", env) == typed("dns.name imatches ('*.onion', '*.BIT')", Environment())
    )
    #expect(typed("dns.name iin bad_domains", env) == typed("dns.name iin ('*.onion', '*.BIT')", Environment()))
    #expect(
      typed("dns.name endswith bad_domains", env) == typed("dns.name endswith ('*.onion', '*.BIT')", Environment())
    )
  }

  @Test func listItemProblemsPointAtTheUse() {
    let env = Environment(resolver: library("- macro: hosts\n  list: [example.com, 8.8.8.8]\n"))
    assertCheck(
      "net.dip in 1️⃣hosts2️⃣",
      diagnostics: [
        DiagnosticSpec(endMarker: "2️⃣", id: "sema.invalidIPAddress", notes: ["in list 'hosts'"])
      ],
      environment: env
    )
    assertCheck(
      "net.dport = 1️⃣hosts",
      diagnostics: [
        DiagnosticSpec(id: "sema.cannotCompare", notes: ["in list 'hosts'", "use 'in' to test membership in a list"])
      ],
      environment: env
    )
  }

  @Test func aListMacroIsNotACondition() {
    let env = Environment(resolver: library("- macro: web_ports\n  list: [80, 443]\n"))
    assertCheck(
      "1️⃣web_ports and net.dport = 1",
      diagnostics: [
        DiagnosticSpec(
          id: "sema.conditionExpected",
          message: "expected a condition, but list macro 'web_ports' is not boolean",
          notes: ["use a list on the right of 'in' or another list operator, such as net.dport in web_ports"]
        )
      ],
      environment: env
    )
  }

  @Test func listItemsAreTypedFromYAML() throws {
    let yaml = """
      - macro: mixed
        list: [80, '443', 0x50, 1.5, http, "8.8.8.8", 2001:db8::1]
      """
    let lib = library(yaml)
    let list = try #require(lib.list(named: "mixed"))
    guard case .list(let items) = list.kind else {
      Issue.record("not a list")
      return
    }
    let literals = items.map { item -> Literal? in
      if case .literal(let literal) = item.kind { return literal }
      return nil
    }
    #expect(
      literals == [
        .integer(80), .string(StringLiteral("443")), .integer(80), .decimal(1.5), .string(StringLiteral("http")),
        .string(StringLiteral("8.8.8.8")), .string(StringLiteral("2001:db8::1")),
      ]
    )
    #expect(lib.expression(named: "mixed") == nil)
    #expect(lib["mixed"]?.description == nil)
  }

  @Test(arguments: [
    ("[80, -1]", "the number -1"),
    ("[80, yes]", "the boolean 'yes'"),
    ("[80, null]", "null"),
    ("[80, [1, 2]]", "a list"),
    ("[80, {a: 1}]", "a mapping"),
    ("[99999999999999999999999]", "the number 99999999999999999999999"),
  ])
  func badListItems(list: String, found: String) throws {
    let diagnostics = problems("- macro: ports\n  list: \(list)\n")
    let diagnostic = try #require(diagnostics.first)
    #expect(diagnostics.count == 1)
    #expect(diagnostic.id.description == "macros.invalidListItem")
    #expect(diagnostic.message == "items of list macro 'ports' must be strings or numbers, not \(found)")
  }

  // MARK: Nesting and cycles

  @Test func macrosNestThroughExpressionsAndLists() {
    let yaml = """
      - macro: web_ports
        list: [80, 443]
      - macro: connecting
        expr: evt.name = 'Connect'
      - macro: web_connect
        expr: connecting and net.dport in web_ports
      - macro: web_or_dns
        expr: web_connect or net.dport = 53
      """
    let env = Environment(resolver: library(yaml))
    #expect(
      typed("web_or_dns and ps.name = 'curl'", env)
        == "(and (or (and (= evt.name~string 'Connect'~string) (in net.dport~uint16 (list 80 443))) (= net.dport~uint16 53~uint64)) (= ps.name~string 'curl'~string))"
    )
  }

  @Test func macrosMayUseMacrosDefinedLaterOrInLaterFiles() {
    let (lib, groups) = MacroLibrary.load(sources: [
      SourceText("- macro: outer\n  expr: inner and net.dport = 1\n", name: "a.yml"),
      SourceText("- macro: inner\n  expr: evt.name = 'Send'\n", name: "b.yml"),
    ])
    #expect(groups.isEmpty)
    #expect(lib.names == ["outer", "inner"])
    #expect(typed("outer", Environment(resolver: lib)) != nil)
    #expect(lib.validate().isEmpty)
  }

  @Test func aCycleThroughTwoMacrosIsAnError() {
    let yaml = """
      - macro: ping
        expr: pong or net.dport = 1
      - macro: pong
        expr: ping and net.dport = 2
      """
    let env = Environment(resolver: library(yaml))
    assertCheck(
      "net.sport = 9 and 1️⃣ping2️⃣",
      diagnostics: [
        DiagnosticSpec(
          endMarker: "2️⃣",
          id: "sema.macroCycle",
          message: "macro 'ping' refers to itself: ping -> pong -> ping",
          notes: ["in macro 'ping'", "in macro 'pong'"]
        )
      ],
      environment: env
    )
  }

  @Test func aSelfReferenceIsAnError() {
    let env = Environment(resolver: library("- macro: loop\n  expr: loop or net.dport = 1\n"))
    assertCheck(
      "1️⃣loop",
      diagnostics: [
        DiagnosticSpec(
          id: "sema.macroCycle",
          message: "macro 'loop' refers to itself: loop -> loop",
          notes: ["in macro 'loop'"]
        )
      ],
      environment: env
    )
  }

  @Test func validateReportsCyclesAndTypeErrorsInTheFile() throws {
    let yaml = """
      - macro: loop
        expr: loop or net.dport = 1
      - macro: typo
        expr: net.dprot = 80
      - macro: fine
        expr: net.dport = 80
      """
    let lib = library(yaml)
    let groups = lib.validate()
    let diagnostics = try #require(groups.first?.diagnostics)
    #expect(groups.count == 1 && groups.first?.source.name == "test.yml")
    #expect(diagnostics.map(\.id.description) == ["sema.macroCycle", "sema.unknownField"])
    #expect(diagnostics.map { position($0, yaml) } == ["2:9", "4:9"])
    #expect(diagnostics[1].notes.map(\.message) == ["in macro 'typo'", "did you mean 'net.dport'?"])
    #expect(SourceText(yaml).slice(diagnostics[1].range) == "net.dprot")
  }

  // MARK: Hostile macro files

  /// A chain of macros, each naming the one before: `m0 := net.dport = 0`, `mN := mN-1 or net.dport = N`.
  private static func chain(_ count: Int) -> String {
    (0..<count).map { index in
      index == 0
        ? "- macro: m0\n  expr: net.dport = 0\n" : "- macro: m\(index)\n  expr: m\(index - 1) or net.dport = \(index)\n"
    }.joined()
  }

  /// Checks `filter`, returning the diagnostic IDs and how long the check took.
  private func timedCheck(_ filter: String, _ environment: Environment) -> ([String], Swift.Duration) {
    let clock = ContinuousClock()
    var ids: [String] = []
    let elapsed = clock.measure { ids = environment.check(filter).diagnostics.map(\.id.description) }
    return (ids, elapsed)
  }

  /// 7,000 macros, each naming the previous one, overflowed the stack (SIGSEGV); the expanded tree
  /// now nests no deeper than the nesting limit.
  @Test func aLongChainOfMacrosIsANestingErrorNotACrash() throws {
    let env = Environment(resolver: library(Self.chain(7_000)))
    let (ids, elapsed) = timedCheck("m6999 and net.sport = 1", env)
    #expect(ids == ["limits.nestingTooDeep"])
    #expect(elapsed < .seconds(5), "\(elapsed)")
    let diagnostic = try #require(env.check("m6999").diagnostics.first)
    #expect(diagnostic.message == "expression is nested more than 256 levels deep")
    #expect(diagnostic.range == SourceRange(0, 5))
    #expect(diagnostic.notes.first?.message == "in macro 'm6999'")
    #expect(diagnostic.notes.count <= 8)
    // Each link is two levels (the `or` and the macro), so a hundred links are within the limit.
    #expect(typed("m100", env) != nil)
  }

  /// A macro whose body names the one before four times, 30 levels deep (a 1.5 kB file), expanded
  /// to 4^30 comparisons (past 7 GB); the expanded tree is now bounded.
  @Test(arguments: [10, 30])
  func aMacroNamingAnotherFourTimesIsBounded(levels: Int) {
    var yaml = "- macro: e0\n  expr: net.dport = 1\n"
    for level in 1...levels {
      let previous = "e\(level - 1)"
      yaml += "- macro: e\(level)\n  expr: \(previous) or \(previous) or \(previous) or \(previous)\n"
    }
    let env = Environment(resolver: library(yaml))
    let (ids, elapsed) = timedCheck("e\(levels)", env)
    #expect(ids == ["limits.expansionTooLarge"])
    // A bound that catches the exponential expansion (minutes), not a speed figure: generous so
    // that a loaded machine running the suites in parallel does not fail it.
    #expect(elapsed < .seconds(5), "\(elapsed)")
    let message = env.check("e\(levels)").diagnostics.first?.message
    #expect(message == "filter has more than 100000 conditions and list items once macros are expanded")
    #expect(typed("e7", env) != nil)  // 4^7 = 16,384 comparisons are fine
  }

  /// List items count toward the size of the expanded tree: a 16,000-item list used seven times is
  /// 112,000 items.
  @Test func listMacroItemsCountTowardTheExpandedSize() {
    let items = (0..<16_000).map(String.init).joined(separator: ", ")
    let env = Environment(resolver: library("- macro: ports\n  list: [\(items)]\n"))
    let uses = { (count: Int) in (0..<count).map { _ in "net.dport in ports" }.joined(separator: " or ") }
    #expect(typed(uses(6), env) != nil)
    #expect(env.check(uses(7)).diagnostics.map(\.id.description) == ["limits.expansionTooLarge"])
  }

  /// A resolver other than ``MacroLibrary`` may hand back a longer list than a filter may write.
  @Test func listMacrosFromOtherResolversHonourTheListLimit() {
    struct Resolver: NameResolver {
      func expression(named name: String) -> Expr? { nil }
      func list(named name: String) -> Expr? {
        let items = (0..<16_385).map { Expr(.literal(.integer(UInt64($0))), range: .at(0)) }
        return name == "huge" ? Expr(.list(items), range: .at(0)) : nil
      }
    }
    let outcome = Environment(resolver: Resolver()).check("net.dport in huge")
    #expect(outcome.diagnostics.map(\.id.description) == ["limits.listTooLong"])
  }

  /// A flow list (`list: [0, 1, …]`) of 16,384 items took about 30 s to load: every item's mark was
  /// turned into an offset by walking its (100 kB) line from the start.
  @Test func aLongFlowListLoadsQuickly() throws {
    let items = (0..<16_384).map(String.init).joined(separator: ", ")
    let clock = ContinuousClock()
    var loaded = MacroLibrary()
    let elapsed = clock.measure { loaded = library("- macro: ports\n  list: [\(items)]\n") }
    #expect(elapsed < .seconds(2), "\(elapsed)")
    guard case .list(let list)? = loaded["ports"]?.body, case .list(let exprs) = list.kind else {
      Issue.record("not a list macro")
      return
    }
    #expect(exprs.count == 16_384)
    // Item ranges still point at the item in the file: `16383` starts after `  list: [` and the rest.
    let last = try #require(exprs.last)
    #expect(last.range.lowerBound == "- macro: ports\n  list: [".utf8.count + items.utf8.count - 5)
    #expect(last.range.length == 5)
  }

  @Test(arguments: ["flow", "block"])
  func aListMacroHasAtMost16384Items(style: String) throws {
    let items = (0..<16_385).map(String.init)
    let yaml =
      style == "flow"
      ? "- macro: ports\n  list: [\(items.joined(separator: ", "))]\n"
      : "- macro: ports\n  list:\n" + items.map { "    - \($0)\n" }.joined()
    let found = problems(yaml)
    #expect(found.map(\.id.description) == ["macros.listTooLong"])
    let diagnostic = try #require(found.first)
    #expect(diagnostic.message == "list macro 'ports' has 16385 items; the limit is 16384")
    // At the first item past the limit, `16384`.
    let source = SourceText(yaml)
    #expect(source.slice(diagnostic.range) == "16384")
    let flowColumn = "  list: [".count + items.dropLast().joined(separator: ", ").count + 3
    #expect(position(diagnostic, yaml) == (style == "flow" ? "2:\(flowColumn)" : "16387:7"))
  }

  // MARK: Names

  @Test(arguments: [
    ("and", "a keyword"), ("IN", "a keyword"), ("sequence", "a keyword"), ("true", "a keyword"),
    ("lower", "a function"), ("cidr_contains", "a function"),
    ("Connect", "an event name"), ("net_packet_dns", "an event name"),
  ])
  func namesMustNotCollide(name: String, what: String) throws {
    let yaml = "- macro: \(name)\n  expr: net.dport = 80\n"
    let diagnostic = try #require(problems(yaml).first)
    #expect(diagnostic.id.description == "macros.nameCollision")
    #expect(diagnostic.message == "macro name '\(name)' is already \(what)")
    #expect(position(diagnostic, yaml) == "1:10")
  }

  @Test func namesMustNotCollideWithFields() throws {
    let schema = Schema(
      fields: [FieldDescriptor("severity", .uint8, "a dotless field")],
      structures: [:],
      eventNames: []
    )
    let (_, diagnostics) = MacroLibrary.load(yaml: "- macro: severity\n  list: [1]\n", name: "t.yml", schema: schema)
    #expect(diagnostics.map(\.message) == ["macro name 'severity' is already a field"])
  }

  @Test(arguments: ["'bad name'", "a.b", "'é'", "''", "'$x'"])
  func badNames(name: String) throws {
    let diagnostics = problems("- macro: \(name)\n  expr: net.dport = 80\n")
    #expect(diagnostics.map(\.id.description) == ["macros.invalidName"])
  }

  @Test func namesFiltersCannotSpellLoadWithAWarning() {
    let yaml = "- macro: my-ports\n  list: [1]\n- macro: 1st\n  list: [2]\n- macro: _ok-not\n  list: [3]\n"
    let (lib, diagnostics) = MacroLibrary.load(yaml: yaml, name: "t.yml")
    #expect(lib.names == ["my-ports", "1st", "_ok-not"])
    #expect(diagnostics.map(\.id.description) == Array(repeating: "macros.unusableName", count: 3))
    #expect(diagnostics.allSatisfy { $0.severity == .warning })
  }

  // MARK: Entry shape

  @Test func bothExprAndListIsAnError() throws {
    let yaml = "- macro: both\n  expr: net.dport = 1\n  list: [1]\n"
    let diagnostic = try #require(problems(yaml).first)
    #expect(diagnostic.id.description == "macros.bothBodies")
    #expect(position(diagnostic, yaml) == "3:3")
  }

  @Test func neitherExprNorListIsAnError() throws {
    let yaml = "- macro: nothing\n  description: no body\n"
    let (lib, diagnostics) = MacroLibrary.load(yaml: yaml, name: "t.yml")
    #expect(diagnostics.map(\.id.description) == ["macros.missingBody"])
    #expect(diagnostics.map { position($0, yaml) } == ["1:10"])
    #expect(lib.names.isEmpty)
  }

  @Test(arguments: [
    ("- macro: m\n  expr: net.dport = 1\n  condition: x\n", "macros.unknownKey", "3:3"),
    ("- expr: net.dport = 1\n", "macros.missingName", "1:3"),
    ("- macro: m\n  expr: 'a=1'\n", "macros.exprTooShort", "2:9"),
    ("- macro: m\n  expr: [net.dport = 1]\n", "macros.invalidValue", "2:9"),
    ("- macro: m\n  expr:\n", "macros.invalidValue", "2:3"),
    ("- macro: m\n  list: 80\n", "macros.invalidValue", "2:9"),
    ("- macro: m\n  list: []\n", "macros.emptyList", "2:9"),
    ("- macro: [m]\n  list: [1]\n", "macros.invalidValue", "1:10"),
    ("- macro: m\n  description: [a]\n  list: [1]\n", "macros.invalidValue", "2:16"),
    ("- just a string\n", "macros.notAMapping", "1:3"),
    ("macro: m\nexpr: net.dport = 1\n", "macros.notAList", "1:1"),
    ("- macro: m\n  macro: n\n  list: [1]\n", "macros.duplicateKey", "1:3"),
  ])
  func malformedEntries(yaml: String, id: String, at: String) throws {
    let diagnostics = problems(yaml)
    let diagnostic = try #require(diagnostics.first)
    #expect(diagnostics.count == 1, "\(render(diagnostics, yaml))")
    #expect(diagnostic.id.description == id)
    #expect(position(diagnostic, yaml) == at)
  }

  @Test func emptyFilesDefineNothing() {
    for yaml in ["", "\n", "# only a comment\n", "---\n", "[]\n", "~\n"] {
      let (lib, diagnostics) = MacroLibrary.load(yaml: yaml, name: "t.yml")
      #expect(lib.names.isEmpty && diagnostics.isEmpty, "\(yaml.debugDescription)")
    }
  }

  @Test func aBadEntryDoesNotHideTheOthers() {
    let yaml = """
      - macro: good
        list: [1]
      - macro: bad name
        list: [2]
      - macro: also_good
        expr: net.dport = 2
      """
    let (lib, diagnostics) = MacroLibrary.load(yaml: yaml, name: "t.yml")
    #expect(lib.names == ["good", "also_good"])
    #expect(diagnostics.map(\.id.description) == ["macros.invalidName"])
  }

  // MARK: Malformed YAML

  @Test(arguments: [
    ("- macro: a\n  expr: evt.name = 'Send'\n- macro: b\n  expr: [net.dport = 1\n", "5:1"),
    ("- macro: a\n  list: [1, 2]\n- macro: b\n  expr: 'net.dport = 1\n", "5:1"),
    ("- macro: a\n  list: [1]\n  - macro: b\n", "3:3"),
    ("- macro: a\n\tlist: [1]\n", "2:1"),
    ("- macro: a\n  list: [1]\n- macro: b\n  list: *missing\n", "4:9"),
    ("- macro: a\n  list: [1]\n--- \n- macro: b\n  list: [2]\n", "3:1"),
    ("- macro: a\n  list: ['x\u{7}']\n", "2:12"),
  ])
  func malformedYAMLIsReportedAtTheRightLine(yaml: String, at: String) throws {
    let diagnostics = problems(yaml)
    let diagnostic = try #require(diagnostics.first)
    #expect(diagnostics.count == 1)
    #expect(diagnostic.id.description == "macros.invalidYAML")
    #expect(position(diagnostic, yaml) == at, "\(render(diagnostics, yaml))")
  }

  @Test func renderedYAMLErrorsShowTheFileLine() {
    let yaml = "- macro: a\n  list: [1]\n- macro: b\n  expr: 'unterminated\n"
    let rendered = render(problems(yaml), yaml)
    #expect(rendered.hasPrefix("test.yml:5:1: error: invalid YAML: found unexpected end of stream\n"))
    #expect(rendered.contains("note: while scanning a quoted scalar"))
  }

  @Test func noPrefixOfAMacroFileCrashes() throws {
    let text = try String(contentsOfFile: exampleFile, encoding: .utf8)
    let bytes = Array(text.utf8)
    for end in stride(from: 0, through: bytes.count, by: 7) {
      let prefix = String(decoding: bytes[0..<end], as: UTF8.self)
      _ = MacroLibrary.load(yaml: prefix, name: "prefix.yml")
      _ = MacroLibrary.load(yaml: prefix.replacingOccurrences(of: "\n  ", with: "\n\t"), name: "tabs.yml")
    }
  }

  @Test func deeplyNestedYAMLIsAnErrorNotACrash() {
    let deep =
      "- macro: m\n  list: " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "\n"
    #expect(problems(deep).map(\.id.description) == ["macros.invalidYAML"])
    let nested =
      "- macro: m\n  list: " + String(repeating: "[", count: 500) + "1" + String(repeating: "]", count: 500) + "\n"
    #expect(problems(nested).map(\.id.description) == ["macros.invalidListItem"])
  }

  @Test func hugeFilesAreRefused() {
    let huge = "# " + String(repeating: "x", count: MacroLibrary.maxFileSize) + "\n"
    #expect(problems(huge).map(\.id.description) == ["macros.fileTooLarge"])
  }

  // MARK: Syntax errors in macros

  @Test func syntaxErrorsNameTheMacroAndPointIntoTheFile() throws {
    let yaml = """
      - macro: fine
        list: [1]
      - macro: broken
        expr: net.dport = = 80
      """
    let (lib, diagnostics) = MacroLibrary.load(yaml: yaml, name: "test.yml")
    let diagnostic = try #require(diagnostics.first)
    #expect(diagnostics.count == 1)
    #expect(diagnostic.id.description == "macros.syntaxError")
    #expect(diagnostic.message.hasPrefix("syntax error in macro 'broken': "))
    #expect(position(diagnostic, yaml) == "4:21")
    #expect(lib.names == ["fine"])
  }

  @Test func syntaxErrorsInFoldedAndQuotedExpressionsPointAtTheirLine() throws {
    let folded = """
      - macro: folded
        expr: >
          evt.name = 'Send'
          and net.dport in (80,
      """
    let quoted = "- macro: quoted\n  expr: \"evt.name = 'Send' aand net.dport = 1\"\n"
    let foldedError = try #require(problems(folded).first)
    #expect(foldedError.id.description == "macros.syntaxError")
    #expect(position(foldedError, folded).hasPrefix("4:"))
    let quotedError = try #require(problems(quoted).first)
    #expect(position(quotedError, quoted) == "2:28")
    #expect(SourceText(quoted).slice(quotedError.range) == "aand")
  }

  @Test func escapedExpressionsFallBackToTheValue() throws {
    let yaml = "- macro: escaped\n  expr: \"evt.name \\x3d = 'Send'\"\n"
    let diagnostic = try #require(problems(yaml).first)
    #expect(diagnostic.id.description == "macros.syntaxError")
    #expect(position(diagnostic, yaml) == "2:9")
  }

  // MARK: Several files

  @Test func aDuplicateAcrossFilesIsAnErrorInTheLaterFile() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("macro-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let first = directory.appendingPathComponent("first.yml").path
    let second = directory.appendingPathComponent("second.yml").path
    try "- macro: shared\n  list: [1]\n- macro: one\n  list: [1]\n".write(
      toFile: first,
      atomically: true,
      encoding: .utf8
    )
    try "- macro: two\n  list: [2]\n- macro: shared\n  expr: net.dport = 2\n".write(
      toFile: second,
      atomically: true,
      encoding: .utf8
    )

    let (lib, diagnostics) = MacroLibrary.load(files: [first, second])
    #expect(lib.names == ["shared", "one", "two"])
    #expect(lib.list(named: "shared") != nil && lib.expression(named: "shared") == nil)
    #expect(diagnostics.map(\.id.description) == ["macros.duplicateMacro"])
    #expect(diagnostics.first?.message == "macro 'shared' is already defined at \(first):1:10")

    let (_, groups) = MacroLibrary.read(files: [first, second, directory.appendingPathComponent("missing.yml").path])
    #expect(groups.map(\.source.name) == [directory.appendingPathComponent("missing.yml").path, second])
    #expect(
      groups.map { $0.diagnostics.map(\.id.description) } == [["macros.unreadableFile"], ["macros.duplicateMacro"]]
    )
    #expect(groups[1].source.lineColumn(of: groups[1].diagnostics[0].range.lowerBound).description == "3:10")
  }

  @Test func aDuplicateInOneFileIsAnError() {
    let yaml = "- macro: twice\n  list: [1]\n- macro: twice\n  list: [2]\n"
    let (lib, diagnostics) = MacroLibrary.load(yaml: yaml, name: "t.yml")
    #expect(diagnostics.map(\.message) == ["macro 'twice' is already defined at t.yml:1:10"])
    #expect(diagnostics.map { position($0, yaml) } == ["3:10"])
    #expect(lib.names == ["twice"])
  }

  // MARK: The shipped example

  @Test func theExampleFileLoadsAndValidatesClean() throws {
    let (lib, diagnostics) = MacroLibrary.load(files: [exampleFile])
    #expect(diagnostics.isEmpty)
    #expect(lib.validate().isEmpty)
    for name in ["outbound_network", "inbound_network", "web_ports", "private_networks", "dns_servers"] {
      #expect(lib[name] != nil, "missing \(name)")
    }
    #expect(lib.macros.allSatisfy { $0.description != nil })
  }

  /// How each list macro of the example is used in a filter.
  static let exampleListUses = [
    "private_networks": "net.dip in private_networks",
    "web_ports": "net.dport in web_ports",
    "dns_ports": "net.sport not in dns_ports",
    "dns_servers": "net.dip in dns_servers",
    "suspicious_domains": "dns.name imatches suspicious_domains",
    "remote_shells": "ps.name iin remote_shells",
  ]

  @Test func everyExampleMacroChecksCleanInAFilter() throws {
    let (lib, _) = MacroLibrary.load(files: [exampleFile])
    let env = Environment(resolver: lib)
    for macro in lib.macros {
      switch macro.body {
      case .expression:
        #expect(typed(macro.name, env) != nil, "\(macro.name)")
        #expect(typed("\(macro.name) and net.size > 0", env) != nil, "\(macro.name)")
      case .list:
        let use = try #require(Self.exampleListUses[macro.name], "no use for list \(macro.name)")
        #expect(typed(use, env) != nil, "\(macro.name)")
      }
    }
    #expect(Set(Self.exampleListUses.keys) == Set(lib.macros.filter { lib.list(named: $0.name) != nil }.map(\.name)))
  }

  @Test func outboundNetworkMatchesTheHandWrittenFilter() {
    let (lib, _) = MacroLibrary.load(files: [exampleFile])
    let expanded = """
      (evt.name = 'Send' or evt.name = 'Connect') and net.dip not in (0.0.0.0/8, 127.0.0.0/8, 10.0.0.0/8, \
      100.64.0.0/10, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16, ::, ::1, fc00::/7, fe80::/10)
      """
    #expect(typed("outbound_network", Environment(resolver: lib)) == typed(expanded, Environment()))
  }
}
