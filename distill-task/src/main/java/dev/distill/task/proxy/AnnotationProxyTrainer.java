package dev.distill.task.proxy;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.eval.LrSchedule;
import dev.distill.core.nn.ParameterSet;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Tensor;

/**
 * Trains an annotation proxy on its own task loss: Adam on random mini-batches (drawn with
 * replacement by a seeded generator), loss = the proxy's {@link AnnotationTaskProxy#taskLoss} /
 * batch size, at a constant rate or with cosine decay. A deliberately small trainer for proxies (no
 * augmentation).
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
    return train(
        proxy,
        parameters,
        images,
        targets,
        steps,
        batchSize,
        learningRate,
        LrSchedule.CONSTANT,
        seed,
        ProgressListener.NONE);
  }

  /**
   * Trains a proxy in place with a learning-rate schedule, reporting every step.
   *
   * <p>{@link LrSchedule#COSINE} sets the rate of step {@code s} (of {@code steps}) to {@code
   * learningRate · (1 + cos(π s / steps)) / 2}, every step; {@link LrSchedule#CONSTANT} keeps it.
   * The same inputs give the same result on one machine.
   *
   * @param proxy the proxy
   * @param parameters its trainable parameters (e.g. {@link LrAsppSegmenter#parameters()})
   * @param images {@code [M, C, H, W]} training images in {@code [-1, 1]}, on the CPU
   * @param targets one target per image
   * @param steps the number of steps, {@code >= 1}
   * @param batchSize the batch size, {@code >= 1}
   * @param learningRate Adam's (peak) learning rate, {@code > 0}
   * @param schedule {@link LrSchedule#CONSTANT} or {@link LrSchedule#COSINE}
   * @param seed the seed of the batch draws
   * @param listener called after every step on this thread with stage {@code "train"}, the steps
   *     done and total, and a message with the batch loss and rate
   * @return the first and last batch losses
   * @throws IllegalArgumentException if a value is out of range, the counts differ or the schedule
   *     is {@link LrSchedule#STEP_HALF} (an epoch schedule)
   */
  public static ProxyTrainResult train(
      AnnotationTaskProxy proxy,
      ParameterSet parameters,
      Tensor images,
      List<ImageAnnotations> targets,
      int steps,
      int batchSize,
      double learningRate,
      LrSchedule schedule,
      long seed,
      ProgressListener listener) {
    checkNotNull(schedule, "schedule");
    checkNotNull(listener, "listener");
    checkArgument(
        schedule != LrSchedule.STEP_HALF,
        "schedule must be CONSTANT or COSINE but was %s",
        schedule);
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
        double lr =
            schedule == LrSchedule.COSINE
                ? 0.5 * learningRate * (1 + Math.cos(Math.PI * step / (double) steps))
                : learningRate;
        if (schedule == LrSchedule.COSINE) {
          try (TensorScope s = TensorScope.open()) { // the group handles are freed each step
            var groups = adam.param_groups();
            for (long g = 0; g < groups.size(); g++) {
              groups.get(g).options().set_lr(lr);
            }
          }
        }
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
        listener.onProgress(
            new Progress(
                "train",
                step + 1,
                steps,
                String.format(Locale.ROOT, "loss %.4f lr %.3g", last, lr)));
      }
    }
    return new ProxyTrainResult(steps, first, last);
  }
}
