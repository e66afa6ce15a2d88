import CEditLine
import CEditLineShim

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A line editor on libedit: prompts (and a right-hand prompt recomputed as keys are typed),
/// history kept in a file, Tab completion through a callback, a pre-filled next line, and SIGINT
/// turned into "discard this line". Emacs keys by default; `~/.editrc` (or `$EDITRC`) may choose vi.
///
/// Only use it when standard input and output are terminals.
public final class LineEditor {
  /// What ``readLine()`` got.
  public enum Input: Sendable, Equatable {
    /// A line, without its newline.
    case line(String)
    /// Ctrl-C: the line was discarded.
    case interrupted
    /// Ctrl-D on an empty line, or the end of input.
    case end
  }

  /// What Tab does with the text before the cursor.
  public struct CompletionResult: Sendable {
    /// How many characters (Unicode scalars) before the cursor to replace.
    public var replacing: Int
    /// What to put there, if anything.
    public var insertion: String?
    /// Candidates to list under the line when there is more than one.
    public var rows: [String]

    /// Creates a result.
    public init(replacing: Int, insertion: String?, rows: [String]) {
      self.replacing = replacing
      self.insertion = insertion
      self.rows = rows
    }
  }

  /// The prompt.
  public var prompt = "> "
  /// The right-hand prompt for the text typed so far.
  public var rightPrompt: ((String) -> String)?
  /// Completion of the text before the cursor.
  public var completer: ((String) -> CompletionResult)?

  private let editLine: OpaquePointer
  private let history: OpaquePointer?
  private let historyFile: String?
  private var promptStorage: UnsafeMutablePointer<CChar>?
  private var rightStorage: UnsafeMutablePointer<CChar>?

  /// Whether the locale's character set is UTF-8 (after the editor set the locale from the
  /// environment); prompts should stay ASCII otherwise.
  public static var localeIsUTF8: Bool {
    _ = setlocale(LC_CTYPE, "")
    guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
    let name = String(cString: codeset).uppercased()
    return name == "UTF-8" || name == "UTF8"
  }

  /// An editor for `program` (the name `~/.editrc` lines may start with), remembering at most
  /// `historySize` lines in `historyFile`; `nil` when libedit cannot start.
  public init?(program: String, historyFile: String?, historySize: Int = 1000) {
    _ = setlocale(LC_CTYPE, "")
    guard let editLine = nf_el_init(program) else { return nil }
    self.editLine = editLine
    self.historyFile = historyFile
    history = nf_history_init(Int32(historySize))
    if let history {
      if let historyFile { _ = nf_history_load(history, historyFile) }
      _ = nf_el_set_history(editLine, history)
    }
    _ = nf_el_set_editor(editLine, "emacs")
    _ = nf_el_set_signal(editLine, 1)
    _ = nf_el_set_clientdata(editLine, Unmanaged.passUnretained(self).toOpaque())
    _ = nf_el_set_prompt(editLine, { e in LineEditor.owner(e)?.promptText() })
    _ = nf_el_set_rprompt(editLine, { e in LineEditor.owner(e)?.rightPromptText() })
    // `~/.editrc` (or `$EDITRC`) first: it may choose vi, whose key maps are other than emacs's.
    _ = el_source(editLine, nil)
    bindKeys(vi: nf_el_is_vi(editLine) != 0)
    _ = nf_sigint_install()
  }

  deinit {
    nf_sigint_restore()
    el_end(editLine)
    if let history { history_end(history) }
    free(promptStorage)
    free(rightStorage)
  }

  /// Reads one line. Ctrl-C discards what was typed and returns ``Input/interrupted``.
  public func readLine() -> Input {
    _ = nf_sigint_take()
    var count: Int32 = 0
    errno = 0
    guard let bytes = el_gets(editLine, &count), count >= 0 else {
      // Consume the flag unconditionally, so that a later Ctrl-D is not taken for Ctrl-C; a
      // NULL with count 0 is the end of input, with -1 and EINTR an interrupted read.
      let interrupted = nf_sigint_take() != 0
      if interrupted || (count == -1 && errno == EINTR) {
        el_reset(editLine)
        write(1, "^C\n", 3)
        return .interrupted
      }
      return .end
    }
    _ = nf_sigint_take()
    var line = String(cString: bytes)
    if line.hasSuffix("\n") { line.removeLast() }
    return .line(line)
  }

