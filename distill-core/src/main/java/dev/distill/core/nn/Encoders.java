package dev.distill.core.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Encoder;
import dev.distill.core.data.Dataset;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Batched use of an {@link Encoder}: the one place that encodes a whole image set.
 *
 * @since 0.1.0
 */
public final class Encoders {
  private Encoders() {}

  /**
   * Encodes images in batches of {@code batchSize}, without autograd; each batch's intermediate
   * tensors are freed before the next.
   *
   * @param encoder the encoder
   * @param images {@code [N, C, H, W]} with {@code N >= 1}
   * @param batchSize images per encoder call, at least 1
   * @return {@code [N, ...]} float32 on the CPU, detached, in the caller's scope
   * @throws IllegalArgumentException if {@code images} is empty, {@code batchSize < 1}, or the
   *     encoder returns another batch size than it was given (the message names the encoder)
   */
  public static Tensor encodeAll(Encoder encoder, Tensor images, int batchSize) {
    checkNotNull(encoder, "encoder");
    checkNotNull(images, "images");
    checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
    long n = images.size(0);
    checkArgument(
        n >= 1,
        "images must not be empty but had shape %s",
        Arrays.toString(Tensors.shape(images)));
    try (TensorScope scope = TensorScope.open()) {
      TensorVector parts = new TensorVector();
      for (long start = 0; start < n; start += batchSize) {
        long len = Math.min(batchSize, n - start);
        try (TensorScope batch = TensorScope.open()) {
          parts.push_back(batch.keep(encodeBatch(encoder, images.narrow(0, start, len))));
        }
      }
      return scope.keep(torch.cat(parts, 0));
    }
  }

  /**
   * Encodes one class of a dataset, streaming: each batch is decoded, prepared, encoded and freed
   * before the next, so only the encodings accumulate (never the decoded images).
   *
   * @param encoder the encoder
   * @param data the dataset
   * @param classId the class
   * @param batchSize images per decode and encoder call
   * @param prepare maps a decoded batch to the encoder's input (e.g. resize to the generation size)
   * @return {@code [classSize, ...]} float32 on the CPU, detached, in the caller's scope
   */
  public static Tensor encodeClass(
      Encoder encoder, Dataset data, int classId, int batchSize, UnaryOperator<Tensor> prepare) {
    checkNotNull(encoder, "encoder");
    checkNotNull(data, "data");
    checkNotNull(prepare, "prepare");
    checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
    int n = data.classSize(classId);
    checkArgument(n >= 1, "class %s must have at least one image but had none", classId);
    try (TensorScope scope = TensorScope.open()) {
      TensorVector parts = new TensorVector();
      for (int start = 0; start < n; start += batchSize) {
        int len = Math.min(batchSize, n - start);
        try (TensorScope batch = TensorScope.open()) {
          parts.push_back(
              batch.keep(encodeBatch(encoder, prepare.apply(data.load(classId, start, len)))));
        }
      }
      return scope.keep(torch.cat(parts, 0));
    }
  }

  /**
   * Encodes one batch without autograd.
   *
   * @param encoder the encoder
   * @param images the encoder's input {@code [n, C, H, W]}
   * @return {@code [n, ...]} float32 CPU, detached, contiguous, in the caller's scope
   * @throws IllegalArgumentException if the encoder returns another batch size
   */
  public static Tensor encodeBatch(Encoder encoder, Tensor images) {
    long len = images.size(0);
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard()) {
      Tensor e = encoder.encode(images);
      checkArgument(
          e.dim() >= 1 && e.size(0) == len,
          "encoder %s must return [%s, ...] but returned %s",
          encoder.id(),
          len,
          Arrays.toString(Tensors.shape(e)));
      return scope.keep(e.detach().to(torch.ScalarType.Float).cpu().contiguous());
    }
  }
}
