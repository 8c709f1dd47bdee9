package dev.distill.task.eval;

import com.google.common.base.Throwables;
import dev.distill.api.DistillException;
import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.nn.ParameterSet;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.task.proxy.AnnotationTaskProxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongFunction;
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

  /**
   * What {@link #overSeeds} measured.
   *
   * @param studentId the students' id (the same for every seed)
   * @param values metric name → one value per seed, in seed order
   */
  record Measured(String studentId, Map<String, List<Double>> values) {}

  /**
   * The per-seed loop both evaluators run: for each seed of the protocol, a fresh student is
   * created, trained on the set ({@link #train}) and scored on the test images; the metrics it
   * scores plus {@code trainLoss}, {@code trainSeconds} and {@code testSeconds} are collected.
   *
   * @param create a fresh student for a seed (closed here)
   * @param parameters the student's trainable parameters
   * @param score the student's metrics on the test images (name → value)
   * @param headline the metric names the per-seed {@code "evaluate"} progress message shows
   */
  static <S extends AnnotationTaskProxy & AutoCloseable> Measured overSeeds(
      SceneProtocol protocol,
      Tensor images,
      List<ImageAnnotations> targets,
      Tensor test,
      LongFunction<S> create,
      Function<S, ParameterSet> parameters,
      BiFunction<S, Tensor, Map<String, Double>> score,
      List<String> headline,
      ProgressListener listener) {
    Map<String, List<Double>> values = new LinkedHashMap<>();
    List<Long> seeds = protocol.seeds();
    String id = null;
    for (int i = 0; i < seeds.size(); i++) {
      long seed = seeds.get(i);
      String stage = "train seed " + seed + " (" + (i + 1) + "/" + seeds.size() + ")";
      try (S student = create.apply(seed)) {
        id = student.id();
        long start = System.nanoTime();
        double loss =
            train(
                student,
                parameters.apply(student),
                images,
                targets,
                protocol,
                seed,
                listener,
                stage);
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        long testStart = System.nanoTime();
        Map<String, Double> scored = score.apply(student, test);
        double testSeconds = (System.nanoTime() - testStart) / 1e9;
        scored.forEach((name, v) -> add(values, name, v));
        add(values, "trainLoss", loss);
        add(values, "trainSeconds", trainSeconds);
        add(values, "testSeconds", testSeconds);
        StringBuilder message = new StringBuilder("seed ").append(seed).append(':');
        for (String name : headline) {
          message.append(String.format(Locale.ROOT, " %s %.2f", name, scored.get(name)));
        }
        message.append(String.format(Locale.ROOT, " (train %.1f s)", trainSeconds));
        listener.onProgress(new Progress("evaluate", i + 1, seeds.size(), message.toString()));
      } catch (Exception e) {
        Throwables.throwIfUnchecked(e);
        throw new IllegalStateException("closing the student failed", e);
      }
    }
    return new Measured(id, values);
  }

  private static void add(Map<String, List<Double>> values, String name, double v) {
    values.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
  }

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
      SceneProtocol settings,
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

  private static Optimizer optimizer(ParameterSet parameters, SceneProtocol settings) {
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
