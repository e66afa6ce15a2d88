import Foundation
import NetFilterLineEditor

/// Runs a session on a terminal through ``LineEditor``: a prompt (`nf> `, `...> ` when an input
/// continues), the check status on the right as keys are typed, Tab completion, history kept
/// across sessions, the one fix-it of an error pre-filled into the next line.
public struct InteractiveMode {
  /// The history file, or `nil` for none.
  public var historyFile: String?

  /// An interactive runner.
  public init(historyFile: String?) { self.historyFile = historyFile }

  /// The history file from the environment: `$NETFILTER_HISTORY`, else
  /// `$XDG_STATE_HOME/netfilter/history`, else `~/.local/state/netfilter/history` (its directory
  /// is created).
  public static func defaultHistoryFile(_ environment: [String: String]) -> String? {
    if let path = environment["NETFILTER_HISTORY"], !path.isEmpty { return path }
    let state =
      environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? environment["HOME"].map { $0 + "/.local/state" }
    guard let state else { return nil }
    let directory = state + "/netfilter"
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    return directory + "/history"
  }

  /// Reads and answers inputs until Ctrl-D or `:quit`; returns the exit status (0).
  public func run(_ session: Session, out: (String) -> Void, err: (String) -> Void) -> Int32 {
    guard let editor = LineEditor(program: "netfilter", historyFile: historyFile) else {
      err("error: the line editor could not start; pipe input to run in batch mode\n")
      return 1
    }
    session.options.interrupted = { LineEditor.takeInterrupt() }
    defer { session.options.interrupted = nil }
    let unicode = LineEditor.localeIsUTF8
    var pending: [String] = []
    editor.rightPrompt = { line in
      session.liveStatus(of: (pending + [line]).joined(separator: "\n")).text(unicode: unicode)
    }
    editor.completer = { line in
      let completion = session.completer.complete((pending + [line]).joined(separator: "\n"))
      return LineEditor.CompletionResult(
        replacing: completion.word.unicodeScalars.count,
        insertion: completion.insertion,
        rows: completion.candidates.count > 1 ? completion.rows : []
      )
    }
    out("netfilter repl: type a filter, :help for commands, Tab to complete, Ctrl-D to leave\n")
    loop: while true {
      editor.prompt = pending.isEmpty ? "nf> " : "...> "
      switch editor.readLine() {
      case .end:
        if pending.isEmpty { break loop }
        pending = []
      case .interrupted:
        pending = []
      case .line(let line):
        pending.append(line)
        let text = pending.joined(separator: "\n")
        if session.needsContinuation(text) { continue }
        let lines = pending.count
        pending = []
        // One history entry, on one line (a string literal spanning lines keeps its breaks
        // only in this evaluation).
        editor.remember(lines > 1 ? text.replacingOccurrences(of: "\n", with: " ") : text)
        let reply = session.handle(text)
        if !reply.output.isEmpty { out(reply.output) }
        if !reply.errors.isEmpty { err(reply.errors) }
        if reply.quit { break loop }
        if let correction = reply.correction {
          out("(the corrected filter is in the line below: Enter to run it)\n")
          editor.prefill(correction)
        }
      }
    }
    editor.saveHistory()
    return 0
  }
}
