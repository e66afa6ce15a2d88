/// The emoji that stand for positions in test sources, swift-syntax style: `"net.dport =1️⃣"`.
///
/// `ℹ️` marks where a note points.
public let locationMarkers = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟", "ℹ️"]

/// Removes the location markers from `text` and returns the UTF-8 offset at which each stood,
/// together with the text without them.
///
/// Markers are matched on UTF-8 bytes, so a marker right after a digit (`11️⃣`) is still found.
/// A marker that appears twice is a mistake in the test; the first occurrence wins.
public func extractMarkers(_ text: String) -> (markers: [String: Int], text: String) {
  let bytes = Array(text.utf8)
  let patterns = locationMarkers.map { ($0, Array($0.utf8)) }
  var markers: [String: Int] = [:]
  var output: [UInt8] = []
  output.reserveCapacity(bytes.count)
  var index = 0
  outer: while index < bytes.count {
    for (name, pattern) in patterns where bytes[index] == pattern[0] {
      if index + pattern.count <= bytes.count, Array(bytes[index..<(index + pattern.count)]) == pattern {
        if markers[name] == nil { markers[name] = output.count }
        index += pattern.count
        continue outer
      }
    }
    output.append(bytes[index])
    index += 1
  }
  return (markers, String(decoding: output, as: UTF8.self))
}
