package dev.distill.task.proxy;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.nn.ParameterSet;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Tensor;

/**
 * Trains an annotation proxy on its own task loss: Adam on random mini-batches (drawn with
 * replacement by a seeded generator), loss = the proxy's {@link AnnotationTaskProxy#taskLoss} /
 * batch size. A deliberately small trainer for proxies (no schedule, no augmentation).
 *
 * <p>Stateless; each call is confined to its thread.
 *
 * @since 0.1.0
 */
public final class AnnotationProxyTrainer {
  private AnnotationProxyTrainer() {}

  /**
   * Trains a proxy in place.
   *
   * @param proxy the proxy
   * @param parameters its trainable parameters (e.g. {@link LrAsppSegmenter#parameters()})
   * @param images {@code [M, C, H, W]} training images in {@code [-1, 1]}, on the CPU
   * @param targets one target per image
   * @param steps the number of steps, {@code >= 1}
   * @param batchSize the batch size, {@code >= 1}
   * @param learningRate Adam's learning rate, {@code > 0}
   * @param seed the seed of the batch draws
   * @return the first and last batch losses
   * @throws IllegalArgumentException if a value is out of range or the counts differ
   */
  public static ProxyTrainResult train(
      AnnotationTaskProxy proxy,
      ParameterSet parameters,
      Tensor images,
      List<ImageAnnotations> targets,
      int steps,
      int batchSize,
      double learningRate,
      long seed) {
    checkNotNull(proxy, "proxy");
    checkNotNull(parameters, "parameters");
    checkNotNull(images, "images");
    checkNotNull(targets, "targets");
    checkArgument(
        images.dim() == 4 && images.size(0) == targets.size(),
        "targets must have one entry per image (%s) but had %s",
        images.size(0),
        targets.size());
    checkArgument(steps >= 1, "steps must be >= 1 but was %s", steps);
    checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
    checkArgument(
        learningRate > 0 && Double.isFinite(learningRate),
        "learningRate must be finite and > 0 but was %s",
        learningRate);
    SplittableRandom rng = new SplittableRandom(seed);
    int m = targets.size();
    double first = Double.NaN;
    double last = Double.NaN;
    try (TensorScope phase = TensorScope.open()) {
      Adam adam = new Adam(parameters.trainableVector(), new AdamOptions(learningRate));
      for (int step = 0; step < steps; step++) {
        try (TensorScope s = TensorScope.open()) {
          long[] idx = new long[batchSize];
          List<ImageAnnotations> batch = new ArrayList<>(batchSize);
          for (int b = 0; b < batchSize; b++) {
            idx[b] = rng.nextInt(m);
            batch.add(targets.get((int) idx[b]));
          }
          Tensor x = images.index_select(0, Tensors.fromLongs(idx, batchSize));
          Tensor loss = proxy.taskLoss(x, batch).div(Tensors.scalar(batchSize));
          adam.zero_grad(false);
          loss.backward();
          adam.step();
          last = loss.item_double();
          if (step == 0) {
            first = last;
          }
        }
      }
    }
    return new ProxyTrainResult(steps, first, last);
  }
}
