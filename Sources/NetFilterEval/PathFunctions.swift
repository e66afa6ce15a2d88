import Foundation

/// String and path helpers behind the function table, with Go's semantics where Fibratus
/// inherits them (byte offsets for `indexof` and `substr`, `filepath.Base`/`Dir`/`Ext`).
enum PathFunctions {
  static func split(_ text: String, _ separator: String) -> [String] {
    guard !separator.isEmpty else { return text.map { String($0) } }
    return text.components(separatedBy: separator)
  }

  static func trimPrefix(_ text: String, _ prefix: String) -> String {
    text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
  }

  static func trimSuffix(_ text: String, _ suffix: String) -> String {
    text.hasSuffix(suffix) ? String(text.dropLast(suffix.count)) : text
  }

  static func replaceAll(_ text: String, _ old: String, _ new: String) -> String {
    old.isEmpty ? text : text.replacingOccurrences(of: old, with: new)
  }

  /// Bytes `start..<end` of `text`; out-of-range offsets give the text unchanged.
  static func substring(_ text: String, _ start: Int, end: Int?) -> String {
    let bytes = Array(text.utf8)
    let stop = end ?? bytes.count
    guard start >= 0, start <= stop, stop <= bytes.count else { return text }
    return String(decoding: bytes[start..<stop], as: UTF8.self)
  }

  /// The byte offset of `needle` in `text` (`first`, `last`), or of any of its characters
  /// (`any`, `lastany`); -1 if absent.
  static func index(of needle: String, in text: String, order: String) -> Int {
    let bytes = Array(text.utf8)
    let pattern = Array(needle.utf8)
    switch order {
    case "any", "lastany":
      let set = Set(needle.unicodeScalars)
      var offset = 0
      var found = -1
      for scalar in text.unicodeScalars {
        if set.contains(scalar) {
          found = offset
          if order == "any" { return found }
        }
        offset += String(scalar).utf8.count
      }
      return found
    default:
      guard pattern.count <= bytes.count else { return -1 }
      let starts = Array(0...(bytes.count - pattern.count))
      let candidates = order == "last" ? starts.reversed() : starts
      return candidates.first { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) } ?? -1
    }
  }

  /// Fibratus's entropy: ceil(Shannon entropy in bits per byte) times the length in bytes.
  static func entropy(_ text: String) -> Int {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty else { return 0 }
    var counts = [Int](repeating: 0, count: 256)
    for byte in bytes { counts[Int(byte)] += 1 }
    let total = Double(bytes.count)
    let bits = counts.filter { $0 > 0 }.reduce(0.0) { sum, count in
      let p = Double(count) / total
      return sum - p * log2(p)
    }
    return Int(bits.rounded(.up)) * bytes.count
  }

  static func base(_ path: String, keepExtension: Bool) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    if trimmed.isEmpty { return "." }
    if trimmed == "/" { return "/" }
    let last = trimmed.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? ""
    return keepExtension ? last : String(last.dropLast(ext(last, dot: true).count))
  }

  static func dir(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let head = path[..<slash]
    if head.isEmpty { return "/" }
    return clean(String(head))
  }

  static func ext(_ path: String, dot: Bool) -> String {
    let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
    guard let index = name.lastIndex(of: ".") else { return "" }
    return String(name[(dot ? index : name.index(after: index))...])
  }

  private static func clean(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/") where part != "." {
      if part == "..", let last = parts.last, last != ".." { parts.removeLast() } else { parts.append(part) }
    }
    let joined = parts.joined(separator: "/")
    return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
  }
}

/// `glob()`: files whose paths match a glob, one path component at a time.
///
/// The filesystem is read once, when the filter is planned, never per event, and within bounds:
/// at most `maxResults` paths, `maxEntries` directory entries looked at and `timeLimit` of time;
/// past a bound the paths found so far are the result. Only directories any user may list are
/// read (readable and searchable by others, under directories searchable by others), so a filter
/// run as root cannot probe what only root can see.
enum FileGlob {
  /// The bounds of one walk.
  struct Bounds: Sendable {
    var maxResults = 10_000
    var maxEntries = 100_000
    var timeLimit: Duration = .milliseconds(100)
  }

  static func paths(matching pattern: String, bounds: Bounds = Bounds()) -> [String] {
    let absolute = pattern.hasPrefix("/")
    let deadline = ContinuousClock.now + bounds.timeLimit
    var budget = bounds.maxEntries
    var results = [absolute ? "/" : "."]
    for component in pattern.split(separator: "/") {
      let glob = Glob(.init(String(component)), caseInsensitive: false)
      var next: [String] = []
      for directory in results where next.count < bounds.maxResults && budget > 0 && ContinuousClock.now < deadline {
        guard isPublicDirectory(directory) else { continue }
        var entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        entries = Array(entries.prefix(budget))
        budget -= entries.count
        for entry in entries.sorted() where glob.matches(entry) && next.count < bounds.maxResults {
          next.append(
            directory == "." && !absolute
              ? entry : (directory.hasSuffix("/") ? directory + entry : directory + "/" + entry)
          )
        }
      }
      results = next
    }
    return results
  }

  /// Whether any user may list `path`: it is a directory readable and searchable by others, and
  /// every directory above its real path is searchable by others.
  static func isPublicDirectory(_ path: String) -> Bool {
    let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    guard othersMay(read: true, real) else { return false }
    var ancestor = (real as NSString).deletingLastPathComponent
    while ancestor != "/" && !ancestor.isEmpty {
      guard othersMay(read: false, ancestor) else { return false }
      ancestor = (ancestor as NSString).deletingLastPathComponent
    }
    return othersMay(read: false, "/")
  }

  /// Whether `path` is a directory others may search (and, with `read`, also list).
  private static func othersMay(read: Bool, _ path: String) -> Bool {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
      attributes[.type] as? FileAttributeType == .typeDirectory,
      let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
    else { return false }
    return mode & 0o001 != 0 && (!read || mode & 0o004 != 0)
  }
}
