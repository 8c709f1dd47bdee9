package dev.distill.task.eval;

import dev.distill.api.DistillException;
import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.eval.OptimizerKind;
import dev.distill.core.nn.ParameterSet;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.task.proxy.AnnotationTaskProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;

/**
 * The epoch loop both evaluators train their students with: per epoch a seeded permutation of the
 * set, batches in that order (the last one smaller), loss = the student's task loss / batch size.
 */
final class StudentTraining {
  /** Keeps the batch order's stream apart from the initialisation's (both start from the seed). */
  private static final long ORDER_SALT = 0x5DEECE66DL;

  private StudentTraining() {}

  /** The optimiser settings of a protocol. */
  record Settings(
      int epochs,
      int batchSize,
      OptimizerKind optimizer,
      double learningRate,
      double momentum,
      DeviceOptions device) {}

  /**
   * Trains {@code student} in place.
   *
   * @return the mean per-image loss of the last batch
   * @throws DistillException if the loss stops being finite
   */
  static double train(
      AnnotationTaskProxy student,
      ParameterSet parameters,
      Tensor images,
      List<ImageAnnotations> targets,
      Settings settings,
      long seed,
      ProgressListener listener,
      String stage) {
    int n = targets.size();
    int batch = Math.min(settings.batchSize(), n);
    int steps = (n + batch - 1) / batch;
    SplittableRandom rng = new SplittableRandom(seed ^ ORDER_SALT);
    double loss = Double.NaN;
    try (TensorScope phase = TensorScope.open()) {
      Optimizer optimizer = optimizer(parameters, settings);
      // a distilled set is small: copy it to the device once, not once per step
      Tensor onDevice = settings.device().placeFloat(images.detach());
      for (int epoch = 0; epoch < settings.epochs(); epoch++) {
        int[] order = permutation(rng, n);
        for (int step = 0; step < steps; step++) {
          int from = step * batch;
          int to = Math.min(n, from + batch);
          try (TensorScope s = TensorScope.open()) {
            long[] idx = new long[to - from];
            List<ImageAnnotations> batchTargets = new ArrayList<>(to - from);
            for (int b = from; b < to; b++) {
              idx[b - from] = order[b];
              batchTargets.add(targets.get(order[b]));
            }
            Tensor x =
                onDevice.index_select(
                    0, settings.device().place(Tensors.fromLongs(idx, to - from)));
            Tensor l = student.taskLoss(x, batchTargets).div(Tensors.scalar(to - from));
            optimizer.zero_grad(false);
            l.backward();
            optimizer.step();
            if (step == steps - 1) {
              loss = l.item_double();
              if (!Double.isFinite(loss)) {
                throw new DistillException(
                    String.format(
                        Locale.ROOT,
                        "training loss must be finite but was %s at epoch %d (lr %s)",
                        loss,
                        epoch,
                        settings.learningRate()));
              }
            }
          }
        }
        listener.onProgress(
            new Progress(
                stage,
                epoch + 1,
                settings.epochs(),
                String.format(Locale.ROOT, "loss %.4f", loss)));
      }
    }
    return loss;
  }

  private static Optimizer optimizer(ParameterSet parameters, Settings settings) {
    return switch (settings.optimizer()) {
      case SGD -> {
        SGDOptions o = new SGDOptions(settings.learningRate());
        o.momentum().put(settings.momentum());
        yield new SGD(parameters.trainableVector(), o);
      }
      case ADAM -> new Adam(parameters.trainableVector(), new AdamOptions(settings.learningRate()));
    };
  }

  /** A seeded Fisher–Yates permutation of {@code 0..n-1}. */
  private static int[] permutation(SplittableRandom rng, int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