  /// Puts `text` in the next line's buffer, ready to edit (a suggested correction).
  public func prefill(_ text: String) {
    el_push(editLine, text)
  }

  /// Adds `entry` to the history (consecutive duplicates are kept once).
  public func remember(_ entry: String) {
    guard let history, !entry.isEmpty else { return }
    _ = nf_history_enter(history, entry)
  }

  /// Writes the history file; whether it could.
  @discardableResult
  public func saveHistory() -> Bool {
    guard let history, let historyFile else { return false }
    return nf_history_save(history, historyFile) >= 0
  }

  /// Whether a SIGINT arrived since the last read (for stopping work between lines).
  public static func takeInterrupt() -> Bool { nf_sigint_take() != 0 }

  // MARK: Callbacks

  private static func owner(_ editLine: OpaquePointer?) -> LineEditor? {
    guard let editLine, let data = nf_el_clientdata(editLine) else { return nil }
    return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
  }

  private func promptText() -> UnsafeMutablePointer<CChar>? {
    free(promptStorage)
    promptStorage = strdup(prompt)
    return promptStorage
  }

  private func rightPromptText() -> UnsafeMutablePointer<CChar>? {
    free(rightStorage)
    rightStorage = strdup(rightPrompt?(currentLine(toCursor: false)) ?? "")
    return rightStorage
  }

  /// The buffer's text, to the cursor or whole.
  private func currentLine(toCursor: Bool) -> String {
    guard let info = el_line(editLine)?.pointee, let start = info.buffer else { return "" }
    let end = toCursor ? info.cursor : info.lastchar
    guard let end else { return "" }
    let count = max(0, end - start)
    return start.withMemoryRebound(to: UInt8.self, capacity: count) { bytes in
      String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
  }

  /// Tab completes; in emacs mode Ctrl-R searches and the printable keys recheck the line.
  private func bindKeys(vi: Bool) {
    _ = nf_el_addfn(editLine, "nf-complete", "complete the word", { e, _ in LineEditor.owner(e)?.complete() ?? 6 })
    _ = nf_el_bind(editLine, "^I", "nf-complete")
    guard !vi else { return }
    // Incremental search reads keys through the key map, which the per-key recheck below takes
    // over; so Ctrl-R searches back for an entry that contains what is typed (again: older).
    _ = nf_el_bind(editLine, "^R", "ed-search-prev-history")
    _ = nf_el_addfn(editLine, "nf-typed", "insert and recheck", { e, key in LineEditor.owner(e)?.typed(key) ?? 6 })
    _ = nf_el_addfn(editLine, "nf-rubout", "delete back and recheck", { e, _ in LineEditor.owner(e)?.rubout() ?? 6 })
    // Re-checking as each key is typed: the printable ASCII keys (other keys insert as usual).
    let keys = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.()'=,_*<>!~&|[]$/:+ "
    for key in keys { _ = nf_el_bind(editLine, String(key), "nf-typed") }
    _ = nf_el_bind(editLine, "^?", "nf-rubout")
    _ = nf_el_bind(editLine, "^H", "nf-rubout")
  }

  private func typed(_ key: Int32) -> UInt8 {
    guard key > 0, key < 128, let scalar = Unicode.Scalar(UInt32(key)) else { return UInt8(CC_ERROR) }
    _ = el_insertstr(editLine, String(Character(scalar)))
    return UInt8(CC_REDISPLAY)
  }

  private func rubout() -> UInt8 {
    guard let info = el_line(editLine)?.pointee, let cursor = info.cursor, let buffer = info.buffer, cursor > buffer
    else { return UInt8(CC_ERROR) }
    el_deletestr(editLine, 1)
    return UInt8(CC_REDISPLAY)
  }

  private func complete() -> UInt8 {
    guard let completer else { return UInt8(CC_ERROR) }
    let result = completer(currentLine(toCursor: true))
    if let insertion = result.insertion {
      if result.replacing > 0 { el_deletestr(editLine, Int32(result.replacing)) }
      _ = el_insertstr(editLine, insertion)
      if result.rows.count <= 1 { return UInt8(CC_REFRESH) }
    }
    guard result.rows.count > 1 else { return UInt8(result.insertion == nil ? CC_REFRESH_BEEP : CC_REFRESH) }
    let listing = "\n" + result.rows.joined(separator: "\n") + "\n"
    _ = listing.utf8CString.withUnsafeBufferPointer { write(1, $0.baseAddress, $0.count - 1) }
    return UInt8(CC_REDISPLAY)
  }
}
