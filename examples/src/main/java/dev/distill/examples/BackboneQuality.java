package dev.distill.examples;

import dev.distill.api.Conditioning;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.core.eval.Teachers;
import dev.distill.core.io.Safetensors;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.model.BuiltinSampler;
import dev.distill.core.model.SmallUNet;
import dev.distill.core.model.SmallUNetConfig;
import dev.distill.core.nn.ImageClassifier;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.core.tensor.Threads;
import dev.distill.examples.cli.DistillCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Measures the built-in Fashion-MNIST diffusion model: samples {@code --per-class} images per class
 * (class-conditional, classifier-free guidance), writes them as an ImageFolder of 28×28 grayscale
 * PNGs ({@code OUT/<class>/<index>.png}), and judges them with the reference classifier ({@link
 * Teachers#fashionMnist()}): class agreement, within-class diversity of penultimate features
 * relative to real test images, and the feature Fréchet distance to real test images.
 *
 * <pre>
 * ./distill quality --out DIR [--steps 25] [--cfg 2.0] [--per-class 100] [--seed 0] [--grid docs/builtin-samples.png]
 *     [--weights W.safetensors --config C.json | --ckpt checkpoint.safetensors] [--threads 2]
 *     [--scheduler DPMSolverMultistepScheduler|DDIMScheduler|EulerDiscreteScheduler]
 *     [--fd-samples 10000]   (real images: the shipped Fashion-MNIST test set)
 * </pre>
 *
 * <p>Without {@code --weights}/{@code --ckpt} the shipped model ({@link
 * BuiltinModel#fashionMnist()}) is measured. The last line printed is the class agreement.
 */
public final class BackboneQuality {
  private BackboneQuality() {}

  /** Which diffusion model is measured. */
  public sealed interface ModelSource {
    /** The shipped model, {@link BuiltinModel#fashionMnist()}. */
    record Shipped() implements ModelSource {}

    /** The shipped latent model, {@link BuiltinModel#fashionMnistLatent()}. */
    record ShippedLatent() implements ModelSource {}

    /**
     * A latent model as {@code TrainBackbone --latent} writes it: {@code
     * fashion-mnist-latent-unet.{safetensors,json}} and {@code
     * fashion-mnist-vae.{safetensors,json}} in one folder.
     *
     * @param dir the folder
     */
    record LatentFolder(Path dir) implements ModelSource {}

    /**
     * EMA weights and their config, as {@code TrainBackbone} writes them.
     *
     * @param weights the {@code .safetensors} file
     * @param config the model's JSON config
     */
    record WeightFiles(Path weights, Path config) implements ModelSource {}

    /**
     * The EMA weights inside a training checkpoint.
     *
     * @param checkpoint the trainer's {@code checkpoint.safetensors}
     */
    record Checkpoint(Path checkpoint) implements ModelSource {}
  }

  /**
   * The parsed settings of one measurement (the {@code distill quality} options).
   *
   * @param out where the sampled ImageFolder is written
   * @param model the model to measure
   * @param grid where to write a grid of up to 10 samples per class, if anywhere
   * @param steps sampling steps
   * @param cfg classifier-free guidance scale
   * @param perClass samples per class
   * @param seed the sampling seed
   * @param threads LibTorch intra-op threads
   * @param fdSamples samples for the Fréchet distance
   * @param scheduler a diffusers scheduler class name
   * @since 0.1.0
   */
  public record Options(
      Path out,
      ModelSource model,
      Optional<Path> grid,
      int steps,
      double cfg,
      int perClass,
      long seed,
      int threads,
      int fdSamples,
      String scheduler) {}

  /**
   * Entry point; the same as {@code distill quality ARGS}.
   *
   * @param args the {@code distill quality} options
   */
  public static void main(String[] args) {
    System.exit(DistillCli.run("quality", args));
  }

  /**
   * Runs the measurement.
   *
   * @param options the settings
   * @throws Exception on any failure
   */
  public static void run(Options options) throws Exception {
    Path out = options.out();
    Path grid = options.grid().orElse(null);
    int steps = options.steps();
    double cfg = options.cfg();
    int perClass = options.perClass();
    long seed = options.seed();
    int fdSamples = options.fdSamples();
    String schedulerName = options.scheduler();
    Threads.set(options.threads());
    try (TensorScope scope = TensorScope.open();
        BuiltinModel model = open(options.model())) {
      int numClasses = model.config().numClasses();
      BuiltinSampler sampler = model.sampler().withScheduler(model.scheduler(schedulerName));
      System.out.printf(
          "model %s, %d steps %s, CFG %.2f, %d per class%n",
          model.id(), steps, schedulerName, cfg, perClass);
      List<Tensor> batches = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int k = 0; k < numClasses; k++) {
        List<Conditioning> conds = new ArrayList<>();
        for (int j = 0; j < perClass; j++) {
          conds.add(Conditioning.ofClass(k));
        }
        long t1 = System.nanoTime();
        SampleRequest request =
            SampleRequest.builder(conds)
                .seed(seed + (long) k * perClass)
                .numSteps(steps)
                .guidanceScale(cfg)
                .build();
        try (SampleResult r = sampler.sample(request)) {
          batches.add(r.images().clone());
        }
        System.out.printf(
            "class %d: %d samples in %.1f s%n", k, perClass, (System.nanoTime() - t1) / 1e9);
      }
      double sampleSeconds = (System.nanoTime() - t0) / 1e9;
      Tensor samples = torch.cat(new TensorVector(batches.toArray(new Tensor[0])), 0);
      long[] labels = new long[numClasses * perClass];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = i / perClass;
      }
      writeImageFolder(out, samples, labels, perClass);
      if (grid != null) {
        writeGrid(grid, samples, numClasses, perClass, Math.min(10, perClass));
      }
      System.out.printf(
          "sampling: %d images in %.1f s (%.2f s per 100)%n",
          labels.length, sampleSeconds, sampleSeconds * 100 / labels.length);
      judge(samples, labels, numClasses, perClass, sampler, steps, cfg, seed, fdSamples);
    }
  }

  private static BuiltinModel open(ModelSource source) throws Exception {
    if (source instanceof ModelSource.ShippedLatent) {
      return BuiltinModel.fashionMnistLatent();
    }
    if (source instanceof ModelSource.LatentFolder f) {
      String unet = BuiltinModel.FASHION_MNIST_LATENT;
      String vae = BuiltinModel.FASHION_MNIST_VAE;
      return BuiltinModel.loadLatent(
          f.dir().resolve(unet + ".safetensors"),
          f.dir().resolve(unet + ".json"),
          f.dir().resolve(vae + ".safetensors"),
          f.dir().resolve(vae + ".json"),
          BuiltinModel.FASHION_MNIST_CLASSES,
          dev.distill.core.tensor.DeviceOptions.cpu());
    }
    if (source instanceof ModelSource.WeightFiles f) {
      return BuiltinModel.load(f.weights(), f.config(), BuiltinModel.FASHION_MNIST_CLASSES);
    }
    if (source instanceof ModelSource.Checkpoint c) {
      Path tmpDir = Files.createTempDirectory("backbone-quality");
      SmallUNetConfig config;
      try (TensorScope s = TensorScope.open();
          Safetensors st = Safetensors.open(c.checkpoint())) {
        config = SmallUNetConfig.fromJson(st.metadata().get("model_config"));
        Map<String, Tensor> ema = new LinkedHashMap<>();
        for (String name : st.names()) {
          if (name.startsWith("ema/")) {
            ema.put(name.substring(4), st.tensor(name));
          }
        }
        try (SmallUNet net = SmallUNet.fromTensors(config, ema)) {
          net.save(tmpDir.resolve("ema.safetensors"), Map.of("step", st.metadata().get("step")));
        }
        Files.writeString(tmpDir.resolve("ema.json"), config.toJson());
        System.out.println("checkpoint step " + st.metadata().get("step"));
      }
      return BuiltinModel.load(
          tmpDir.resolve("ema.safetensors"),
          tmpDir.resolve("ema.json"),
          BuiltinModel.FASHION_MNIST_CLASSES);
    }
    return BuiltinModel.fashionMnist();
  }

  private static void judge(
      Tensor samples,
      long[] labels,
      int numClasses,
      int perClass,
      BuiltinSampler sampler,
      int steps,
      double cfg,
      long seed,
      int fdSamples)
      throws Exception {
    try (ImageClassifier teacher = Teachers.fashionMnist();
        NoGradGuard g = new NoGradGuard()) {
      Tensor logits = teacher.forward(samples);
      long[] predicted =
          Tensors.toLongs(logits.argmax(new org.bytedeco.pytorch.LongOptional(1), false));
      int[] correct = new int[numClasses];
      int agree = 0;
      for (int i = 0; i < labels.length; i++) {
        if (predicted[i] == labels[i]) {
          agree++;
          correct[(int) labels[i]]++;
        }
      }
      StringBuilder per = new StringBuilder();
      for (int k = 0; k < numClasses; k++) {
        per.append(String.format(" %d:%.2f", k, (double) correct[k] / perClass));
      }
      System.out.println("per-class agreement:" + per);

      Tensor real = realTestImages(numClasses, perClass);
      Tensor fakeFeatures = teacher.penultimate(samples).to(ScalarType.Double);
      Tensor realFeatures = teacher.penultimate(real).to(ScalarType.Double);
      double fakeDiv = 0;
      double realDiv = 0;
      for (int k = 0; k < numClasses; k++) {
        fakeDiv += meanPairwiseDistance(fakeFeatures.narrow(0, (long) k * perClass, perClass));
        realDiv += meanPairwiseDistance(realFeatures.narrow(0, (long) k * perClass, perClass));
      }
      System.out.printf(
          "within-class diversity: generated %.4f, real %.4f, ratio %.3f%n",
          fakeDiv / numClasses, realDiv / numClasses, fakeDiv / realDiv);
      // Frechet distance: the full real test set (shipped) vs fdSamples class-balanced samples
      int fdPerClass = Math.max(perClass, fdSamples / numClasses);
      List<Tensor> fdFeatures = new ArrayList<>();
      fdFeatures.add(fakeFeatures);
      long tf = System.nanoTime();
      for (int k = 0; k < numClasses && fdPerClass > perClass; k++) {
        for (int done = perClass; done < fdPerClass; done += 100) {
          int n = Math.min(100, fdPerClass - done);
          try (dev.distill.core.tensor.TensorScope sc =
              dev.distill.core.tensor.TensorScope.open()) {
            SampleRequest request =
                SampleRequest.builder(java.util.Collections.nCopies(n, Conditioning.ofClass(k)))
                    .seed(seed + 1_000_000L + (long) k * fdPerClass + done)
                    .numSteps(steps)
                    .guidanceScale(cfg)
                    .build();
            try (SampleResult r = sampler.sample(request)) {
              fdFeatures.add(sc.keep(teacher.penultimate(r.images()).to(ScalarType.Double)));
            }
          }
        }
      }
      Tensor allFake = torch.cat(new TensorVector(fdFeatures.toArray(new Tensor[0])), 0);
      Tensor allReal;
      try (dev.distill.core.data.LabeledImages test = dev.distill.core.data.FashionMnist.test()) {
        List<Tensor> parts = new ArrayList<>();
        for (long i = 0; i < test.size(); i += 500) {
          parts.add(
              teacher
                  .penultimate(test.images().narrow(0, i, Math.min(500, test.size() - i)))
                  .to(ScalarType.Double));
        }
        allReal = torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0);
      }
      System.out.printf(
          "feature Frechet distance (%d real test images vs %d samples, %.0f s extra sampling): %.4f%n",
          allReal.size(0),
          allFake.size(0),
          (System.nanoTime() - tf) / 1e9,
          frechet(allFake, allReal));
      System.out.printf("class agreement: %.4f%n", (double) agree / labels.length);
    }
  }

  private static double meanPairwiseDistance(Tensor f) {
    long n = f.size(0);
    double sum = torch.cdist(f, f).sum().item_double();
    return sum / (n * (n - 1));
  }

  /** ‖μ1−μ2‖² + tr Σ1 + tr Σ2 − 2 tr (Σ1^½ Σ2 Σ1^½)^½, in float64. */
  private static double frechet(Tensor a, Tensor b) {
    Tensor mu1 = a.mean(0);
    Tensor mu2 = b.mean(0);
    Tensor c1 = torch.cov(a.t());
    Tensor c2 = torch.cov(b.t());
    T_TensorTensor_T eig = torch.linalg_eigh(c1);
    Tensor values = eig.get0().clamp_min(new org.bytedeco.pytorch.Scalar(0.0)).sqrt();
    Tensor vectors = eig.get1();
    Tensor sqrt1 = vectors.mul(values.unsqueeze(0)).matmul(vectors.t());
    Tensor m = sqrt1.matmul(c2).matmul(sqrt1);
    m = m.add(m.t()).mul(new org.bytedeco.pytorch.Scalar(0.5));
    double trSqrt =
        torch
            .linalg_eigvalsh(m)
            .clamp_min(new org.bytedeco.pytorch.Scalar(0.0))
            .sqrt()
            .sum()
            .item_double();
    double diff = mu1.sub(mu2).square().sum().item_double();
    return diff + c1.trace().item_double() + c2.trace().item_double() - 2 * trSqrt;
  }

  /** The first {@code perClass} test images of each class, in class order, in [-1, 1]. */
  /** The first {@code perClass} images of each class of the shipped Fashion-MNIST test set. */
  private static Tensor realTestImages(int numClasses, int perClass) throws Exception {
    try (dev.distill.core.data.LabeledImages test = dev.distill.core.data.FashionMnist.test()) {
      List<Tensor> parts = new ArrayList<>();
      for (int k = 0; k < numClasses; k++) {
        int[] idx = java.util.Arrays.copyOf(test.indicesOf(k), perClass);
        parts.add(test.images().index_select(0, Tensors.fromInts(idx)));
      }
      return torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0);
    }
  }

  private static byte[] toBytes(float[] v, int offset, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      float p = Math.max(-1f, Math.min(1f, v[offset + i]));
      b[i] = (byte) Math.round((p + 1) * 127.5f);
    }
    return b;
  }

  private static void writePng(Path file, byte[] pixels, int height, int width) {
    Mat mat = new Mat(height, width, opencv_core.CV_8UC1);
    mat.data().put(pixels);
    if (!opencv_imgcodecs.imwrite(file.toString(), mat)) {
      throw new IllegalStateException("cannot write " + file);
    }
    mat.close();
  }

  private static void writeImageFolder(Path out, Tensor samples, long[] labels, int perClass)
      throws Exception {
    int h = (int) samples.size(2);
    int w = (int) samples.size(3);
    float[] v = Tensors.toFloats(samples);
    for (int i = 0; i < labels.length; i++) {
      Path dir = out.resolve(Long.toString(labels[i]));
      Files.createDirectories(dir);
      writePng(
          dir.resolve(String.format("%04d.png", i % perClass)), toBytes(v, i * h * w, h * w), h, w);
    }
    System.out.println("wrote " + labels.length + " PNGs to " + out);
  }

  private static void writeGrid(Path file, Tensor samples, int rows, int perClass, int cols)
      throws Exception {
    int h = (int) samples.size(2);
    int w = (int) samples.size(3);
    float[] v = Tensors.toFloats(samples);
    byte[] grid = new byte[rows * h * cols * w];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        byte[] img = toBytes(v, (r * perClass + c) * h * w, h * w);
        for (int y = 0; y < h; y++) {
          System.arraycopy(img, y * w, grid, (r * h + y) * cols * w + c * w, w);
        }
      }
    }
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    writePng(file, grid, rows * h, cols * w);
    System.out.println("wrote grid " + file);
  }
}
