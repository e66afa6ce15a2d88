import NetFilterTestSupport
import Testing

@testable import NetFilterDecoders

private func http(_ text: String) -> HTTPMessage? {
  HTTPMessage.decode(ByteReader(Array(text.utf8)))
}

private func kind(_ text: String) -> HTTPMessage.Kind? {
  HTTPMessage.looksLikeHTTP(ByteReader(Array(text.utf8)))
}

/// HTTP start lines and header blocks from one segment, detection, hostile input.
@Suite struct HTTPTests {}

extension HTTPTests {
  @Suite struct Requests {
    @Test func requestWithHeaders() throws {
      let message = try #require(
        http(
          "GET /a%20b/c?x=1&y=2 HTTP/1.1\r\nHost: example.com:8080\r\nuser-agent: curl/8.5.0\r\n"
            + "Accept: */*\r\nX-Multi: one\r\nx-multi: two\r\n\r\nbody"
        )
      )
      #expect(message.kind == .request && message.method == "GET")
      #expect(message.uri == "/a%20b/c?x=1&y=2" && message.path == "/a b/c")
      #expect(message.protocol == "HTTP/1.1" && message.host == "example.com:8080")
      #expect(message.headers.map(\.name) == ["Host", "User-Agent", "Accept", "X-Multi"])
      #expect(message.values(forHeader: "X-MULTI") == ["one", "two"])
      #expect(message.values(forHeader: "user-agent") == ["curl/8.5.0"])
      #expect(message.contentLength == 0 && message.isComplete)
      #expect(message.status == "" && message.statusCode == 0)
    }

    @Test func postWithContentLength() throws {
      let message = try #require(http("POST /api HTTP/1.0\nContent-Length:  5 \nContent-Type: text/plain\n\nhello"))
      #expect(message.method == "POST" && message.protocol == "HTTP/1.0")
      #expect(message.contentLength == 5 && message.isComplete)  // bare LF line ends, as Go accepts
      #expect(message.host == "")
    }

    @Test func contentLengthRules() throws {
      // Chunked wins over Content-Length; conflicting lengths and junk are unknown (-1).
      let chunked = "PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
      #expect(http(chunked)?.contentLength == -1)
      #expect(http("PUT /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n")?.contentLength == -1)
      #expect(http("PUT /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n")?.contentLength == 3)
      #expect(http("PUT /x HTTP/1.1\r\nContent-Length: -3\r\n\r\n")?.contentLength == -1)
      // HTTP/1.0 ignores Transfer-Encoding, as Go does.
      #expect(http("PUT /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n")?.contentLength == 3)
    }

    @Test func absoluteAndSpecialTargets() throws {
      let absolute = try #require(http("GET http://user@proxy.test:3128/p%2Fq?z HTTP/1.1\r\nHost: other\r\n\r\n"))
      #expect(absolute.host == "proxy.test:3128" && absolute.path == "/p/q")
      let bare = try #require(http("GET https://example.org HTTP/1.1\r\n\r\n"))
      #expect(bare.host == "example.org" && bare.path == "")
      let connect = try #require(http("CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n"))
      #expect(connect.host == "example.org:443" && connect.path == "" && connect.uri == "example.org:443")
      let star = try #require(http("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"))
      #expect(star.path == "*" && star.host == "h")
      // A malformed escape keeps the path as sent (Go would reject the request).
      #expect(http("GET /100%zz HTTP/1.1\r\n\r\n")?.path == "/100%zz")
      // A relative target Go rejects: kept as sent, without a path; the host is the Host header's
      // (tshark shows it too).
      let relative = try #require(http("GET index.html HTTP/1.1\r\nHost: h\r\n\r\n"))
      #expect(relative.uri == "index.html" && relative.path == "" && relative.host == "h")
    }

