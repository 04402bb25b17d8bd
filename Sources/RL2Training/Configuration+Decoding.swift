/// Configurations decode with defaults for keys they do not contain, so a checkpoint or
/// config.json written before a setting existed still loads (the setting takes its default).
extension KeyedDecodingContainer {
  func decode<T: Decodable>(_ key: Key, default value: T) throws -> T {
    try decodeIfPresent(T.self, forKey: key) ?? value
  }
}
