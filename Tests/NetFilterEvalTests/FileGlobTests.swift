import Foundation
import NetFilterSema
import Testing

@testable import NetFilterEval

/// `glob()` reads the filesystem once per filter, within bounds, and only what anyone may list.
@Suite(.serialized) struct FileGlobTests {
  /// A fresh directory (mode 0755) under the temporary directory, removed after `body`.
  private func withDirectory(_ body: (String) throws -> Void) throws {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("glob-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: base)
    defer { try? FileManager.default.removeItem(atPath: base) }
    try body(base)
  }

  private func make(_ path: String, mode: Int) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
  }

  private func touch(_ path: String) { FileManager.default.createFile(atPath: path, contents: Data()) }

  /// The default bounds with time to spare: the default 100 ms can pass while a loaded machine
  /// runs other tests, and these tests are not about time.
  private var patient: FileGlob.Bounds {
    var bounds = FileGlob.Bounds()
    bounds.timeLimit = .seconds(30)
    return bounds
  }

  @Test func onlyDirectoriesAnyoneMayListAreRead() throws {
    try withDirectory { base in
      try make(base + "/public", mode: 0o755)
      try make(base + "/private", mode: 0o700)
      try make(base + "/hidden", mode: 0o711)
      touch(base + "/public/a")
      touch(base + "/private/secret")
      touch(base + "/hidden/b")
      #expect(FileGlob.paths(matching: base + "/*/*", bounds: patient) == [base + "/public/a"])
      // Nor through a symbolic link into the private directory.
      try FileManager.default.createSymbolicLink(atPath: base + "/public/link", withDestinationPath: base + "/private")
      #expect(FileGlob.paths(matching: base + "/public/link/*", bounds: patient).isEmpty)
    }
  }

  @Test func theWalkIsBounded() throws {
    try withDirectory { base in
      for index in 0..<50 { touch(base + "/f\(index)") }
      #expect(FileGlob.paths(matching: base + "/*", bounds: patient).count == 50)
      var bounds = patient
      // Every directory read on the way (`/`, the temporary directory) counts toward the entries.
      bounds.maxEntries = 10
      #expect(FileGlob.paths(matching: base + "/*", bounds: bounds).count <= 10)
      bounds = patient
      bounds.maxResults = 7
      #expect(FileGlob.paths(matching: base + "/*", bounds: bounds).count == 7)
      bounds = FileGlob.Bounds()
      bounds.timeLimit = .zero
      #expect(FileGlob.paths(matching: base + "/*", bounds: bounds).isEmpty)
    }
  }

  /// The planned call reads the directory when planned, not on every event.
  @Test func globIsReadOncePerPlannedFilter() throws {
    struct NoEvent: Event {
      func value(of key: FieldKey) -> FieldValue { .missing }
    }
    try withDirectory { base in
      touch(base + "/first")
      let reader: Reader<NoEvent> = Functions.plan(.glob, [], [.value(.string(base + "/*"))])
      touch(base + "/second")
      #expect(reader(NoEvent()) == .strings([base + "/first"]))
      #expect(reader(NoEvent()) == .strings([base + "/first"]))
    }
  }
}
