package dev.distill.core.eval;

import dev.distill.core.data.LabeledImages;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tiny separable image set for training tests: class k of 4 is a bright band of rows {@code 2k,
 * 2k+1} on a dark 1×8×8 image, plus Gaussian noise (invariant to horizontal flips, so DSA keeps the
 * labels).
 */
final class TinyData {
  static final int CLASSES = 4;
  static final List<String> NAMES = List.of("band0", "band1", "band2", "band3");

  private TinyData() {}

  static LabeledImages make(int perClass, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = perClass * CLASSES;
    float[] pix = new float[n * 64];
    long[] labels = new long[n];
    for (int i = 0; i < n; i++) {
      int k = i % CLASSES;
      labels[i] = k;
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          float base = (y / 2 == k) ? 0.8f : -0.8f;
          pix[i * 64 + y * 8 + x] = base + (float) (r.nextGaussian() * 0.3);
        }
      }
    }
    try (TensorScope s = TensorScope.open()) {
      return new LabeledImages(
          s.detach(Tensors.fromFloats(pix, n, 1, 8, 8)),
          s.detach(Tensors.fromLongs(labels, n)),
          NAMES);
    }
  }
}
