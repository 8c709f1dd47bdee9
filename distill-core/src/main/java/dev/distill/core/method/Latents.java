package dev.distill.core.method;

import dev.distill.api.Encoder;
import dev.distill.core.tensor.TensorScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/** Batched, gradient-free encoding of a class's images. */
final class Latents {
  private Latents() {}

  /**
   * Encodes images in batches without autograd.
   *
   * @return {@code [N, ...]} float32 CPU latents in the caller's scope
   */
  static Tensor encodeAll(Encoder encoder, Tensor images, int batchSize) {
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard()) {
      TensorVector parts = new TensorVector();
      long n = images.size(0);
      for (long i = 0; i < n; i += batchSize) {
        long len = Math.min(batchSize, n - i);
        parts.push_back(encoder.encode(images.narrow(0, i, len)).detach().cpu().to(torch.ScalarType.Float));
      }
      return scope.keep(torch.cat(parts, 0));
    }
  }
}
