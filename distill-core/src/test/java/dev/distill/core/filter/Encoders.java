package dev.distill.core.filter;

import dev.distill.api.Encoder;
import dev.distill.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

/** Tiny encoders for the filter tests. */
final class Encoders {
  private Encoders() {}

  /** Pixels as the embedding. */
  static Encoder identity() {
    return new Encoder() {
      @Override
      public Tensor encode(Tensor images) {
        return images.mul(Tensors.scalar(1.0));
      }

      @Override
      public String id() {
        return "identity";
      }
    };
  }

  /** An embedding that cannot tell an image from its mirror image. */
  static Encoder mirrorInvariant() {
    return new Encoder() {
      @Override
      public Tensor encode(Tensor images) {
        return images.add(images.flip(3));
      }

      @Override
      public String id() {
        return "mirror-invariant";
      }
    };
  }
}
