// swift-tools-version: 6.0
// Builds swift-protobuf's code generator (from the package mirror) for scripts/gen-proto.
// Not part of the RL2 package; the generated code is committed, so builds never need this.
import PackageDescription

let package = Package(
  name: "ProtocGenSwift",
  dependencies: [
    .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0")
  ],
  targets: []
)
