// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// Release builds let clients specialize the generic numeric code of the libraries
/// (`Tensor<Float>`, `GRU<Float>`, …) instead of calling it through witness tables.
/// `RL2_TARGET_CPU=native` (or a CPU name such as `znver2`, `skylake`) compiles the Swift code
/// for that CPU, so the SIMD kernels use AVX2 and FMA where it has them; the default build runs
/// on any x86-64 (OpenBLAS picks its kernels at run time either way).
let targetCPU: [String] =
  ProcessInfo.processInfo.environment["RL2_TARGET_CPU"].map {
    ["-target-cpu", $0]
  } ?? []

let crossModule: [SwiftSetting] = [
  .unsafeFlags(["-cross-module-optimization"] + targetCPU, .when(configuration: .release))
]

let package = Package(
  name: "RL2",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "rl2", targets: ["rl2"]),
    .library(name: "RL2Nets", targets: ["RL2Nets"]),
    .library(name: "RL2Training", targets: ["RL2Training"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    .systemLibrary(
      name: "CZeroMQ",
      pkgConfig: "libzmq",
      providers: [.apt(["libzmq3-dev"])]
    ),
    .target(name: "RL2Math", dependencies: ["CBLAS", "CRL2Kernels"], swiftSettings: crossModule),
    // Convolution kernels in C, each compiled for AVX-512, AVX2 and the x86-64 baseline and
    // picked at run time, so the default portable build uses the machine's vector width.
    // Optimized in debug builds too, like RL2Nets.
    .target(name: "CRL2Kernels", cSettings: [.unsafeFlags(["-O3"])]),
    .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
    // Optimized in debug builds too: the convolution kernels are SIMD loops that would run
    // about 50× slower unoptimized, which the maze's end-to-end tests cannot afford.
    .target(
      name: "RL2Nets", dependencies: ["RL2Math", "CRL2Kernels"],
      swiftSettings: crossModule + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
    .target(name: "RL2Envs", dependencies: ["RL2Math", "RL2Nets"], swiftSettings: crossModule),
    .target(
      name: "RL2Training", dependencies: ["RL2Math", "RL2Nets", "RL2Envs"],
      swiftSettings: crossModule),
    .systemLibrary(
      name: "CProtobufC",
      pkgConfig: "libprotobuf-c",
      providers: [.apt(["libprotobuf-c-dev"])]
    ),
    // The wire schema compiled by protoc-c: tests decode Swift-encoded messages with it.
    .target(name: "CRL2Wire", dependencies: ["CProtobufC"]),
    .target(
      name: "RL2Wire",
      dependencies: [
        "RL2Math", "RL2Training", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ]),
    .target(
      name: "RL2Baselines", dependencies: ["RL2Math", "RL2Envs"], swiftSettings: crossModule),
    .target(
      name: "RL2Cluster",
      dependencies: [
        "RL2Math", "RL2Nets", "RL2Envs", "RL2Training", "RL2Wire", "ZeroMQ",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: crossModule),
    .executableTarget(
      name: "rl2",
      dependencies: [
        "RL2Math", "RL2Nets", "RL2Envs", "RL2Training", "RL2Cluster", "RL2Baselines",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: crossModule
    ),
    .testTarget(name: "RL2MathTests", dependencies: ["RL2Math"]),
    .testTarget(name: "RL2NetsTests", dependencies: ["RL2Nets", "RL2Math"]),
    .testTarget(name: "RL2EnvsTests", dependencies: ["RL2Envs", "RL2Nets", "RL2Math"]),
    .testTarget(
      name: "RL2TrainingTests", dependencies: ["RL2Training", "RL2Envs", "RL2Nets", "RL2Math"]),
    .testTarget(name: "CZeroMQTests", dependencies: ["CZeroMQ"]),
    .testTarget(
      name: "RL2WireTests",
      dependencies: ["RL2Wire", "RL2Training", "RL2Math", "CRL2Wire", "CProtobufC"]),
    .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
    .testTarget(
      name: "RL2BaselinesTests", dependencies: ["RL2Baselines", "RL2Envs", "RL2Math"]),
    .testTarget(
      name: "RL2ClusterTests",
      dependencies: ["RL2Cluster", "RL2Wire", "RL2Envs", "RL2Training", "RL2Math", "ZeroMQ"]),
    .testTarget(name: "rl2Tests", dependencies: ["rl2", "RL2Math"]),
  ]
)
