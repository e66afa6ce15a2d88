import Foundation
import Testing

/// A program running in a tmux pane of a fixed size, on a tmux server of its own: keys are sent
/// to it and the screen is read back as text (what a user sees, including the right prompt).
final class TerminalSession {
  let socket: String
  let pane: String

  /// Starts `command` (run by `sh -c`) in a 100×30 pane. When the command ends the pane shows
  /// `EXIT=<status>` and stays for a few seconds so that tests can read it.
  init(_ command: String, environment: [String: String] = [:]) throws {
    socket = "nf-repl-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    pane = socket + ":0"
    let assignments = environment.map { "\($0.key)='\($0.value)'" }.sorted().joined(separator: " ")
    let script = "env \(assignments) \(command); echo EXIT=$?; sleep 10"
    // The server tmux starts keeps the client's descriptors: give it none to hold open.
    let status = try Self.tmux(
      ["-L", socket, "new-session", "-d", "-s", socket, "-x", "100", "-y", "30", script],
      capture: false
    )
    try #require(status.status == 0, "tmux could not start (is tmux installed?)")
    server = pid_t(try Self.tmux(["-L", socket, "display-message", "-p", "#{pid}"]).output.trimmingWhitespace) ?? 0
  }

  /// The tmux server's process id.
  private var server: pid_t = 0

  deinit {
    _ = try? Self.tmux(["-L", socket, "kill-server"], capture: false)
    if server > 0, kill(server, 0) == 0 { kill(server, SIGKILL) }
  }

  /// Types `text` literally.
  func type(_ text: String) throws { _ = try Self.tmux(["-L", socket, "send-keys", "-t", pane, "-l", text]) }

  /// Presses keys by tmux name (`Tab`, `Enter`, `C-c`, `C-d`, `BSpace`, `Up`).
  func press(_ keys: String...) throws { _ = try Self.tmux(["-L", socket, "send-keys", "-t", pane] + keys) }

  /// The screen's text.
  func screen() throws -> String { try Self.tmux(["-L", socket, "capture-pane", "-p", "-t", pane]).output }

  /// Waits until the screen satisfies `condition` (at most `seconds`); the last screen.
  @discardableResult
  func wait(
    for what: String,
    seconds: Double = 10,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: (String) -> Bool
  ) throws -> String {
    let deadline = Date().addingTimeInterval(seconds)
    var text = try screen()
    while !condition(text) {
      if Date() > deadline {
        Issue.record("timed out waiting for \(what); the screen:\n\(text)", sourceLocation: sourceLocation)
        return text
      }
      Thread.sleep(forTimeInterval: 0.05)
      text = try screen()
    }
    return text
  }

  /// Waits for the prompt (tmux drops the trailing space of a line).
  func waitForPrompt(sourceLocation: SourceLocation = #_sourceLocation) throws {
    try wait(for: "a prompt", sourceLocation: sourceLocation) { screen in
      screen.split(separator: "\n").last.map { $0.trimmingWhitespace == "nf>" } ?? false
    }
  }

  /// Waits until the screen contains `text`.
  @discardableResult
  func wait(for text: String, seconds: Double = 10, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> String
  {
    try wait(for: "'\(text)'", seconds: seconds, sourceLocation: sourceLocation) { $0.contains(text) }
  }

  /// The last non-empty line of the screen.
  func lastLine() throws -> String {
    try screen().split(separator: "\n").last.map(String.init) ?? ""
  }

  /// Runs tmux through `sh`, its output in a file, and waits for it with `waitpid`. (Foundation's
  /// `Process` is not used: a tmux client that starts a server may then never be seen to exit, and
  /// a server started meanwhile may inherit another call's pipe and keep it open.)
  private static func tmux(_ arguments: [String], capture: Bool = true) throws -> (status: Int32, output: String) {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let target = capture ? "'\(path)'" : "/dev/null"
    let command = "exec /usr/bin/tmux \(quoted.joined(separator: " ")) </dev/null >\(target) 2>&1"
    var pid: pid_t = 0
    let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
    defer { argv.forEach { free($0) } }
    // Start from a clean signal state (the test runner's threads may block some signals, and a
    // mask is inherited across exec): what a shell on a terminal gives a program.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGINT)
    sigaddset(&defaults, SIGQUIT)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let spawned = posix_spawn(&pid, "/bin/sh", nil, &attributes, argv, environ)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exit = (status >> 8) & 0xFF
    let data = capture ? FileManager.default.contents(atPath: path) ?? Data() : Data()
    return (exit, String(decoding: data, as: UTF8.self))
  }

  /// The path of a built executable of the package, next to the test bundle.
  static func executable(_ name: String = "netfilter") -> String {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), directory.path != "/" {
      directory.deleteLastPathComponent()
    }
    return directory.appendingPathComponent(name).path
  }
}

extension StringProtocol {
  var trimmingWhitespace: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
