// libFuzzer entry point over the REPL's pure layer: the command parser, the completer (for the
// text before a cursor) and the status shown while typing.
//
// Oracle: none of them may crash or hang, whatever the bytes; a command error is one line; every
// completion candidate starts with the completion's common prefix, and there are at most
// `Completer.maxCandidates` of them; `status` agrees with `needsContinuation` (an input that needs
// more lines is never reported valid).

import NetFilterREPL

nonisolated(unsafe) let session = Session()
let completer = session.completer

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzREPL(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
  do {
    _ = try CommandParser.parse(text)
  } catch {
    if error.message.contains("\n") { fatalError("a command error spans lines: \(String(reflecting: error.message))") }
  }
  let completion = completer.complete(text)
  if completion.candidates.count > Completer.maxCandidates {
    fatalError("too many candidates for \(String(reflecting: text))")
  }
  let prefix = completion.commonPrefix
  for candidate in completion.candidates where !candidate.text.hasPrefix(prefix) {
    fatalError("candidate \(String(reflecting: candidate.text)) does not start with \(String(reflecting: prefix))")
  }
  _ = completion.rows
  let status = session.status(of: text)
  if session.needsContinuation(text), status == .valid {
    fatalError("an input that needs more lines is reported valid: \(String(reflecting: text))")
  }
  return 0
}
