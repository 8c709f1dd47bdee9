package dev.distill.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.api.Progress;
import dev.distill.core.augment.DsaConfig;
import dev.distill.core.augment.DsaMode;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.eval.ClassifierTrainer;
import dev.distill.core.eval.LrSchedule;
import dev.distill.core.eval.OptimizerKind;
import dev.distill.core.eval.Teachers;
import dev.distill.core.eval.TopKAccuracy;
import dev.distill.core.eval.TrainConfig;
import dev.distill.core.io.AtomicFiles;
import dev.distill.core.io.Idx;
import dev.distill.core.match.HardLabelMatcher;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.core.tensor.Threads;
import dev.distill.examples.cli.DistillCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Trains the Fashion-MNIST reference classifier ({@link Teachers#fashionMnist()}): a ConvNet-3
 * (instance norm) on the 60,000 training images, Adam with cosine decay, random flips; writes the
 * weights (safetensors) and a JSON record with the test accuracy. The defaults reproduce the
 * shipped teacher (width 64, 6 epochs, 92.0% test top-1, 31 min on a shared CPU):
 *
 * <pre>
 * ./distill train-teacher --threads 1 --out distill-core/src/main/resources/dev/distill/core/eval
 * </pre>
 *
 * <p>Options: {@code --data DIR} (IDX files, default {@code /usr/share/datasets/fashion-mnist}),
 * {@code --out DIR}, {@code --width N} (64), {@code --epochs N} (6), {@code --batch N} (256),
 * {@code --lr X} (0.002), {@code --augment STRATEGY} (a DSA strategy applied in full, {@code flip};
 * {@code none} for none), {@code --limit N} (use the first N training and N/6 test images, for a
 * smoke run), {@code --threads N} (LibTorch intra-op threads; 1 is fastest on a shared CPU), {@code
 * --seed N} (0).
 */
public final class TrainTeacher {
  private TrainTeacher() {}

  /**
   * The parsed settings of one teacher training run (the {@code distill train-teacher} options).
   *
   * @param data the folder with Fashion-MNIST's IDX files
   * @param out where the weights and the JSON record are written
   * @param width ConvNet-3 width
   * @param epochs training epochs
   * @param batchSize batch size
   * @param learningRate Adam's peak learning rate
   * @param augment the DSA strategy applied in full ({@code none} for none)
   * @param limit use only the first {@code limit} training and {@code limit/6} test images (0: all)
   * @param threads LibTorch intra-op threads; 0 keeps LibTorch's
   * @param seed the seed
   * @since 0.1.0
   */
  public record Options(
      Path data,
      Path out,
      int width,
      int epochs,
      int batchSize,
      double learningRate,
      String augment,
      int limit,
      int threads,
      long seed) {}

  /**
   * Entry point; the same as {@code distill train-teacher ARGS}.
   *
   * @param args the {@code distill train-teacher} options
   */
  public static void main(String[] args) {
    System.exit(DistillCli.run("train-teacher", args));
  }

  /**
   * Trains the teacher.
   *
   * @param options the settings
   * @throws IOException if the data cannot be read or the outputs written
   */
  public static void run(Options options) throws IOException {
    Path data = options.data();
    Path out = options.out();
    int width = options.width();
    int epochs = options.epochs();
    int batch = options.batchSize();
    double lr = options.learningRate();
    String augment = options.augment();
    int limit = options.limit();
    long seed = options.seed();
    if (options.threads() > 0) {
      Threads.set(options.threads());
    }
    System.out.printf(Locale.ROOT, "LibTorch threads: %d%n", torch.get_num_threads());

    try (LabeledImages train = readFashionMnist(data, "train", limit);
        LabeledImages test =
            readFashionMnist(data, "t10k", limit > 0 ? Math.max(1, limit / 6) : 0)) {
      System.out.printf(
          Locale.ROOT, "train %d images, test %d images%n", train.size(), test.size());
      ConvNetConfig arch = ConvNetConfig.of(1, 28, 28, 10).withNetWidth(width);
      TrainConfig config =
          new TrainConfig(
              OptimizerKind.ADAM,
              lr,
              0.9,
              0.0,
              epochs,
              batch,
              LrSchedule.COSINE,
              0.1,
              DsaConfig.defaults().withStrategy(augment).withMode(DsaMode.ALL));
      long start = System.nanoTime();
      try (ConvNet net = ConvNet.of(arch, seed)) {
        System.out.printf(Locale.ROOT, "%s%n", net);
        TopKAccuracy[] last = new TopKAccuracy[1];
        long[] epochStart = {System.nanoTime()};
        // the listener runs after every epoch on this thread: log the test accuracy
        var result =
            ClassifierTrainer.of(config)
                .train(
                    net,
                    train.images(),
                    train.labels(),
                    HardLabelMatcher.of(),
                    seed,
                    (Progress p) -> {
                      last[0] = ClassifierTrainer.accuracy(net, test.images(), test.labels(), 500);
                      int epoch = (int) p.done() - 1;
                      System.out.printf(
                          Locale.ROOT,
                          "epoch %d/%d lr %.6f %s test top1 %.2f top5 %.2f (%.0f s, total %.0f s)%n",
                          p.done(),
                          p.total(),
                          config.learningRateAt(epoch),
                          p.message(),
                          last[0].top1(),
                          last[0].top5(),
                          (System.nanoTime() - epochStart[0]) / 1e9,
                          (System.nanoTime() - start) / 1e9);
                      epochStart[0] = System.nanoTime();
                    },
                    "teacher");
        TopKAccuracy acc = last[0];
        System.out.printf(
            Locale.ROOT, "trained %d steps in %.0f s%n", result.steps(), result.seconds());
        Files.createDirectories(out);
        Path weights = out.resolve("fashion-mnist-convnet.safetensors");
        net.save(weights);
        ObjectMapper json = new ObjectMapper();
        ObjectNode record = json.createObjectNode();
        record.put("model", "Fashion-MNIST reference classifier (distill Teachers.fashionMnist)");
        record.set("architecture", json.valueToTree(arch));
        record.set("training", json.valueToTree(config));
        record.put(
            "note",
            "cosine rate set per epoch; augmentation applies every transform of"
                + " the strategy (DSA mode ALL) with per-sample parameters");
        record.put("trainImages", train.size());
        record.put("testImages", test.size());
        record.put("testTop1", acc.top1());
        record.put("testTop5", acc.top5());
        record.put("seed", seed);
        record.put("seconds", (System.nanoTime() - start) / 1e9);
        record.put("threads", torch.get_num_threads());
        record.put("pixels", "x / 127.5 - 1, shape [N, 1, 28, 28]");
        record.put("command", "distill train-teacher " + options);
        record.put("createdAt", Instant.now().toString());
        byte[] text =
            json.writerWithDefaultPrettyPrinter()
                .writeValueAsString(record)
                .getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(out.resolve("fashion-mnist-convnet.json"), o -> o.write(text));
        System.out.printf(
            Locale.ROOT,
            "wrote %s (%d bytes), test top1 %.2f%n",
            weights,
            Files.size(weights),
            acc.top1());
      }
    }
  }

  /**
   * Reads a Fashion-MNIST split from IDX files.
   *
   * @param dir the folder with {@code <split>-images-idx3-ubyte.gz} and {@code
   *     <split>-labels-idx1-ubyte.gz}
   * @param split {@code train} or {@code t10k}
   * @param limit keep only the first {@code limit} images (0 = all)
   * @return the images in {@code [-1, 1]}, {@code [N, 1, 28, 28]}
   */
  static LabeledImages readFashionMnist(Path dir, String split, int limit) throws IOException {
    Idx.ByteArray images = Idx.read(dir.resolve(split + "-images-idx3-ubyte.gz"));
    Idx.ByteArray labels = Idx.read(dir.resolve(split + "-labels-idx1-ubyte.gz"));
    int n = images.shape()[0];
    if (limit > 0) {
      n = Math.min(n, limit);
    }
    int h = images.shape()[1];
    int w = images.shape()[2];
    byte[] pix = java.util.Arrays.copyOf(images.data(), n * h * w);
    long[] lab = new long[n];
    for (int i = 0; i < n; i++) {
      lab[i] = labels.data()[i] & 0xff;
    }
    try (TensorScope s = TensorScope.open()) {
      Tensor x =
          Tensors.fromBytes(pix, n, 1, h, w)
              .to(ScalarType.Float)
              .div(new Scalar(127.5))
              .sub(new Scalar(1.0))
              .contiguous();
      Tensor y = Tensors.fromLongs(lab, n);
      return new LabeledImages(s.detach(x), s.detach(y), Teachers.FASHION_MNIST_CLASSES);
    }
  }
}
