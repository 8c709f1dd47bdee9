package dev.distill.core.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.DistillException;
import dev.distill.api.Matcher;
import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import dev.distill.api.TeacherLogits;
import dev.distill.core.augment.Dsa;
import dev.distill.core.data.Dataset;
import dev.distill.core.match.StudentMatcher;
import dev.distill.core.nn.ImageClassifier;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import java.util.Iterator;
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
 * Top-1/Top-5 accuracy (on in-memory tensors, or streamed from a {@link Dataset}). The one training
 * loop of the library: {@link ClassificationEvaluator} trains students with it, and teachers are
 * trained with it. A {@link StudentMatcher} (e.g. the gradient-statistics matcher) is handed the
 * network as well as its logits.
 *
 * <p>Each epoch shuffles the images (a permutation from the run seed; skipped when the whole set
 * fits in one batch, where order does not matter), augments each batch with {@link Dsa} (drawn from
 * the same seeded generator) and takes one optimiser step per batch. Every step runs in its own
 * {@link TensorScope}. Training runs on {@link TrainConfig#device()} (the network must have been
 * created there); the training images may live anywhere and are copied to the device once per
 * optimiser phase. The optimiser state lives in a scope closed at the end of the run (or at the
 * {@link LrSchedule#STEP_HALF} decay, where the optimiser is rebuilt as DC/DSA do). Runs on the
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
    return trainWith(net, images, labels, null, matcher, seed, listener, stage);
  }

  /**
   * Trains a network in place on images with stored teacher logits: each batch's rows of {@code
   * stored} (on the training device, in the batch's order) are handed to {@link
   * Matcher#loss(Tensor, Tensor, Tensor, TeacherLogits)}.
   *
   * @param net the network (its parameters are updated)
   * @param images {@code [N, C, H, W]} float32 training images with the network's input shape
   * @param labels {@code [N]} int64 labels
   * @param stored {@code [N, K]} teacher logits of the images, in the same order (borrowed)
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
      TeacherLogits stored,
      Matcher matcher,
      long seed,
      ProgressListener listener,
      String stage) {
    checkNotNull(stored, "stored");
    return trainWith(net, images, labels, stored, matcher, seed, listener, stage);
  }

  private TrainResult trainWith(
      ImageClassifier net,
      Tensor images,
      Tensor labels,
      TeacherLogits stored,
      Matcher matcher,
      long seed,
      ProgressListener listener,
      String stage) {
    checkNotNull(net, "net");
    checkNotNull(matcher, "matcher");
    checkNotNull(listener, "listener");
    checkNotNull(stage, "stage");
    Tensors.checkShape(
        images, "images", -1, net.inputShape()[0], net.inputShape()[1], net.inputShape()[2]);
    Tensors.checkShape(labels, "labels", images.size(0));
    if (stored != null) {
      Tensors.checkShape(stored.logits(), "stored teacher logits", images.size(0), -1);
    }
    checkArgument(
        stored != null || !matcher.needsTeacherLogits(),
        "matcher %s needs stored teacher logits but none were given (train with the overload"
            + " taking TeacherLogits)",
        matcher);
    checkArgument(images.size(0) > 0, "images must not be empty but had %s", images.size(0));
    DeviceOptions device = config.device();
    checkArgument(
        net.deviceOptions().equals(device),
        "net must run on %s (TrainConfig.device) but runs on %s",
        device,
        net.deviceOptions());
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
        // a distilled set is small: copy it to the device once per phase, not once per step
        Tensor onDevice = device.placeFloat(images.detach());
        Tensor labelsLong = device.place(labels.to(ScalarType.Long));
        Tensor storedOnDevice =
            stored == null ? null : device.place(stored.logits().detach().to(ScalarType.Float));
        for (; epoch < phaseEnd; epoch++) {
          if (config.schedule() == LrSchedule.COSINE) {
            setLearningRate(optimizer, config.learningRateAt(epoch));
          }
          long[] order = stepsPerEpoch > 1 ? permutation(rng, n) : null;
          for (int step = 0; step < stepsPerEpoch; step++) {
            try (TensorScope s = TensorScope.open()) {
              Tensor x;
              Tensor y;
              Tensor t = null;
              if (order == null) {
                x = onDevice;
                y = labelsLong;
                t = storedOnDevice;
              } else {
                long from = (long) step * batch;
                long to = Math.min(n, from + batch);
                Tensor idx =
                    device.place(
                        Tensors.fromLongs(
                            Arrays.copyOfRange(order, (int) from, (int) to), to - from));
                x = onDevice.index_select(0, idx);
                y = labelsLong.index_select(0, idx);
                t = storedOnDevice == null ? null : storedOnDevice.index_select(0, idx);
              }
              Tensor augmented = dsa.apply(x, rng);
              Tensor logits = net.forward(augmented, true);
              Tensor l =
                  matcher instanceof StudentMatcher sm
                      ? sm.loss(net, logits, augmented, y)
                      : t != null
                          ? matcher.loss(
                              logits,
                              augmented,
                              y,
                              TeacherLogits.of(t, stored.temperature(), stored.teacherId()))
                          : matcher.loss(logits, augmented, y);
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
      case SGD:
        {
          SGDOptions o = new SGDOptions(lr);
          o.momentum().put(config.momentum());
          o.weight_decay().put(config.weightDecay());
          return new SGD(net.parameters().trainableVector(), o);
        }
      case ADAM:
        {
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
          long[] hits = hits(net, images.narrow(0, from, len), labels.narrow(0, from, len), k);
          correct1 += hits[0];
          correctK += hits[1];
        }
      }
    }
    return new TopKAccuracy(100.0 * correct1 / n, 100.0 * correctK / n, n);
  }

  /**
   * Top-1 and Top-5 accuracy on a dataset, streamed class by class in batches (the labels are the
   * class ids), in inference mode and without autograd: only one batch of decoded images is alive
   * at a time. Accuracy does not depend on the order, so this equals {@link #accuracy(
   * ImageClassifier, Tensor, Tensor, int)} on the same images in memory.
   *
   * @param net the network
   * @param test the labelled images, with the network's input shape
   * @param batchSize images per decode and forward pass
   * @return the accuracies in percent
   * @throws IllegalArgumentException if the dataset is empty or its image shape is not the
   *     network's
   */
  public static TopKAccuracy accuracy(ImageClassifier net, Dataset test, int batchSize) {
    checkNotNull(net, "net");
    checkNotNull(test, "test");
    checkArgument(batchSize > 0, "batchSize must be > 0 but was %s", batchSize);
    checkArgument(test.size() > 0, "test must not be empty but had %s images", test.size());
    checkArgument(
        Arrays.equals(test.imageShape(), net.inputShape()),
        "test images must have the network's shape %s but had %s",
        Arrays.toString(net.inputShape()),
        Arrays.toString(test.imageShape()));
    int k = Math.min(5, net.numClasses());
    long correct1 = 0;
    long correctK = 0;
    long n = 0;
    try (NoGradGuard g = new NoGradGuard()) {
      for (int c = 0; c < test.numClasses(); c++) {
        Iterator<Tensor> batches = test.batches(c, batchSize).iterator();
        while (batches.hasNext()) {
          try (TensorScope s = TensorScope.open()) {
            Tensor batch = batches.next(); // decoded into this scope, freed at its end
            long len = batch.size(0);
            long[] labels = new long[(int) len];
            Arrays.fill(labels, c);
            long[] hits = hits(net, batch, Tensors.fromLongs(labels, len), k);
            correct1 += hits[0];
            correctK += hits[1];
            n += len;
          }
        }
      }
    }
    return new TopKAccuracy(100.0 * correct1 / n, 100.0 * correctK / n, n);
  }

  /** {top-1 hits, top-k hits} of one batch; images and labels may be on the CPU. */
  private static long[] hits(ImageClassifier net, Tensor images, Tensor labels, int k) {
    DeviceOptions device = net.deviceOptions();
    Tensor logits = net.forward(device.place(images), false);
    Tensor top = logits.topk(k, 1, true, true).get1();
    Tensor hit = top.eq(device.place(labels.to(ScalarType.Long)).unsqueeze(1));
    return new long[] {hit.narrow(1, 0, 1).sum().item_long(), hit.sum().item_long()};
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
                  net.forward(net.deviceOptions().place(images.narrow(0, from, len)), false)
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
