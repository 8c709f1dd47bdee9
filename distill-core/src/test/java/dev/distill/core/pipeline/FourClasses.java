package dev.distill.core.pipeline;

import dev.distill.core.data.LabeledImages;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** The pipeline tests' data: 4 classes × 12 images of 1×8×8 (image i is of class i mod 4). */
final class FourClasses {
  private FourClasses() {}

  /** Seeded tanh-noise images; the caller closes them (or their scope does). */
  static LabeledImages data() {
    int n = 48;
    Tensor images = torch.tanh(Rng.normal(5, n, 1, 8, 8));
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 4;
    }
    return LabeledImages.copyOf(images, Tensors.fromInts(labels), List.of("a", "b", "c", "d"));
  }
}
