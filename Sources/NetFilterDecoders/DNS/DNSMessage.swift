import NetFilterSyntax

/// A decoded DNS message (RFC 1035 §4): the header fields and the four sections, as gopacket's
/// `layers.DNS` exposes them to Tracee (`trace.ProtoDNS`).
///
/// Decode one with ``decode(_:)`` (a UDP payload) or ``decodeTCP(_:)`` (a TCP payload that starts
/// with the 2-byte length prefix). Every malformed input, however hostile, ends in a
/// ``DNSDecodeError`` (or, for a record that can be skipped, in ``malformation``); none traps or
/// loops. The number of records is bounded by the message's size only (every record takes at
/// least 11 bytes), and compression pointers may point forwards.
public struct DNSMessage: Sendable, Hashable {
  /// The transaction id.
  public var id: UInt16
  /// `true` for a response, `false` for a query.
  public var qr: Bool
  /// The 4-bit operation code (0 query, 1 inverse query, 2 status, 4 notify, 5 update).
  public var opcode: UInt8
  /// Authoritative answer.
  public var aa: Bool
  /// Truncated: the message was cut to fit the transport.
  public var tc: Bool
  /// Recursion desired.
  public var rd: Bool
  /// Recursion available.
  public var ra: Bool
  /// The three bits after RA (Z, AD, CD), as gopacket reports them in `Z`.
  public var z: UInt8
  /// The 4-bit response code from the header (see ``responseCode`` for the EDNS-extended one).
  public var rcode: UInt8
  /// QDCOUNT as sent.
  public var qdCount: UInt16
  /// ANCOUNT as sent.
  public var anCount: UInt16
  /// NSCOUNT as sent.
  public var nsCount: UInt16
  /// ARCOUNT as sent.
  public var arCount: UInt16
  /// The question section.
  public var questions: [DNSQuestion]
  /// The answer section.
  public var answers: [DNSResourceRecord]
  /// The authority section.
  public var authorities: [DNSResourceRecord]
  /// The additional section (including any EDNS OPT pseudo-record).
  public var additionals: [DNSResourceRecord]
  /// The first record that decoded but not as its type requires (an A record whose RDATA is not 4
  /// bytes, an AAAA not 16: kept without an address), as tshark marks such a record malformed;
  /// nil when every record is well-formed. A packet carrying such a message counts as malformed.
  public var malformation: DNSDecodeError?

  /// Creates a message from its parts; counts default to the section sizes.
  public init(
    id: UInt16 = 0,
    qr: Bool = false,
    opcode: UInt8 = 0,
    aa: Bool = false,
    tc: Bool = false,
    rd: Bool = false,
    ra: Bool = false,
    z: UInt8 = 0,
    rcode: UInt8 = 0,
    qdCount: UInt16? = nil,
    anCount: UInt16? = nil,
    nsCount: UInt16? = nil,
    arCount: UInt16? = nil,
    questions: [DNSQuestion] = [],
    answers: [DNSResourceRecord] = [],
    authorities: [DNSResourceRecord] = [],
    additionals: [DNSResourceRecord] = [],
    malformation: DNSDecodeError? = nil
  ) {
    self.id = id
    self.qr = qr
    self.opcode = opcode
    self.aa = aa
    self.tc = tc
    self.rd = rd
    self.ra = ra
    self.z = z
    self.rcode = rcode
    self.qdCount = qdCount ?? UInt16(truncatingIfNeeded: questions.count)
    self.anCount = anCount ?? UInt16(truncatingIfNeeded: answers.count)
    self.nsCount = nsCount ?? UInt16(truncatingIfNeeded: authorities.count)
    self.arCount = arCount ?? UInt16(truncatingIfNeeded: additionals.count)
    self.questions = questions
    self.answers = answers
    self.authorities = authorities
    self.additionals = additionals
    self.malformation = malformation
  }

  /// The most compression pointers the decoder follows in one name: one more than the most labels
  /// a name can hold (127 in its 255 octets), so every name whose pointers each lead to a label
  /// decodes, and a pointer loop ends here (a loop through labels ends sooner, at
  /// ``maxNameLength``).
  public static let maxPointerJumps = 128
  /// The longest name on the wire, length octets and the final zero included (RFC 1035 §3.1).
  public static let maxNameLength = 255

  /// Decodes a DNS message that fills `reader` (a UDP payload). Bytes after the last record are
  /// ignored. Error offsets count from the first byte of the message. A message with a malformed
  /// record that can be skipped (an A or AAAA of the wrong length) decodes, with ``malformation``
  /// set.
  public static func decode(_ reader: ByteReader) throws(DNSDecodeError) -> DNSMessage {
    try DNSParser(reader: reader).message()
  }

  /// Decodes DNS over TCP (RFC 1035 §4.2.2): a 2-byte length, then the message. The message must
  /// be complete within `reader` (no reassembly); any later message in the same segment is
  /// ignored. Error offsets count from the first byte after the prefix.
  public static func decodeTCP(_ reader: ByteReader) throws(DNSDecodeError) -> DNSMessage {
    try decode(tcpBody(reader))
  }

  /// What ``decode(_:)`` would make of `reader`, without building the message or allocating: the
  /// error it would throw, else the ``malformation`` of the message (nil when well-formed).
  public static func check(_ reader: ByteReader) throws(DNSDecodeError) -> DNSDecodeError? {
    try DNSParser(reader: reader).validate()
  }

