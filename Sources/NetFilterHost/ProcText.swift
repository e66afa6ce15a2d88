import Foundation

/// Parsers for the text of `/proc` and `/etc` files: pure functions over the bytes, so every rule is tested on
/// fixture text, and the readers that fetch those bytes.
public enum ProcText {
  /// The fields of `/proc/PID/stat` that netfilter uses.
  public struct Stat: Equatable, Sendable {
    /// The command name (field 2, without its parentheses); it may contain spaces and `)`.
    public var name: String
    /// The state letter (field 3): `R`, `S`, `D`, `Z`, …
    public var state: Character
    /// The parent's process id (field 4).
    public var ppid: Int32
    /// When the process started, in clock ticks after boot (field 22).
    public var startTime: UInt64
  }

  /// Parses `/proc/PID/stat`. The command name sits between the first `(` and the LAST `)`, because the name
  /// itself may contain `) ` and spaces; the numbered fields follow the last `)`.
  public static func stat(_ text: String) -> Stat? {
    guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close else { return nil }
    let name = String(text[text.index(after: open)..<close])
    let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
    // fields[0] is field 3 (state), so field N is fields[N - 3].
    guard fields.count > 19, let state = fields[0].first, let ppid = Int32(fields[1]),
      let startTime = UInt64(fields[19].prefix { $0 != "\n" })
    else { return nil }
    return Stat(name: name, state: state, ppid: ppid, startTime: startTime)
  }

  /// The real user and group ids from `/proc/PID/status` (the first number of its `Uid:` and `Gid:` lines).
  public static func ids(status text: String) -> (uid: UInt32, gid: UInt32)? {
    var uid: UInt32?
    var gid: UInt32?
    for line in text.split(separator: "\n") {
      if line.hasPrefix("Uid:") { uid = firstNumber(line.dropFirst(4)) }
      if line.hasPrefix("Gid:") { gid = firstNumber(line.dropFirst(4)) }
      if let uid, let gid { return (uid, gid) }
    }
    return nil
  }

  private static func firstNumber(_ text: Substring) -> UInt32? {
    text.split(whereSeparator: { $0 == "\t" || $0 == " " }).first.flatMap { UInt32($0) }
  }

  /// The cgroup v2 path from `/proc/PID/cgroup`: the path of its `0::` line (`0::/system.slice/x.service` gives
  /// `/system.slice/x.service`); nil when there is no such line (a cgroup v1 only system).
  public static func unifiedCgroupPath(_ text: String) -> String? {
    for line in text.split(separator: "\n") where line.hasPrefix("0::") {
      return String(line.dropFirst(3))
    }
    return nil
  }

  /// The arguments in `/proc/PID/cmdline`: NUL-separated, with the trailing NULs dropped (as `ps` shows them; a
  /// process that rewrote its title without NULs gives one argument). Invalid UTF-8 is repaired, not rejected.
  public static func arguments<Bytes: BidirectionalCollection>(cmdline bytes: Bytes) -> [String]
  where Bytes.Element == UInt8 {
    guard let last = bytes.lastIndex(where: { $0 != 0 }) else { return [] }
    return bytes[...last].split(separator: 0, omittingEmptySubsequences: false).map {
      String(decoding: $0, as: UTF8.self)
    }
  }

  /// The target of a `/proc/PID/exe` link without the ` (deleted)` the kernel appends once the file is gone.
  public static func executable(link: String) -> String {
    let deleted = " (deleted)"
    return link.hasSuffix(deleted) ? String(link.dropLast(deleted.count)) : link
  }

  /// The user names in `/etc/passwd` text, by user id; the first line for an id wins, malformed lines are skipped.
  public static func userNames(passwd text: String) -> [UInt32: String] {
    var names: [UInt32: String] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      let fields = line.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
      guard fields.count == 4, !fields[0].isEmpty, let uid = UInt32(fields[2]), names[uid] == nil else { continue }
      names[uid] = String(fields[0])
    }
    return names
  }

  /// The mount point of the first cgroup2 file system in `/proc/mounts` text (`\040`-style octal escapes decoded).
  public static func cgroup2MountPoint(mounts text: String) -> String? {
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ")
      if fields.count >= 3 && fields[2] == "cgroup2" { return unescapeMountField(fields[1]) }
    }
    return nil
  }

  private static func unescapeMountField(_ field: Substring) -> String {
    guard field.contains("\\") else { return String(field) }
    var bytes: [UInt8] = []
    let utf8 = Array(field.utf8)
    var index = 0
    while index < utf8.count {
      if utf8[index] == UInt8(ascii: "\\"), index + 3 < utf8.count,
        let value = UInt8(String(decoding: utf8[(index + 1)...(index + 3)], as: UTF8.self), radix: 8)
      {
        bytes.append(value)
        index += 4
      } else {
        bytes.append(utf8[index])
        index += 1
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The whole of the file at `path` (a `/proc` file has no size, so it is read to its end); nil when it cannot be
  /// read, e.g. because the process is gone.
  public static func read(_ path: String) -> Data? {
    FileManager.default.contents(atPath: path)
  }

  /// The file at `path` as text (invalid UTF-8 repaired); nil when it cannot be read.
  public static func readText(_ path: String) -> String? {
    read(path).map { String(decoding: $0, as: UTF8.self) }
  }

  /// The target of the symbolic link at `path`; nil when it is not one or cannot be read.
  public static func readLink(_ path: String) -> String? {
    try? FileManager.default.destinationOfSymbolicLink(atPath: path)
  }
}
