package dev.distill.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.DistillException;
import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains a {@link SmallAutoencoder}: loss = mean |x − D(z)| + klWeight · mean KL(q(z|x) ‖ N(0, I)),
 * with z = μ + σ·ε drawn by the reparameterisation trick (the reconstruction and KL terms of Stable
 * Diffusion's autoencoder, without its perceptual and adversarial terms), Adam with a cosine
 * learning rate down to 5 % of the peak, and a seeded, deterministic batch order and noise.
 *
 * <p>Training images stay on the CPU; each batch is moved to the autoencoder's device. Stateless
 * apart from the autoencoder it updates in place.
 *
 * @since 0.2.0
 */
public final class AutoencoderTrainer {
  private AutoencoderTrainer() {}

  /**
   * The outcome of a run.
   *
   * @param steps the steps taken
   * @param firstLoss the first batch's loss
   * @param lastLoss the mean loss of the last {@code min(100, steps)} steps
   * @param lastReconstruction the mean L1 reconstruction error of those steps
   * @param seconds wall time
   */
  public record Result(
      int steps, double firstLoss, double lastLoss, double lastReconstruction, double seconds) {}

  /**
   * Trains the autoencoder in place.
   *
   * @param ae the autoencoder (its parameters are updated)
   * @param images {@code [N, C, H, W]} float32 CPU in {@code [-1, 1]}, borrowed
   * @param steps optimisation steps, {@code >= 1}
   * @param batchSize batch size, {@code 1..N}
   * @param learningRate peak Adam learning rate, {@code > 0}
   * @param klWeight weight of the KL term, {@code >= 0}
   * @param seed batch order and posterior noise
   * @param listener receives {@code "train-vae"} progress with the running loss every 50 steps
   * @return losses and time
   * @throws IllegalArgumentException if a value is out of range (named)
   * @throws DistillException if the loss becomes non-finite (naming the step)
   */
  public static Result train(
      SmallAutoencoder ae,
      Tensor images,
      int steps,
      int batchSize,
      double learningRate,
      double klWeight,
      long seed,
      ProgressListener listener) {
    checkNotNull(ae, "ae");
    checkNotNull(images, "images");
    checkNotNull(listener, "listener");
    SmallAutoencoderConfig c = ae.config();
    Tensors.checkShape(images, "images", -1, c.imageChannels(), c.imageSize(), c.imageSize());
    long n = images.size(0);
    checkArgument(steps >= 1, "steps must be >= 1 but was %s", steps);
    checkArgument(
        batchSize >= 1 && batchSize <= n, "batchSize must be in [1, %s] but was %s", n, batchSize);
    checkArgument(
        learningRate > 0 && Double.isFinite(learningRate),
        "learningRate must be finite and > 0 but was %s",
        learningRate);
    checkArgument(
        klWeight >= 0 && Double.isFinite(klWeight),
        "klWeight must be finite and >= 0 but was %s",
        klWeight);
    DeviceOptions device = ae.deviceOptions();
    SplittableRandom rng = new SplittableRandom(seed);
    long[] order = permutation(rng, n);
    int cursor = 0;
    long start = System.nanoTime();
    double first = Double.NaN;
    int window = Math.min(100, steps);
    double sumLoss = 0;
    double sumRec = 0;
    ae.requiresGrad(true);
    try (TensorScope phase = TensorScope.open()) {
      AdamOptions options = new AdamOptions(learningRate);
      Adam adam =
          new Adam(
              new org.bytedeco.pytorch.TensorVector(
                  ae.parameters().values().toArray(new Tensor[0])),
              options);
      for (int step = 0; step < steps; step++) {
        double lr =
            learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * step / (double) steps)));
        try (TensorScope s = TensorScope.open()) { // the group handles are freed each step
          var groups = adam.param_groups();
          for (long g = 0; g < groups.size(); g++) {
            groups.get(g).options().set_lr(lr);
          }
        }
        if (cursor + batchSize > n) {
          order = permutation(rng, n);
          cursor = 0;
        }
        long[] idx = new long[batchSize];
        System.arraycopy(order, cursor, idx, 0, batchSize);
        cursor += batchSize;
        float[] noise = new float[batchSize * c.latentChannels() * c.latentSize() * c.latentSize()];
        for (int i = 0; i < noise.length; i++) {
          noise[i] = (float) gaussian(rng);
        }
        try (TensorScope s = TensorScope.open()) {
          Tensor x = device.placeFloat(images.index_select(0, Tensors.fromLongs(idx, batchSize)));
          Tensor moments = ae.moments(x);
          int lc = c.latentChannels();
          Tensor mean = moments.narrow(1, 0, lc);
          Tensor logvar = moments.narrow(1, lc, lc);
          Tensor eps =
              device.placeFloat(
                  Tensors.fromFloats(noise, batchSize, lc, c.latentSize(), c.latentSize()));
          Tensor z = mean.add(torch.exp(logvar.mul(Tensors.scalar(0.5))).mul(eps));
          Tensor rec = ae.decodeUnscaled(z).sub(x).abs().mean();
          Tensor kl =
              mean.square()
                  .add(torch.exp(logvar))
                  .sub(Tensors.scalar(1.0))
                  .sub(logvar)
                  .mul(Tensors.scalar(0.5))
                  .mean();
          Tensor loss = rec.add(kl.mul(Tensors.scalar(klWeight)));
          double value = loss.item_double();
          if (!Double.isFinite(value)) {
            throw new DistillException(
                "autoencoder training loss is " + value + " at step " + step);
          }
          adam.zero_grad(false);
          loss.backward();
          adam.step();
          if (step == 0) {
            first = value;
          }
          if (step >= steps - window) {
            sumLoss += value;
            sumRec += rec.item_double();
          }
          if ((step + 1) % 50 == 0 || step + 1 == steps) {
            listener.onProgress(
                new Progress(
                    "train-vae",
                    step + 1,
                    steps,
                    String.format(Locale.ROOT, "loss %.5f rec %.5f", value, rec.item_double())));
          }
        }
      }
    } finally {
      ae.requiresGrad(false);
    }
    return new Result(
        steps, first, sumLoss / window, sumRec / window, (System.nanoTime() - start) / 1e9);
  }

  /**
   * Measures the scaling factor that gives unit-variance latents: 1 / std of the posterior means
   * (unscaled) over the first {@code count} images, as the Stable Diffusion authors set theirs.
   *
   * @param ae the autoencoder
   * @param images {@code [N, C, H, W]} CPU in {@code [-1, 1]}
   * @param count how many images to use, {@code 1..N}
   * @return the factor
   */
  public static double scalingFactor(SmallAutoencoder ae, Tensor images, int count) {
    checkNotNull(ae, "ae");
    checkNotNull(images, "images");
    checkArgument(
        count >= 2 && count <= images.size(0),
        "count must be in [2, %s] but was %s",
        images.size(0),
        count);
    try (TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      int lc = ae.config().latentChannels();
      double sum = 0;
      double sq = 0;
      long total = 0;
      for (int from = 0; from < count; from += 256) {
        int len = Math.min(256, count - from);
        Tensor x = ae.deviceOptions().placeFloat(images.narrow(0, from, len));
        Tensor mean = ae.moments(x).narrow(1, 0, lc).to(torch.ScalarType.Double);
        sum += mean.sum().item_double();
        sq += mean.square().sum().item_double();
        total += mean.numel();
      }
      double mu = sum / total;
      double var = sq / total - mu * mu;
      checkArgument(var > 0, "latents must vary but their variance was %s", var);
      return 1.0 / Math.sqrt(var);
    }
  }

  /**
   * The mean absolute and mean squared reconstruction error of {@code decode(encode(x))} (posterior
   * means, no sampling) on images in {@code [-1, 1]}, with the output clamped to {@code [-1, 1]}.
   *
   * @param ae the autoencoder
   * @param images {@code [N, C, H, W]} CPU
   * @return {@code {mae, mse}} in the {@code [-1, 1]} scale
   */
  public static double[] reconstructionError(SmallAutoencoder ae, Tensor images) {
    checkNotNull(ae, "ae");
    checkNotNull(images, "images");
    try (TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      long n = images.size(0);
      double abs = 0;
      double sq = 0;
      for (long from = 0; from < n; from += 256) {
        long len = Math.min(256, n - from);
        Tensor x = ae.deviceOptions().placeFloat(images.narrow(0, from, len));
        Tensor y =
            ae.decode(ae.encode(x))
                .clamp(
                    new org.bytedeco.pytorch.ScalarOptional(Tensors.scalar(-1.0)),
                    new org.bytedeco.pytorch.ScalarOptional(Tensors.scalar(1.0)));
        Tensor d = y.sub(x).to(torch.ScalarType.Double);
        abs += d.abs().sum().item_double();
        sq += d.square().sum().item_double();
      }
      double count = (double) images.numel();
      return new double[] {abs / count, sq / count};
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

  /** A standard normal draw (Box–Muller) from a {@link SplittableRandom}. */
  private static double gaussian(SplittableRandom rng) {
    double u = 1.0 - rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
