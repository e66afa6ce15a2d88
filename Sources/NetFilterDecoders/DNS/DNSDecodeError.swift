/// Why a DNS message could not be decoded, and where.
public struct DNSDecodeError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The class of failure.
  public enum Kind: Sendable, Hashable {
    /// The data ends inside the header, a name, a record or its RDATA.
    case truncated
    /// A compression pointer to itself or past the end of the message.
    case badPointer
    /// A name follows more than ``DNSMessage/maxPointerJumps`` compression pointers (a loop).
    case tooManyPointers
    /// A length byte 0x40…0xBF: a label longer than 63, or a reserved label type.
    case labelTooLong
    /// A name longer than ``DNSMessage/maxNameLength`` octets on the wire.
    case nameTooLong
    /// The section counts need more bytes than the message has.
    case countsExceedData
    /// RDATA that does not fit its type (a short SOA, a TXT string running past RDLENGTH, …); for
    /// an A or AAAA of the wrong length, the record-level ``DNSMessage/malformation``.
    case badRData
    /// A DNS-over-TCP length prefix larger than the data present.
    case badLength
  }

  /// The class of failure.
  public let kind: Kind
  /// A short human-readable reason.
  public let reason: String
  /// The byte offset of the problem, counted from the first byte of the DNS message.
  public let offset: Int

  /// Creates an error.
  public init(_ kind: Kind, _ reason: String, at offset: Int) {
    self.kind = kind
    self.reason = reason
    self.offset = offset
  }

  /// "DNS: <reason> at byte <offset>".
  public var description: String { "DNS: \(reason) at byte \(offset)" }
}
