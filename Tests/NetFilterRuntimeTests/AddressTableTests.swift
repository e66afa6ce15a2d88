import NetFilter
import NetFilterTestSupport
import Testing

@testable import NetFilterRuntime

/// The cache's open-addressing table against a Dictionary, through 200,000 random sets, removals
/// and finds over a small key space (so that tombstones, reuse and rebuilds all happen).
@Suite struct AddressTableTests {
  @Test func agreesWithADictionary() {
    var random = SplitMix64(seed: 7)
    var table = AddressTable<Int>()
    var model: [UInt64: Int] = [:]
    func key(_ number: UInt64) -> NameCache.Key {
      NameCache.Key(scope: number % 3, address: IPAddress(v4: UInt32(truncatingIfNeeded: number * 2_654_435_761)))
    }
    for step in 0..<200_000 {
      let number = UInt64.random(in: 0..<5_000, using: &random)
      switch UInt8.random(in: 0..<3, using: &random) {
      case 0:
        #expect(table.set(key(number), step) == (model.updateValue(step, forKey: number) == nil))
      case 1:
        table.remove(key(number))
        model[number] = nil
      default:
        #expect(table.value(key(number)) == model[number])
      }
      #expect(table.count == model.count)
    }
    #expect(Set(table.all.map(\.1)) == Set(model.values))
  }
}
