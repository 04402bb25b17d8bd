import RL2Math

// Legend: N = T·B rows, M live rows, n rows of one chunk, Hi×Wi×C image, A actions,
// E action embedding, P conv features.

extension VisionNetwork {
  /// The convolutional encoder on n rows, with what its backward and tangent need.
  struct EncoderChunk: Sendable {
    let conv1: Conv2D<Scalar>.Cache
    /// relu(conv₁(image)) [n, OH₁, OW₁, F].
    let hidden: Tensor<Scalar>
    let conv2: Conv2D<Scalar>.Cache
    /// f = relu(conv₂(·)) [n, OH₂, OW₂, F].
    let features: Tensor<Scalar>
  }

  /// The images of `rows` of x [T, B, I] as [n, Hi, Wi, C].
  func images(_ input: Tensor<Scalar>, rows: ArraySlice<Int>) -> Tensor<Scalar> {
    let (I, count) = (self.input.rowWidth, self.input.imageCount)
    var images = Tensor<Scalar>(
      shape: [rows.count, self.input.height, self.input.width, self.input.channels])
    images.withUnsafeMutableBufferPointer { out in
      input.withUnsafeBufferPointer { x in
        for (i, row) in rows.enumerated() {
          (out.baseAddress! + i * count).update(from: x.baseAddress! + row * I, count: count)
        }
      }
    }
    return images
  }

  func encode(
    _ input: Tensor<Scalar>, rows: ArraySlice<Int>, _ parameters: Parameters<Scalar>
  ) -> EncoderChunk {
    let (y1, conv1Cache) = conv1.forward(images(input, rows: rows), parameters)
    let hidden = Activations.relu(y1)
    let (y2, conv2Cache) = conv2.forward(hidden, parameters)
    return EncoderChunk(
      conv1: conv1Cache, hidden: hidden, conv2: conv2Cache, features: Activations.relu(y2))
  }

  /// Chunks of `encoderChunkRows` positions of `rows`.
  func chunks(_ count: Int) -> [Range<Int>] {
    let size = max(1, encoderChunkRows)
    return stride(from: 0, to: count, by: size).map { $0..<min(count, $0 + size) }
  }

  /// a_{t−1} at `row` from its one-hot, or −1 when the one-hot is empty (a trial's first step).
  func previousAction(_ input: Tensor<Scalar>, row: Int) -> Int {
    let base = row * self.input.rowWidth + self.input.actionOffset
    for a in 0..<actionCount where input.scalars[base + a] > 0.5 { return a }
    return -1
  }

  /// Bytes of one row's encoder activations: the image and both convolutions' outputs.
  var encoderBytesPerRow: Int {
    let a = architecture
    let hidden = conv1Size.height * conv1Size.width * a.filters
    return (self.input.imageCount + hidden + featureCount) * MemoryLayout<Scalar>.stride
  }

  /// The encoder's activations of chunk `index` of `cache.liveRows`: kept, or recomputed.
  func encoded(_ cache: Cache, chunk index: Int, rows: Range<Int>, _ parameters: Parameters<Scalar>)
    -> EncoderChunk
  {
    cache.encoded[index] ?? encode(cache.input, rows: cache.liveRows[rows], parameters)
  }

  /// [f, E[a_prev], r_prev, d_prev] of the live rows [M, P + E + 2], and the activations of the
  /// chunks that fit in `encoderCacheBytes`.
  func encoderOutput(
    _ input: Tensor<Scalar>, rows: [Int], _ previousActions: [Int],
    _ parameters: Parameters<Scalar>
  ) -> (Tensor<Scalar>, [EncoderChunk?]) {
    let (P, E) = (featureCount, architecture.actionEmbedding)
    let (width, I) = (P + E + 2, self.input.rowWidth)
    var output = Tensor<Scalar>(shape: [rows.count, width])
    var kept: [EncoderChunk?] = []
    var keptBytes = 0
    for chunk in chunks(rows.count) {
      let encoded = encode(input, rows: rows[chunk], parameters)
      keptBytes += chunk.count * encoderBytesPerRow
      kept.append(keptBytes <= encoderCacheBytes ? encoded : nil)
      let features = encoded.features
      output.withUnsafeMutableBufferPointer { out in
        features.withUnsafeBufferPointer { f in
          for i in 0..<chunk.count {
            (out.baseAddress! + (chunk.lowerBound + i) * width).update(
              from: f.baseAddress! + i * P, count: P)
          }
        }
      }
    }
    let table = parameters.values(actionEmbedding.table)
    output.withUnsafeMutableBufferPointer { out in
      for (i, row) in rows.enumerated() {
        let target = out.baseAddress! + i * width
        if previousActions[i] >= 0 {
          (target + P).update(from: table + previousActions[i] * E, count: E)
        }
        target[P + E] = input.scalars[row * I + self.input.rewardOffset]
        target[P + E + 1] = input.scalars[row * I + self.input.flagOffset]
      }
    }
    return (output, kept)
  }

  /// ∂L/∂[f, E[a], r, d] [M, P + E + 2] into the embedding's and the convolutions' gradients;
  /// the encoder's activations are recomputed chunk by chunk.
  func backwardEncoder(
    _ gradient: Tensor<Scalar>, _ cache: Cache, _ parameters: Parameters<Scalar>
  ) {
    let (P, E) = (featureCount, architecture.actionEmbedding)
    let width = P + E + 2
    let tableGradient = parameters.gradients(actionEmbedding.table)
    gradient.withUnsafeBufferPointer { g in
      for (i, action) in cache.previousActions.enumerated() where action >= 0 {
        let source = g.baseAddress! + i * width + P
        let target = tableGradient + action * E
        for j in 0..<E { target[j] += source[j] }
      }
    }
    for (index, chunk) in chunks(cache.liveRows.count).enumerated() {
      let encoded = encoded(cache, chunk: index, rows: chunk, parameters)
      var featuresGradient = Tensor<Scalar>(shape: encoded.features.shape)
      featuresGradient.withUnsafeMutableBufferPointer { df in
        gradient.withUnsafeBufferPointer { g in
          for i in 0..<chunk.count {
            (df.baseAddress! + i * P).update(
              from: g.baseAddress! + (chunk.lowerBound + i) * width, count: P)
          }
        }
      }
      let hiddenGradient = conv2.backward(
        Activations.reluBackward(featuresGradient, output: encoded.features), encoded.conv2,
        parameters)!
      conv1.backward(
        Activations.reluBackward(hiddenGradient, output: encoded.hidden), encoded.conv1,
        parameters, computeInputGradient: false)
    }
  }

  /// out[rows[i]] = values[i] for rows of `width` scalars.
  func scatterRows(
    _ values: Tensor<Scalar>, rows: [Int], width: Int, into out: inout Tensor<Scalar>
  ) {
    out.withUnsafeMutableBufferPointer { out in
      values.withUnsafeBufferPointer { v in
        for (i, row) in rows.enumerated() {
          (out.baseAddress! + row * width).update(from: v.baseAddress! + i * width, count: width)
        }
      }
    }
  }

  /// values[rows[i]] as [M, width].
  func gatherRows(_ values: Tensor<Scalar>, rows: [Int], width: Int) -> Tensor<Scalar> {
    var out = Tensor<Scalar>(shape: [rows.count, width])
    out.withUnsafeMutableBufferPointer { out in
      values.withUnsafeBufferPointer { v in
        for (i, row) in rows.enumerated() {
          (out.baseAddress! + i * width).update(from: v.baseAddress! + row * width, count: width)
        }
      }
    }
    return out
  }
}