    @Test func obsFoldAndWhitespace() throws {
      let message = try #require(
        http("GET / HTTP/1.1\r\nX-Long: first\r\n   second\r\n\tthird\r\nX-Empty:\r\nHost:\th \r\n\r\n")
      )
      #expect(message.values(forHeader: "x-long") == ["first second third"])
      #expect(message.values(forHeader: "X-Empty") == [""])
      #expect(message.host == "h")
    }

    @Test func headersSplitAcrossTheSegmentEnd() throws {
      // The segment ends inside "Accept": the complete lines before it are kept.
      let message = try #require(http("GET / HTTP/1.1\r\nHost: a.test\r\nAccept: te"))
      #expect(message.headers == [HTTPHeader(name: "Host", values: ["a.test"])])
      #expect(!message.isComplete && message.host == "a.test")
      // Every header line complete, but no empty line yet.
      let noBlank = try #require(http("GET / HTTP/1.1\r\nHost: a.test\r\n"))
      #expect(noBlank.headers.count == 1 && !noBlank.isComplete)
      // The start line itself cut: the method and the target as far as they go (tshark without
      // reassembly shows the same), no version, incomplete.
      let cut = try #require(http("GET /index.ht"))
      #expect(cut.method == "GET" && cut.uri == "/index.ht" && cut.path == "/index.ht")
      #expect(cut.protocol == "" && cut.headers.isEmpty && !cut.isComplete)
    }

    @Test func malformedHeaderLinesAreSkipped() throws {
      // Go fails the whole request at such a line; the lines after it stay visible.
      let message = try #require(http("GET / HTTP/1.1\r\nHost: h\r\nno colon here\r\nAfter: x\r\n\r\n"))
      #expect(message.headers.map(\.name) == ["Host", "After"] && message.isComplete)
      #expect(http("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n")?.headers == [])
      let first = try #require(http("GET / HTTP/1.1\r\n continuation first\r\nHost: h\r\n\r\n"))
      #expect(first.headers.map(\.name) == ["Host"] && first.isComplete && first.host == "h")
      // A continuation after a skipped line continues nothing.
      let after = try #require(http("GET / HTTP/1.1\r\nA: 1\r\nbad\r\n more\r\n\r\n"))
      #expect(after.values(forHeader: "A") == ["1"])
    }

    @Test func noLimitButThePayload() throws {
      // 150 header lines: all kept.
      let many = (0..<150).map { "H\($0): v\r\n" }.joined()
      let message = try #require(http("GET / HTTP/1.1\r\n" + many + "\r\n"))
      #expect(message.headers.count == 150 && message.isComplete)
      // A header line of 9,000 bytes, and the header after it.
      let longHeader = try #require(
        http("GET / HTTP/1.1\r\nA: 1\r\nB: " + String(repeating: "b", count: 9000) + "\r\nC: 3\r\n\r\n")
      )
      #expect(longHeader.headers.map(\.name) == ["A", "B", "C"] && longHeader.isComplete)
      #expect(longHeader.values(forHeader: "B").first?.utf8.count == 9000)
    }

    @Test func decodesFromAnOffsetReader() throws {
      let payload = Array("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
      let packet = Array(repeating: UInt8(0x0A), count: 40) + payload + Array("GARBAGE".utf8)
      let message = try #require(HTTPMessage.decode(ByteReader(packet, start: 40, end: 40 + payload.count)))
      #expect(message.method == "HEAD" && message.host == "h" && message.isComplete)
    }
  }
}

extension HTTPTests {
  @Suite struct Responses {
    @Test func movedPermanently() throws {
      let message = try #require(
        http(
          "HTTP/1.1 301 Moved Permanently\r\nLocation: https://example.com/\r\ncontent-type: text/html\r\n"
            + "Content-Length: 162\r\n\r\n<html>"
        )
      )
      #expect(message.kind == .response && message.status == "301 Moved Permanently")
      #expect(message.statusCode == 301 && message.protocol == "HTTP/1.1")
      #expect(message.values(forHeader: "location") == ["https://example.com/"])
      #expect(message.headers.map(\.name) == ["Location", "Content-Type", "Content-Length"])
      #expect(message.contentLength == 162 && message.method == "" && message.host == "")
    }

