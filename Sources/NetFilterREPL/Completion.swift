/// What the completer offers for the text before the cursor.
public struct Completion: Sendable, Equatable {
  /// One thing the word may become.
  public struct Candidate: Sendable, Equatable {
    /// The text that replaces the word.
    public var text: String
    /// What it is: a field's type and `[k]` when the kernel sees it, a function's signature, a
    /// value's count in the sample.
    public var detail: String
    /// Whether a space follows when it is the only candidate (not after a path prefix or `(`).
    public var appendsSpace: Bool

    /// Creates a candidate.
    public init(_ text: String, _ detail: String = "", appendsSpace: Bool = true) {
      self.text = text
      self.detail = detail
      self.appendsSpace = appendsSpace
    }
  }

  /// The word being completed: the end of the text before the cursor.
  public var word: String
  /// The candidates, in the order shown.
  public var candidates: [Candidate]

  /// Creates a completion.
  public init(word: String, candidates: [Candidate]) {
    self.word = word
    self.candidates = candidates
  }

  /// The longest text every candidate starts with (at least the word when all extend it).
  public var commonPrefix: String {
    guard var prefix = candidates.first?.text else { return word }
    for candidate in candidates.dropFirst() {
      while !candidate.text.hasPrefix(prefix) { prefix.removeLast() }
    }
    return prefix
  }

  /// What to insert in place of ``word``: the one candidate (and a space), or the common prefix
  /// of all; `nil` when that adds nothing.
  public var insertion: String? {
    if candidates.count == 1, let only = candidates.first { return only.text + (only.appendsSpace ? " " : "") }
    let prefix = commonPrefix
    return prefix.count > word.count && prefix.hasPrefix(word) ? prefix : nil
  }

  /// The candidates as rows, `text  detail`, aligned (for listing under the prompt).
  public var rows: [String] {
    let width = min(48, candidates.map(\.text.count).max() ?? 0)
    return candidates.map { candidate in
      guard !candidate.detail.isEmpty else { return candidate.text }
      let pad = String(repeating: " ", count: max(1, width - candidate.text.count + 2))
      return candidate.text + pad + candidate.detail
    }
  }
}
