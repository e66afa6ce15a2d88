import NetFilterSyntax

// The strings Tracee prints for DNS, taken from gopacket v1.1.19 (the version Tracee pins):
// `DNSType.String()`, `DNSClass.String()`, `DNSOptionCode.String()`, and Tracee's lower-casing
// of `DNSOpCode.String()` and `DNSResponseCode.String()` in `getProtoDNS`.

extension DNSMessage {
  /// gopacket's `DNSType.String()` for `type` ("A", "NS", …, "URI"; anything else "Unknown").
  /// gopacket v1.1.19 has no SVCB or HTTPS, so types 64 and 65 are "Unknown" too.
  public static func typeName(_ type: UInt16) -> String {
    switch type {
    case 1...16: return lowTypeNames[Int(type) - 1]
    case 28: return "AAAA"
    case 33: return "SRV"
    case 41: return "OPT"
    case 256: return "URI"
    default: return "Unknown"
    }
  }

  /// Types 1…16 in order.
  private static let lowTypeNames = [
    "A", "NS", "MD", "MF", "CNAME", "SOA", "MB", "MG", "MR", "NULL", "WKS", "PTR", "HINFO",
    "MINFO", "MX", "TXT",
  ]

  /// gopacket's `DNSClass.String()`: "IN", "CS", "CH", "HS", "Any", else "Unknown".
  public static func className(_ dnsClass: UInt16) -> String {
    switch dnsClass {
    case 1: return "IN"
    case 2: return "CS"
    case 3: return "CH"
    case 4: return "HS"
    case 255: return "Any"
    default: return "Unknown"
    }
  }

  /// Tracee's `opCode`: gopacket's `DNSOpCode.String()` lower-cased ("query", "inverse query",
  /// "status", "notify", "update", else "unknown").
  public var opcodeName: String {
    switch opcode {
    case 0: return "query"
    case 1: return "inverse query"
    case 2: return "status"
    case 4: return "notify"
    case 5: return "update"
    default: return "unknown"
    }
  }

  /// Tracee's `responseCode`: gopacket's `DNSResponseCode.String()` of ``responseCode``,
  /// lower-cased. Note gopacket's "server failure " keeps its trailing space.
  public var responseCodeName: String {
    let code = Int(responseCode)
    if code < Self.responseCodeNames.count { return Self.responseCodeNames[code] }
    if code >= 16, code - 16 < Self.extendedResponseCodeNames.count {
      return Self.extendedResponseCodeNames[code - 16]
    }
    return "unknown"
  }

  /// Response codes 0…10.
  private static let responseCodeNames = [
    "no error", "format error", "server failure ", "non-existent domain", "not implemented",
    "query refused", "name exists when it should not", "rr set exists when it should not",
    "rr set that should exist does not", "server not authoritative for zone",
    "name not contained in zone",
  ]

  /// Response codes 16…23.
  private static let extendedResponseCodeNames = [
    "bad opt version", "key not recognized", "signature out of time window", "bad tkey mode",
    "duplicate key name", "algorithm not supported", "bad truncation", "bad cookie",
  ]

  /// Fibratus' `dns.rcode` spelling of ``responseCode``: "NOERROR", "FORMERR", "SERVFAIL",
  /// "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
  /// "BADSIG" (16), "BADKEY", "BADTIME", "BADNAME" (20); anything else "INVALID".
  public var rcodeFibratus: String {
    switch responseCode {
    case 0...10: return Self.fibratusNames[Int(responseCode)]
    case 16: return "BADSIG"
    case 17: return "BADKEY"
    case 18: return "BADTIME"
    case 20: return "BADNAME"
    default: return "INVALID"
    }
  }

  /// Fibratus names for response codes 0…10.
  private static let fibratusNames = [
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
    "NXRRSET", "NOTAUTH", "NOTZONE",
  ]
}

