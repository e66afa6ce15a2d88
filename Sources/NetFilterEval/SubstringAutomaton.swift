/// Finds which of many ASCII patterns occur in a text in one pass (Aho–Corasick), comparing
/// ASCII letters without case. Patterns are given lowercased; a text is scanned byte by byte.
struct SubstringAutomaton: Sendable {
  /// Byte → column of the transition table (bytes that no pattern uses share column 0).
  private let classes: [UInt8]
  private let columns: Int
  /// `next[state * columns + class]`: the state after reading a byte of that class.
  private let next: [Int32]
  /// Per state: the patterns that end there (by index in the patterns given).
  private let outputs: [[Int]]

  /// An automaton for `patterns` (lowercase ASCII, non-empty).
  init(_ patterns: [[UInt8]]) {
    var classes = [UInt8](repeating: 0, count: 256)
    var columns = 1
    for pattern in patterns {
      for byte in pattern where classes[Int(byte)] == 0 {
        classes[Int(byte)] = UInt8(truncatingIfNeeded: columns)
        columns += 1
      }
    }
    for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { classes[Int(byte)] = classes[Int(byte | 0x20)] }
    var next = [Int32](repeating: -1, count: columns)
    var outputs: [[Int]] = [[]]
    for (index, pattern) in patterns.enumerated() {
      var state = 0
      for byte in pattern {
        let slot = state * columns + Int(classes[Int(byte)])
        if next[slot] < 0 {
          next[slot] = Int32(outputs.count)
          outputs.append([])
          next += [Int32](repeating: -1, count: columns)
        }
        state = Int(next[slot])
      }
      outputs[state].append(index)
    }
    Self.link(&next, &outputs, columns: columns)
    self.classes = classes
    self.columns = columns
    self.next = next
    self.outputs = outputs
  }

  /// Adds the failure links, breadth first, folded into the transitions, and each state's
  /// outputs to those of the states that fail to it.
  private static func link(_ next: inout [Int32], _ outputs: inout [[Int]], columns: Int) {
    var fail = [Int](repeating: 0, count: outputs.count)
    var queue: [Int] = []
    for column in 0..<columns {
      if next[column] < 0 {
        next[column] = 0
      } else {
        queue.append(Int(next[column]))
      }
    }
    var head = 0
    while head < queue.count {
      let state = queue[head]
      head += 1
      outputs[state] += outputs[fail[state]]
      for column in 0..<columns {
        let slot = state * columns + column
        let fallback = next[fail[state] * columns + column]
        if next[slot] < 0 {
          next[slot] = fallback
        } else {
          fail[Int(next[slot])] = Int(fallback)
          queue.append(Int(next[slot]))
        }
      }
    }
  }

  /// Calls `found` with each pattern occurring in `text` (once per occurrence). Returns `false`
  /// without scanning when `text` has a non-ASCII byte: Unicode case rules could then make a
  /// case-insensitive test match where these bytes do not.
  @inline(__always)
  func scan(_ text: String, _ found: (Int) -> Void) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
      for byte in bytes where byte >= 0x80 { return false }
      var state = 0
      for byte in bytes {
        state = Int(next[state &* columns &+ Int(classes[Int(byte)])])
        for pattern in outputs[state] { found(pattern) }
      }
      return true
    }
  }
}