    @Test func statusLineForms() throws {
      #expect(http("HTTP/1.0 200\r\n\r\n")?.status == "200")
      #expect(http("HTTP/1.1  404  Not Found\r\n\r\n")?.status == "404  Not Found")  // Go's TrimLeft
      #expect(http("HTTP/2.0 200 OK\r\n\r\n")?.protocol == "HTTP/2.0")
      #expect(http("HTTP/1.1 200 OK\r\n\r\n")?.contentLength == -1)  // unknown: read to close
      #expect(http("HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n")?.contentLength == 0)
      #expect(http("HTTP/1.1 304 Not Modified\r\n\r\n")?.contentLength == 0)
      #expect(http("HTTP/1.1 101 Switching Protocols\r\n\r\n")?.contentLength == 0)
      #expect(http("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")?.contentLength == -1)
    }

    @Test func malformedStatusLines() {
      #expect(http("HTTP/1.1 2000 OK\r\n\r\n") == nil)
      #expect(http("HTTP/1.1 abc OK\r\n\r\n") == nil)
      #expect(http("HTTP/1.1\r\n\r\n") == nil)
      #expect(http("HTTP/11 200 OK\r\n\r\n") == nil)
      #expect(http("HTTP/1.x 200 OK\r\n\r\n") == nil)
    }
  }
}

extension HTTPTests {
  @Suite struct Detection {
    @Test func looksLikeHTTP() {
      for method in ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE"] {
        #expect(kind(method + " / HTTP/1.1\r\n") == .request)
      }
      #expect(kind("HTTP/1.1 200 OK") == .response)
      #expect(kind("HTTP/") == .response)
      #expect(kind("GETX / HTTP/1.1") == nil)
      #expect(kind("GET") == nil)
      #expect(kind("get / HTTP/1.1") == nil)
      #expect(kind("") == nil)
      #expect(kind("\u{16}\u{03}\u{01}\u{02}\u{00}") == nil)  // a TLS ClientHello
    }

    @Test func junkIsNil() {
      #expect(http("") == nil)
      #expect(http("\r\n\r\n") == nil)
      #expect(http("G(T / HTTP/1.1\r\n\r\n") == nil)
      #expect(http("GET\r\n\r\n") == nil)
      #expect(http("GET \r\n\r\n") == nil)  // no target
      #expect(HTTPMessage.decode(ByteReader([0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x0A, 0xFF])) == nil)
    }

    @Test func anyTokenMethodDecodes() throws {
      // Go accepts any token as a method; the kernel-style gate is looksLikeHTTP.
      let message = try #require(http("PROPFIND /dav HTTP/1.1\r\nDepth: 1\r\n\r\n"))
      #expect(message.method == "PROPFIND" && kind("PROPFIND /dav HTTP/1.1") == nil)
    }

    @Test func randomBytesNeverCrash() {
      var generator = SplitMix64(seed: 0x4854_5450)
      let seeds = [
        "GET /a?b HTTP/1.1\r\nHost: h\r\nX: y\r\n z\r\nContent-Length: 12\r\n\r\n",
        "HTTP/1.1 301 Moved Permanently\r\nLocation: /\r\n\r\n",
      ].map { Array($0.utf8) }
      // Random bytes, and the seeds with bytes replaced and cut to a random length.
      let inputs = generator.fuzzInputs(count: 20_000, maxLength: 200, seeds: seeds, truncate: true)
      var decoded = 0
      let elapsed = ContinuousClock().measure {
        for bytes in inputs {
          if HTTPMessage.decode(ByteReader(bytes)) != nil { decoded += 1 }
          _ = HTTPMessage.looksLikeHTTP(ByteReader(bytes))
        }
      }
      #expect(decoded > 0)
      #expect(elapsed < .seconds(2))
    }
  }
}

