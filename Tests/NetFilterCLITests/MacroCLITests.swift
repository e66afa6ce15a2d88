import Foundation
import NetFilterCLI
import Testing

/// examples/macros/network.yml in this repository.
private let networkMacros = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("examples/macros/network.yml").path

/// A directory of macro files for one test; `remove()` it when done.
private struct MacroFiles {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("netfilter-macros-\(UUID().uuidString)")

  init() throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  func remove() { try? FileManager.default.removeItem(at: directory) }

  /// Writes `text` to `name` and returns its path.
  func write(_ name: String, _ text: String) throws -> String {
    let path = directory.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }
}

/// The bundled capture in this repository.
private let bundledCapture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("examples/captures/loopback-http-dns.pcap").path

@Suite struct MacroCLITests {
  @Test func runTakesMacrosForCapturesAndJSONLines() throws {
    let files = try MacroFiles()
    defer { files.remove() }
    let path = try files.write("dns.yml", "- macro: dns_traffic\n  expr: \"net.dport = 53 or net.sport = 53\"\n")
    let expanded = runCLI(["run", "--pcap", bundledCapture, "--output", "json", "net.dport = 53 or net.sport = 53"])
    let named = runCLI(["run", "--macros", path, "--pcap", bundledCapture, "--output", "json", "dns_traffic"])
    #expect(named.status == 0, "\(named.stderr)")
    #expect(!named.stdout.isEmpty && named.stdout == expanded.stdout)
    let input = try files.write("events.jsonl", "{\"net.dport\":53}\n{\"net.dport\":80}\n")
    let json = runCLI(["run", "--macros", path, "--input", input, "--output", "json", "dns_traffic"])
    #expect(json.status == 0, "\(json.stderr)")
    #expect(json.stdout.split(separator: "\n").count == 1)
    let unknown = runCLI(["run", "--input", input, "dns_traffic"])
    #expect(unknown.status == 1, "without --macros the name is unknown")
  }

  @Test func exampleMacrosCheckClean() {
    let result = runCLI(["check", "--macros", networkMacros, "outbound_network and net.dport in web_ports"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == "outbound_network and net.dport in web_ports\n")
    #expect(result.stderr.isEmpty)
  }

  @Test func anOrMacroStaysGroupedInTheTypedTree() throws {
    let files = try MacroFiles()
    defer { files.remove() }
    let path = try files.write("modify.yml", "- macro: modify\n  expr: \"evt.name = 'Send' or evt.name = 'Recv'\"\n")
    let result = runCLI(["check", "--macros", path, "--ast", "modify and net.dport = 443"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout == """
        (and (or (= evt.name~string 'Send'~string) (= evt.name~string 'Recv'~string)) (= net.dport~uint16 443~uint64))
        modify and net.dport = 443

        """
    )
  }

  @Test func macrosOptionRepeatsAndMergesFiles() throws {
    let files = try MacroFiles()
    defer { files.remove() }
    let ports = try files.write("ports.yml", "- macro: admin_ports\n  list: [22, 3389]\n")
    let events = try files.write(
      "events.yml",
      "- macro: admin_connect\n  expr: evt.name = 'Connect' and net.dport in admin_ports\n"
    )
    let result = runCLI(["check", "--macros", ports, "--macros", events, "admin_connect"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == "admin_connect\n")
    let withoutPorts = runCLI(["check", "--macros", events, "admin_connect"])
    #expect(withoutPorts.status == 1)
    #expect(withoutPorts.stderr.contains("unknown field 'admin_ports'"))
    #expect(withoutPorts.stderr.contains("note: in macro 'admin_connect'"))
  }

  @Test func malformedYAMLIsShownAtItsLineAndExitsOne() throws {
    let files = try MacroFiles()
    defer { files.remove() }
    let path = try files.write("bad.yml", "- macro: fine\n  list: [1]\n- macro: broken\n  list: [1, 2\n")
    let result = runCLI(["check", "--macros", path, "fine"])
    #expect(result.status == 1)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.hasPrefix("\(path):5:1: error: invalid YAML: "), "\(result.stderr)")
  }

  @Test func macroSyntaxErrorsPointIntoTheYAMLFile() throws {
    let files = try MacroFiles()
    defer { files.remove() }
    let path = try files.write("syntax.yml", "- macro: ok\n  list: [1]\n- macro: broken\n  expr: net.dport = = 80\n")
    let result = runCLI(["check", "--diagnostic-style", "llvm", "--macros", path, "net.dport in ok"])
    #expect(result.status == 1)
    #expect(
      result.stderr == """
        \(path):4:21: error: syntax error in macro 'broken': expected field, string, number, IP address, list or function after '='
          expr: net.dport = = 80
                            ^

        """
    )
  }

  @Test func duplicateMacrosAcrossFilesAreErrorsInTheLaterFile() throws {
    let files = try MacroFiles()
    defer { files.remove() }
    let first = try files.write("first.yml", "- macro: shared\n  list: [1]\n")
    let second = try files.write("second.yml", "# again\n- macro: shared\n  list: [2]\n")
    let result = runCLI(["check", "--macros", first, "--macros", second, "net.dport in shared"])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("\(second):2:10: error: macro 'shared' is already defined at \(first):1:10\n"))
  }

  @Test func jsonStyleCarriesMacroDiagnosticIDs() throws {
    let files = try MacroFiles()
    defer { files.remove() }
    let path = try files.write(
      "names.yml",
      "- macro: and\n  list: [1]\n- macro: both\n  expr: net.dport = 1\n  list: [1]\n"
    )
    let result = runCLI(["check", "--diagnostic-style", "json", "--macros", path, "net.dport = 1"])
    #expect(result.status == 1)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stderr.utf8)) as? [[String: Any]])
    #expect(json.compactMap { $0["id"] as? String } == ["macros.nameCollision", "macros.bothBodies"])
    #expect(json.compactMap { $0["line"] as? Int } == [1, 5])
  }

  @Test func warningsInMacroFilesDoNotFailTheCheck() throws {
    let files = try MacroFiles()
    defer { files.remove() }
    let path = try files.write("warn.yml", "- macro: dashed-name\n  list: [1]\n- macro: ok\n  list: [2]\n")
    let result = runCLI(["check", "--macros", path, "net.dport in ok"])
    #expect(result.status == 0)
    #expect(result.stdout == "net.dport in ok\n")
    #expect(result.stderr.contains("\(path):1:10: warning: macro 'dashed-name' cannot be named in a filter"))
  }

  @Test func cyclesAreErrorsAtTheUse() throws {
    let files = try MacroFiles()
    defer { files.remove() }
    let path = try files.write(
      "cycle.yml",
      "- macro: a\n  expr: b or net.dport = 1\n- macro: b\n  expr: a and net.dport = 2\n"
    )
    let result = runCLI(["check", "--macros", path, "net.sport = 1 and a"])
    #expect(result.status == 1)
    #expect(
      result.stderr.hasPrefix("<expr>:1:19: error: macro 'a' refers to itself: a -> b -> a\n"),
      "\(result.stderr)"
    )
  }

  @Test func anUnreadableMacroFileExitsOne() {
    let result = runCLI(["check", "--macros", "/nonexistent/macros.yml", "net.dport = 1"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("error: cannot read macro file '/nonexistent/macros.yml'"))
  }

  @Test func theBinaryLoadsTheExampleMacros() throws {
    let result = try runBinary(["check", "--macros", networkMacros, "dns_to_public_resolver or suspicious_dns_query"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == "dns_to_public_resolver or suspicious_dns_query\n")
  }
}
