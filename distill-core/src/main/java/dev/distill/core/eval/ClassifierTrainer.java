package dev.distill.core.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.DistillException;
import dev.distill.api.Matcher;
import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import dev.distill.core.augment.Dsa;
import dev.distill.core.nn.ImageClassifier;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Trains an {@link ImageClassifier} on in-memory images with a {@link Matcher} loss, and measures
 * Top-1/Top-5 accuracy. The one training loop of the library: {@link ClassificationEvaluator}
 * trains students with it, and teachers are trained with it.
 *
 * <p>Each epoch shuffles the images (a permutation from the run seed; skipped when the whole set
 * fits in one batch, where order does not matter), augments each batch with {@link Dsa} (drawn
 * from the same seeded generator) and takes one optimiser step per batch. Every step runs in its
 * own {@link TensorScope}; the optimiser state lives in a scope closed at the end of the run (or at
 * the {@link LrSchedule#STEP_HALF} decay, where the optimiser is rebuilt as DC/DSA do). Runs on the
 * calling thread; not thread-safe (use one trainer per thread, the config is immutable).
 *
 * @since 0.1.0
 */
public final class ClassifierTrainer {
  private final TrainConfig config;
  private final Dsa dsa;

  private ClassifierTrainer(TrainConfig config) {
    this.config = config;
    this.dsa = Dsa.of(config.augmentation());
  }

  /**
   * A trainer.
   *
   * @param config how to train
   * @return the trainer
   */
  public static ClassifierTrainer of(TrainConfig config) {
    return new ClassifierTrainer(checkNotNull(config, "config"));
  }

  /** The training configuration. */
  public TrainConfig config() {
    return config;
  }

  /**
   * Trains a network in place.
   *
   * @param net the network (its parameters are updated)
   * @param images {@code [N, C, H, W]} float32 training images with the network's input shape
   * @param labels {@code [N]} int64 labels
   * @param matcher the loss
   * @param seed the seed of shuffling and augmentation
   * @param listener receives one event per epoch, with stage {@code stage}
   * @param stage the stage name of the progress events
   * @return what the run did
   * @throws IllegalArgumentException if shapes disagree
   * @throws DistillException if the loss becomes NaN or infinite
   */
  public TrainResult train(
      ImageClassifier net,
      Tensor images,
      Tensor labels,
      Matcher matcher,
      long seed,
      ProgressListener listener,
      String stage) {
    checkNotNull(net, "net");
    checkNotNull(matcher, "matcher");
    checkNotNull(listener, "listener");
    checkNotNull(stage, "stage");
    Tensors.checkShape(images, "images", -1, net.inputShape()[0], net.inputShape()[1],
        net.inputShape()[2]);
    Tensors.checkShape(labels, "labels", images.size(0));
    checkArgument(images.size(0) > 0, "images must not be empty but had %s", images.size(0));
    long n = images.size(0);
    int batch = (int) Math.min(config.batchSize(), n);
    int stepsPerEpoch = (int) ((n + batch - 1) / batch);
    SplittableRandom rng = new SplittableRandom(seed);
    long start = System.nanoTime();
    long steps = 0;
    double loss = Double.NaN;
    int epoch = 0;
    while (epoch < config.epochs()) {
      // one optimiser per phase of constant schedule structure (STEP_HALF rebuilds it)
      int phaseEnd =
          config.schedule() == LrSchedule.STEP_HALF && epoch < config.epochs() / 2
              ? config.epochs() / 2
              : config.epochs();
      try (TensorScope phase = TensorScope.open()) {
        Optimizer optimizer = newOptimizer(net, config.learningRateAt(epoch));
        Tensor labelsLong = labels.to(ScalarType.Long);
        for (; epoch < phaseEnd; epoch++) {
          if (config.schedule() == LrSchedule.COSINE) {
            setLearningRate(optimizer, config.learningRateAt(epoch));
          }
          long[] order = stepsPerEpoch > 1 ? permutation(rng, n) : null;
          for (int step = 0; step < stepsPerEpoch; step++) {
            try (TensorScope s = TensorScope.open()) {
              Tensor x;
              Tensor y;
              if (order == null) {
                x = images;
                y = labelsLong;
              } else {
                long from = (long) step * batch;
                long to = Math.min(n, from + batch);
                Tensor idx = Tensors.fromLongs(Arrays.copyOfRange(order, (int) from, (int) to),
                    to - from);
                x = images.index_select(0, idx);
                y = labelsLong.index_select(0, idx);
              }
              Tensor augmented = dsa.apply(x, rng);
              Tensor logits = net.forward(augmented, true);
              Tensor l = matcher.loss(logits, augmented, y);
              optimizer.zero_grad(false);
              l.backward();
              optimizer.step();
              steps++;
              if (step == stepsPerEpoch - 1) {
                loss = l.item_double();
                if (!Double.isFinite(loss)) {
                  throw new DistillException(
                      String.format(
                          "training loss must be finite but was %s at epoch %d (lr %s)",
                          loss, epoch, config.learningRateAt(epoch)));
                }
              }
            }
          }
          listener.onProgress(
              new Progress(
                  stage,
                  epoch + 1,
                  config.epochs(),
                  String.format(java.util.Locale.ROOT, "loss %.4f", loss)));
        }
      }
    }
    return new TrainResult(steps, loss, (System.nanoTime() - start) / 1e9);
  }

  private Optimizer newOptimizer(ImageClassifier net, double lr) {
    switch (config.optimizer()) {
      case SGD: {
        SGDOptions o = new SGDOptions(lr);
        o.momentum().put(config.momentum());
        o.weight_decay().put(config.weightDecay());
        return new SGD(net.parameters().trainableVector(), o);
      }
      case ADAM: {
        AdamOptions o = new AdamOptions(lr);
        o.weight_decay().put(config.weightDecay());
        return new Adam(net.parameters().trainableVector(), o);
      }
      default:
        throw new AssertionError(config.optimizer());
    }
  }

  private static void setLearningRate(Optimizer optimizer, double lr) {
    try (TensorScope s = TensorScope.open()) {
      var groups = optimizer.param_groups();
      for (long i = 0; i < groups.size(); i++) {
        groups.get(i).options().set_lr(lr);
      }
    }
  }

  private static long[] permutation(SplittableRandom rng, long n) {
    long[] p = new long[(int) n];
    for (int i = 0; i < p.length; i++) {
      p[i] = i;
    }
    for (int i = p.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      long t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /**
   * Top-1 and Top-5 accuracy, in inference mode and without autograd.
   *
   * @param net the network
   * @param images {@code [N, C, H, W]} float32
   * @param labels {@code [N]} integer labels
   * @param batchSize images per forward pass
   * @return the accuracies in percent
   */
  public static TopKAccuracy accuracy(
      ImageClassifier net, Tensor images, Tensor labels, int batchSize) {
    checkNotNull(net, "net");
    Tensors.checkShape(labels, "labels", images.size(0));
    checkArgument(batchSize > 0, "batchSize must be > 0 but was %s", batchSize);
    long n = images.size(0);
    checkArgument(n > 0, "images must not be empty but had %s", n);
    int k = Math.min(5, net.numClasses());
    long correct1 = 0;
    long correctK = 0;
    try (NoGradGuard g = new NoGradGuard()) {
      for (long from = 0; from < n; from += batchSize) {
        try (TensorScope s = TensorScope.open()) {
          long len = Math.min(batchSize, n - from);
          Tensor logits = net.forward(images.narrow(0, from, len), false);
          Tensor top = logits.topk(k, 1, true, true).get1();
          Tensor hit = top.eq(labels.narrow(0, from, len).to(ScalarType.Long).unsqueeze(1));
          correct1 += hit.narrow(1, 0, 1).sum().item_long();
          correctK += hit.sum().item_long();
        }
      }
    }
    return new TopKAccuracy(100.0 * correct1 / n, 100.0 * correctK / n, n);
  }

  /**
   * The argmax predictions of a network, in inference mode without autograd.
   *
   * @param net the network
   * @param images {@code [N, C, H, W]} float32
   * @param batchSize images per forward pass
   * @return the predicted class of each image
   */
  public static int[] predict(ImageClassifier net, Tensor images, int batchSize) {
    checkNotNull(net, "net");
    checkArgument(batchSize > 0, "batchSize must be > 0 but was %s", batchSize);
    long n = images.size(0);
    int[] out = new int[(int) n];
    try (NoGradGuard g = new NoGradGuard()) {
      for (long from = 0; from < n; from += batchSize) {
        try (TensorScope s = TensorScope.open()) {
          long len = Math.min(batchSize, n - from);
          long[] p =
              Tensors.toLongs(
                  net.forward(images.narrow(0, from, len), false)
                      .argmax(new LongOptional(1), false));
          for (int i = 0; i < p.length; i++) {
            out[(int) from + i] = (int) p[i];
          }
        }
      }
    }
    return out;
  }
}