  /// What ``decodeTCP(_:)`` would make of `reader`, as ``check(_:)``.
  public static func checkTCP(_ reader: ByteReader) throws(DNSDecodeError) -> DNSDecodeError? {
    try check(tcpBody(reader))
  }

  /// The message after a DNS-over-TCP length prefix.
  private static func tcpBody(_ reader: ByteReader) throws(DNSDecodeError) -> ByteReader {
    guard let length = reader.u16(0) else {
      throw DNSDecodeError(.truncated, "TCP length prefix is missing", at: 0)
    }
    guard 2 + Int(length) <= reader.count, let body = reader.sub(from: 2, length: Int(length)) else {
      throw DNSDecodeError(
        .badLength,
        "TCP length prefix \(length) exceeds the \(reader.count - 2) bytes present",
        at: 0
      )
    }
    return body
  }

  /// The response code gopacket reports: the header RCODE, with the upper bits of an EDNS
  /// extended RCODE from an OPT record OR-ed in (truncated to 8 bits, as gopacket does).
  public var responseCode: UInt8 {
    var code = rcode
    for record in additionals where record.type == DNSRecordType.opt {
      code |= UInt8(truncatingIfNeeded: record.ttl >> 20 & 0xF0)
    }
    return code
  }
}

/// One entry of the question section.
public struct DNSQuestion: Sendable, Hashable {
  /// The queried name, dotted, without the trailing dot (the root is "").
  public var name: String
  /// QTYPE.
  public var type: UInt16
  /// QCLASS.
  public var `class`: UInt16

  /// Creates a question.
  public init(name: String, type: UInt16, class: UInt16 = 1) {
    self.name = name
    self.type = type
    self.class = `class`
  }
}

/// One resource record of the answer, authority or additional section.
public struct DNSResourceRecord: Sendable, Hashable {
  /// The owner name, dotted, without the trailing dot (the root is "").
  public var name: String
  /// TYPE.
  public var type: UInt16
  /// CLASS (for OPT: the requester's UDP payload size).
  public var `class`: UInt16
  /// TTL (for OPT: extended RCODE, version and flags).
  public var ttl: UInt32
  /// The decoded RDATA.
  public var data: DNSRecordData
  /// The RDATA exactly as it was on the wire (names still compressed).
  public var rawData: [UInt8]

  /// Creates a record.
  public init(
    name: String,
    type: UInt16,
    class: UInt16 = 1,
    ttl: UInt32 = 0,
    data: DNSRecordData,
    rawData: [UInt8] = []
  ) {
    self.name = name
    self.type = type
    self.class = `class`
    self.ttl = ttl
    self.data = data
    self.rawData = rawData
  }
}

/// The decoded RDATA of a resource record. Names are dotted text without the trailing dot.
public enum DNSRecordData: Sendable, Hashable {
  /// A (type 1): an IPv4 address.
  case a(IPAddress)
  /// AAAA (type 28): an IPv6 address.
  case aaaa(IPAddress)
  /// NS (type 2): a name server.
  case ns(String)
  /// CNAME (type 5): the canonical name.
  case cname(String)
  /// PTR (type 12): the pointed-to name.
  case ptr(String)
  /// MX (type 15): a mail exchanger and its preference.
  case mx(preference: UInt16, name: String)
  /// TXT (type 16) and, as gopacket does, HINFO (type 13): the character-strings in order.
  case txt([String])
  /// SOA (type 6): the start of a zone of authority.
  case soa(
    mname: String,
    rname: String,
    serial: UInt32,
    refresh: UInt32,
    retry: UInt32,
    expire: UInt32,
    minimum: UInt32
  )
  /// SRV (type 33): a service location.
  case srv(priority: UInt16, weight: UInt16, port: UInt16, target: String)
  /// OPT (type 41): the EDNS options in order.
  case opt([DNSOption])
  /// URI (type 256): a target URI.
  case uri(priority: UInt16, weight: UInt16, target: String)
  /// Any other type (CAA, HTTPS, SVCB, DNSSEC types, …), and A/AAAA whose RDATA has the wrong
  /// length: the raw RDATA.
  case other(type: UInt16, data: [UInt8])
}

/// One EDNS option of an OPT record (RFC 6891 §6.1.2).
public struct DNSOption: Sendable, Hashable {
  /// OPTION-CODE.
  public var code: UInt16
  /// OPTION-DATA.
  public var data: [UInt8]

  /// Creates an option.
  public init(code: UInt16, data: [UInt8]) {
    self.code = code
    self.data = data
  }
}

/// The record type numbers this module decodes.
public enum DNSRecordType {
  /// A host address.
  public static let a: UInt16 = 1
  /// An authoritative name server.
  public static let ns: UInt16 = 2
  /// The canonical name for an alias.
  public static let cname: UInt16 = 5
  /// Start of a zone of authority.
  public static let soa: UInt16 = 6
  /// A domain name pointer.
  public static let ptr: UInt16 = 12
  /// Host information.
  public static let hinfo: UInt16 = 13
  /// Mail exchange.
  public static let mx: UInt16 = 15
  /// Text strings.
  public static let txt: UInt16 = 16
  /// An IPv6 host address.
  public static let aaaa: UInt16 = 28
  /// Server selection.
  public static let srv: UInt16 = 33
  /// The EDNS pseudo-record.
  public static let opt: UInt16 = 41
  /// A URI.
  public static let uri: UInt16 = 256
}