extension HTTPTests {
  /// Requests a server takes that Go (and so Tracee) would not decode: each stays visible.
  @Suite struct Evasion {
    @Test func requestLineOver8KiB() throws {
      let path = "/" + String(repeating: "a", count: 9000)
      let message = try #require(http("GET \(path) HTTP/1.1\r\nHost: long.example.com\r\n\r\n"))
      #expect(message.uri == path && message.path == path && message.protocol == "HTTP/1.1")
      #expect(message.host == "long.example.com" && message.isComplete)
      // Cut by the end of the segment (such a line spans several): the method and the target so far.
      let cut = try #require(http("GET " + path))
      #expect(cut.method == "GET" && cut.uri == path && !cut.isComplete)
    }

    @Test func controlBytesInTheTarget() throws {
      // ESC and a percent-encoded ESC: kept byte for byte (JSON and the table escape them).
      let message = try #require(http("GET /a\u{1B}[31mb%1B HTTP/1.1\r\nHost: esc.example.com\r\n\r\n"))
      #expect(Array(message.uri.utf8) == Array("/a\u{1B}[31mb%1B".utf8))
      #expect(message.path == "/a\u{1B}[31mb\u{1B}" && message.host == "esc.example.com")
      // NUL, TAB, CR inside the line, DEL: every byte but the space and the line's end.
      let bytes: [UInt8] =
        Array("GET /".utf8) + [0, 9, 13, 0x7F, 0x1B] + Array(" HTTP/1.1\r\nHost: c\r\n\r\n".utf8)
      let raw = try #require(HTTPMessage.decode(ByteReader(bytes)))
      #expect(Array(raw.uri.utf8) == [0x2F, 0, 9, 13, 0x7F, 0x1B] && raw.host == "c")
    }

    @Test func hostAfterManyHeaders() throws {
      let many = (0..<101).map { "X-H\($0): v\r\n" }.joined()
      let message = try #require(http("GET /x HTTP/1.1\r\n" + many + "Host: late.example.com\r\n\r\n"))
      #expect(message.host == "late.example.com" && message.headers.count == 102 && message.isComplete)
      // 5,000 headers (60 KB), then Host.
      let lots = (0..<5000).map { "X\($0): v\r\n" }.joined()
      let huge = try #require(http("GET /x HTTP/1.1\r\n" + lots + "Host: later.example.com\r\n\r\n"))
      #expect(huge.host == "later.example.com" && huge.headers.count == 5001)
    }

    @Test func spacesBetweenTheParts() throws {
      // Go wants one space; nginx takes several.
      let message = try #require(http("GET   /x   HTTP/1.1  \r\nHost: h\r\n\r\n"))
      #expect(message.uri == "/x" && message.protocol == "HTTP/1.1" && message.host == "h")
      // No version (HTTP/0.9), another protocol name: still a request, as tshark shows them.
      #expect(http("GET /\r\nHost: b\r\n\r\n")?.protocol == "")
      #expect(http("GET / FTP/1.1\r\n\r\n")?.protocol == "FTP/1.1")
    }

    @Test func isDecodableAgreesWithDecode() {
      var generator = SplitMix64(seed: 0xDEC0_DAB1)
      let seeds = [
        "GET /a?b HTTP/1.1\r\nHost: h\r\nX: y\r\n z\r\nContent-Length: 12\r\n\r\n",
        "HTTP/1.1 301 Moved Permanently\r\nLocation: /\r\n\r\n",
        "POST  http://h/p  HTTP/1.0\n\n",
      ].map { Array($0.utf8) }
      let inputs = generator.fuzzInputs(count: 20_000, maxLength: 200, seeds: seeds, truncate: true)
      var decoded = 0
      for bytes in inputs {
        let message = HTTPMessage.decode(ByteReader(bytes))
        #expect(HTTPMessage.isDecodable(ByteReader(bytes)) == (message != nil), "\(bytes)")
        if message != nil { decoded += 1 }
      }
      #expect(decoded > 1_000)
    }
  }
}
