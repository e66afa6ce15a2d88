/// IP protocol numbers as gopacket (and so Tracee) spells them.
package enum IPProtocolNames {
  package static func name(_ number: UInt8) -> String {
    switch number {
    case 0: "IPv6HopByHop"
    case 1: "ICMPv4"
    case 2: "IGMP"
    case 4: "IPv4"
    case 6: "TCP"
    case 17: "UDP"
    case 41: "IPv6"
    case 43: "IPv6Routing"
    case 44: "IPv6Fragment"
    case 47: "GRE"
    case 50: "ESP"
    case 51: "AH"
    case 58: "ICMPv6"
    case 59: "NoNextHeader"
    case 60: "IPv6Destination"
    case 132: "SCTP"
    case 136: "UDPLite"
    default: "IPProtocol(\(number))"
    }
  }
}

/// ICMP type/code pairs as gopacket prints them: `EchoRequest`, `DestinationUnreachable(Port)`.
package enum ICMPNames {
  package static func typeCode(_ type: UInt8, _ code: UInt8, v6: Bool) -> String {
    v6 ? v6Name(type, code) : v4Name(type, code)
  }

  private static func v4Name(_ type: UInt8, _ code: UInt8) -> String {
    let unreachable = [
      "Net", "Host", "Protocol", "Port", "FragmentationNeeded", "SourceRoutingFailed", "NetUnknown", "HostUnknown",
      "SourceIsolated", "NetAdminProhibited", "HostAdminProhibited", "NetTOS", "HostTOS", "CommAdminProhibited",
      "HostPrecedence", "PrecedenceCutoff",
    ]
    switch type {
    case 0: return "EchoReply"
    case 3: return "DestinationUnreachable" + codeSuffix(code, unreachable)
    case 4: return "SourceQuench"
    case 5: return "Redirect" + codeSuffix(code, ["Net", "Host", "TOS+Net", "TOS+Host"])
    case 8: return "EchoRequest"
    case 9: return "RouterAdvertisement"
    case 10: return "RouterSolicitation"
    case 11: return "TimeExceeded" + codeSuffix(code, ["TTLExceeded", "FragmentReassemblyTimeExceeded"])
    case 12: return "ParameterProblem" + codeSuffix(code, ["PointerIndicatesError", "MissingOption", "BadLength"])
    case 13: return "TimestampRequest"
    case 14: return "TimestampReply"
    case 15: return "InfoRequest"
    case 16: return "InfoReply"
    case 17: return "AddressMaskRequest"
    case 18: return "AddressMaskReply"
    default: return "\(type)(\(code))"
    }
  }

  private static func v6Name(_ type: UInt8, _ code: UInt8) -> String {
    switch type {
    case 1:
      return "DestinationUnreachable"
        + codeSuffix(
          code,
          [
            "NoRouteToDst", "AdminProhibited", "BeyondScopeOfSrc", "AddressUnreachable", "PortUnreachable",
            "SrcAddressFailedPolicy", "RejectRouteToDst",
          ]
        )
    case 2: return "PacketTooBig"
    case 3: return "TimeExceeded" + codeSuffix(code, ["HopLimitExceeded", "FragmentReassemblyTimeExceeded"])
    case 4:
      return "ParameterProblem"
        + codeSuffix(code, ["ErroneousHeaderField", "UnrecognizedNextHeader", "UnrecognizedIPv6Option"])
    case 128: return "EchoRequest"
    case 129: return "EchoReply"
    case 133: return "RouterSolicitation"
    case 134: return "RouterAdvertisement"
    case 135: return "NeighborSolicitation"
    case 136: return "NeighborAdvertisement"
    case 137: return "Redirect"
    default: return "\(type)(\(code))"
    }
  }

  private static func codeSuffix(_ code: UInt8, _ names: [String]) -> String {
    Int(code) < names.count ? "(\(names[Int(code)]))" : "(Code: \(code))"
  }
}
