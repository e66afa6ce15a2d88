// libFuzzer entry point over the packet event (FuzzDecoders fuzzes the decoders alone).
//
// The first byte picks the link type, the rest is the captured packet: PacketEvent decodes it
// (headers, then DNS or HTTP), every field of the schema is read through `lookup`, and the event
// is written as Tracee JSON, as itself and as each kind it is (`--events`).
//
// Oracle: no crash, trap or hang, whatever the bytes; decoding the payload later or at once gives
// the same event, and the in-place payload check (headers-only replay counts malformed packets
// with it) agrees with the decoded message; the JSON written directly equals the JSON of the
// argument tree, parses, and has as many arguments as its argsNum says.

import Foundation
import NetFilterDecoders
import NetFilterEval
import NetFilterJSON
import NetFilterPackets
import NetFilterSema
import NetFilterSyntax

/// The link types the first byte chooses from (`DLT_*`).
private let linkTypes: [Int32] = [1, 113, 276, 0, 108, 12, 101, 228, 229]

/// Every field of the schema, without and with an argument where it takes one (HTTP headers …).
private let bindings: [FieldBinding] = Schema.network.fieldNames.flatMap { name -> [FieldBinding] in
  guard let descriptor = Schema.network.field(named: name) else { return [] }
  guard let spec = descriptor.argument else { return [FieldBinding(descriptor)] }
  let withArgument = FieldBinding(descriptor, argument: spec.numeric ? "0" : "Location")
  return spec.required ? [withArgument] : [FieldBinding(descriptor), withArgument]
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPackets(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  guard count > 0 else { return 0 }
  let input = Array(UnsafeBufferPointer(start: start, count: count))
  let linkType = linkTypes[Int(input[0]) % linkTypes.count]
  let bytes = Array(input.dropFirst())

  // Headers only, then the application layer on demand (the replay path), then both at once.
  let shallow = PacketEvent(
    bytes: bytes,
    record: (timestamp: 1, originalLength: bytes.count),
    linkType: linkType,
    decodeApplication: false
  )
  let event = shallow.decodingApplication()
  let direct = PacketEvent(
    bytes: bytes,
    record: (timestamp: 1, originalLength: bytes.count),
    linkType: linkType,
    decodeApplication: true
  )
  guard event.kind == direct.kind, event.isMalformed == direct.isMalformed else {
    fatalError("decoding the application later differs from decoding it at once\n  input: \(input)")
  }
  // The in-place check of a payload the filter does not read agrees with the decoded message.
  guard shallow.isApplicationMalformed == (direct.application?.isMalformed ?? false) else {
    fatalError("the payload check disagrees with the decoded message\n  input: \(input)")
  }
  exercise(event, input)
  for kind in event.kind.kinds where kind.hasPrefix("net_packet_") {
    exercise(event.viewed(as: kind), input)
  }

  return 0
}

private func exercise(_ event: PacketEvent, _ input: [UInt8]) {
  for binding in bindings { _ = event.lookup(binding) }
  _ = (event.name, event.kind.kinds, event.isMalformed)
  let text = String(decoding: event.traceeJSONText(hostName: "fuzz"), as: UTF8.self)
  let tree = event.traceeJSON(hostName: "fuzz")
  guard text == tree.serialized else {
    fatalError(
      "the JSON written directly is not the tree's\n  text: \(text)\n  tree: \(tree.serialized)\n  input: \(input)"
    )
  }
  guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
    fatalError("the event's JSON does not parse\n  text: \(text)\n  input: \(input)")
  }
  let arguments = object["args"] as? [Any] ?? []
  guard object["argsNum"] as? Int == arguments.count else {
    fatalError("argsNum is not the number of arguments\n  text: \(text)\n  input: \(input)")
  }
}