extension DNSQuestion {
  /// gopacket's `DNSType.String()` of ``type``.
  public var typeName: String { DNSMessage.typeName(type) }
  /// gopacket's `DNSClass.String()` of ``class``.
  public var className: String { DNSMessage.className(self.class) }
}

extension DNSResourceRecord {
  /// gopacket's `DNSType.String()` of ``type``.
  public var typeName: String { DNSMessage.typeName(type) }
  /// gopacket's `DNSClass.String()` of ``class``.
  public var className: String { DNSMessage.className(self.class) }

  /// The record's answer as one string (Fibratus `dns.answers` style): A/AAAA the address,
  /// NS/CNAME/PTR the name, MX the exchanger, TXT the strings concatenated, SOA the primary
  /// name server, SRV the target; "" for anything else.
  public var answerText: String {
    switch data {
    case .a(let address), .aaaa(let address): return address.description
    case .ns(let name), .cname(let name), .ptr(let name): return name
    case .mx(_, let name): return name
    case .txt(let strings): return strings.joined()
    case .soa(let mname, _, _, _, _, _, _): return mname
    case .srv(_, _, _, let target): return target
    case .opt, .uri, .other: return ""
    }
  }

  /// Tracee's `dns_answer[].answer` (`getDNSResponseFromProtoDNS`): chosen by type name, A/AAAA
  /// as Go prints a `net.IP`, NS/CNAME/PTR/MX the name, TXT the raw RDATA (length bytes and all,
  /// as gopacket's `TXT` field holds it), any other type "not implemented". An A record whose
  /// RDATA is not 4 bytes, or an AAAA not 16, is no address: "?" and the RDATA in hex, as Go
  /// prints an IP of a length it does not know (an A record of 16 bytes is not an IPv6 answer).
  public var traceeAnswer: String {
    switch type {
    case DNSRecordType.a, DNSRecordType.aaaa:
      guard rawData.count == (type == DNSRecordType.a ? 4 : 16) else { return Self.invalidIPString(rawData) }
      return Self.goIPString(rawData)
    case DNSRecordType.txt: return String(decoding: rawData, as: UTF8.self)
    case DNSRecordType.ns, DNSRecordType.cname, DNSRecordType.ptr, DNSRecordType.mx:
      return answerText
    default: return "not implemented"
    }
  }

  /// Go's `net.IP.String()` of raw address bytes: dotted for 4 bytes and IPv4-mapped 16 bytes,
  /// RFC 5952 for other 16 bytes, "<nil>" when empty, else "?" and the hex bytes.
  package static func goIPString(_ bytes: [UInt8]) -> String {
    func word(_ at: Int, _ count: Int) -> UInt64 {
      bytes[at..<(at + count)].reduce(0) { $0 << 8 | UInt64($1) }
    }
    switch bytes.count {
    case 0: return "<nil>"
    case 4: return IPAddress(v4: UInt32(word(0, 4))).description
    case 16:
      let address = IPAddress(v6High: word(0, 8), low: word(8, 8))
      return (address.unmappedV4 ?? address).description
    default:
      return invalidIPString(bytes)
    }
  }

  /// Go's `net.IP.String()` of bytes that are no address: "?" and the bytes in hex.
  package static func invalidIPString(_ bytes: [UInt8]) -> String {
    "?" + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
  }
}

extension DNSOption {
  /// gopacket's `DNSOptionCode.String()` (what Tracee prints as the OPT `code`).
  public var codeName: String {
    switch code {
    case 3: return "NSID"
    case 5: return "DAU"
    case 6: return "DHU"
    case 7: return "N3U"
    case 8: return "EDNSClientSubnet"
    case 9: return "EDNSExpire"
    case 10: return "Cookie"
    case 11: return "EDNSKeepAlive"
    case 12: return "CodePadding"
    case 13: return "CodeChain"
    case 14: return "CodeEDNSKeyTag"
    case 16: return "EDNSClientTag"
    case 17: return "EDNSServerTag"
    case 26946: return "DeviceID"
    default: return "Unknown"
    }
  }
}
