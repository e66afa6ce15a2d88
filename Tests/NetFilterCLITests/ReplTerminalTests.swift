import Foundation
import Testing

/// `netfilter repl` on a pseudo-terminal (tmux), asserted on the screen's contents.
@Suite(.serialized) struct ReplTerminalTests {
  let history = FileManager.default.temporaryDirectory.appendingPathComponent("nf-history-\(UUID().uuidString)").path

  func start(locale: String = "C.UTF-8", sample: Bool = true, editrc: String = "/dev/null") throws -> TerminalSession {
    let arguments = sample ? " --pcap '\(ReplCLITests.capture)'" : ""
    let session = try TerminalSession(
      "'\(TerminalSession.executable())' repl\(arguments)",
      environment: [
        "NETFILTER_HISTORY": history, "EDITRC": editrc, "LANG": locale, "LC_ALL": locale, "TERM": "xterm",
      ]
    )
    try session.waitForPrompt()
    return session
  }

  @Test func tabCompletesFieldsWithTypes() throws {
    let terminal = try start()
    try terminal.type("net.d")
    try terminal.press("Tab")
    let listing = try terminal.wait(for: "net.dport       uint16 [k]")
    #expect(listing.contains("net.direction   string [k]"))
    #expect(listing.contains("net.dip.names   list of string"))
    try terminal.type("po")
    try terminal.press("Tab")
    try terminal.wait(for: "nf> net.dport")
    try terminal.type(" = 5")
    try terminal.press("Tab")
    try terminal.wait(for: "the port values seen in the sample") { screen in
      screen.split(separator: "\n").contains { $0.hasPrefix("53 ") && $0.hasSuffix("12× in the sample") }
    }
    try terminal.type("3")
    try terminal.press("Enter")
    try terminal.wait(for: "12 of 64 events match")
  }

  @Test func rightPromptChecksWhileTyping() throws {
    let terminal = try start()
    try terminal.type("net.dprot")
    try terminal.wait(for: "✗ sema.unknownField")
    try terminal.press("C-u")
    try terminal.type("net.dport = 53")
    try terminal.wait(for: "the right prompt's ✓") { screen in
      screen.split(separator: "\n").contains { $0.hasPrefix("nf> net.dport = 53") && $0.hasSuffix("✓ 12/64") }
    }
  }

  @Test func historyIsKeptAcrossSessions() throws {
    defer { try? FileManager.default.removeItem(atPath: history) }
    do {
      let first = try start(sample: false)
      try first.type("net.dport = 853")
      try first.press("Enter")
      try first.wait(for: "(valid;")
      try first.press("C-d")
      try first.wait(for: "EXIT=0")
    }
    #expect(FileManager.default.fileExists(atPath: history))
    let second = try start(sample: false)
    try second.press("Up")
    try second.wait(for: "nf> net.dport = 853")
  }

  @Test func editrcChoosesViKeys() throws {
    let editrc = FileManager.default.temporaryDirectory.appendingPathComponent("editrc-\(UUID().uuidString)").path
    try "netfilter:bind -v\n".write(toFile: editrc, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: editrc) }
    let terminal = try start(editrc: editrc)
    try terminal.type("net.dp")
    try terminal.press("Tab")
    try terminal.wait(for: "net.dport.name  string")
    try terminal.type(" = 53x")
    try terminal.press("Escape")
    try terminal.type("x")  // vi: delete the character under the cursor
    try terminal.wait(for: "the x deleted in vi's command mode") { screen in
      screen.split(separator: "\n").last?.hasPrefix("nf> net.dport = 53") == true
        && screen.split(separator: "\n").last?.contains("53x") == false
    }
    try terminal.press("Enter")
    try terminal.wait(for: "12 of 64 events match")
  }

  @Test func aContinuedInputIsOneHistoryEntry() throws {
    let terminal = try start()
    try terminal.type("net.dport in (53,")
    try terminal.press("Enter")
    try terminal.wait(for: "...>")
    try terminal.type("853)")
    try terminal.press("Enter")
    try terminal.wait(for: "12 of 64 events match")
    try terminal.press("Up")
    try terminal.wait(for: "nf> net.dport in (53, 853)")
  }

  @Test func ctrlRSearchesTheHistory() throws {
    defer { try? FileManager.default.removeItem(atPath: history) }
    let terminal = try start()
    for line in ["net.dport = 18080", "net.l4.proto = 'ICMP'"] {
      try terminal.type(line)
      try terminal.press("Enter")
    }
    try terminal.wait(for: "4 of 64 events match")
    try terminal.type("1808")
    try terminal.press("C-r")
    try terminal.wait(for: "nf> net.dport = 18080")
    try terminal.press("Enter")
    try terminal.wait(for: "19 of 64 events match")
  }

  @Test func ctrlCDiscardsTheLineAndCtrlDLeaves() throws {
    let terminal = try start()
    try terminal.type("net.dip = 10.1.2.3")
    try terminal.wait(for: "nf> net.dip = 10.1.2.3")
    try terminal.press("C-c")
    try terminal.wait(for: "^C")
    try terminal.waitForPrompt()
    try terminal.type("net.dport = 53")
    try terminal.press("Enter")
    let screen = try terminal.wait(for: "12 of 64 events match")
    #expect(!screen.contains("net.dip = 10.1.2.3net.dport"))
    try terminal.press("C-d")
    try terminal.wait(for: "EXIT=0")
  }

  @Test func utf8BackspaceRemovesOneCharacter() throws {
    let terminal = try start()
    try terminal.type("ps.name = 'é")
    try terminal.press("BSpace")
    try terminal.type("x'")
    try terminal.wait(for: "nf> ps.name = 'x'")
    try terminal.press("Enter")
    try terminal.wait(for: "0 of 64 events match")
  }

  @Test func nonASCIIInputDoesNotCrashInTheCLocale() throws {
    let terminal = try start(locale: "C")
    try terminal.type("ps.name = 'é'")
    try terminal.press("Enter")
    try terminal.type("net.dport = 53")
    try terminal.press("Enter")
    try terminal.wait(for: "12 of 64 events match")
    try terminal.press("C-d")
    try terminal.wait(for: "EXIT=0")
  }

  @Test func theOneFixItIsPrefilled() throws {
    let terminal = try start()
    try terminal.type("net.dprot = 53")
    try terminal.press("Enter")
    try terminal.wait(for: "did you mean 'net.dport'?")
    try terminal.wait(for: "the corrected line") { screen in
      screen.split(separator: "\n").last?.hasPrefix("nf> net.dport = 53") == true
    }
    try terminal.press("Enter")
    try terminal.wait(for: "12 of 64 events match")
  }
}
