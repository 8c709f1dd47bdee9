package dev.distill.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.api.ProgressListener;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.data.SceneConfig;
import dev.distill.core.eval.LrSchedule;
import dev.distill.core.io.AtomicFiles;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.examples.cli.DistillCli;
import dev.distill.task.eval.DetectionEvaluator;
import dev.distill.task.eval.SceneProtocol;
import dev.distill.task.eval.SegmentationEvaluator;
import dev.distill.task.metric.DetectionMetricsResult;
import dev.distill.task.metric.SegmentationMetricsResult;
import dev.distill.task.proxy.AnnotationProxyTrainer;
import dev.distill.task.proxy.BuiltinProxies;
import dev.distill.task.proxy.CenterNetDetector;
import dev.distill.task.proxy.LrAsppSegmenter;
import dev.distill.task.proxy.ProxyNetConfig;
import dev.distill.task.proxy.ProxyTrainResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains the detection and segmentation proxies of UniDD guidance ({@link BuiltinProxies}) on real
 * Fashion-MNIST training scenes ({@link BuiltinProxies#sceneConfig()}) and scores them on real test
 * scenes: a {@link CenterNetDetector} (mAP@0.5, mAP@[.5:.95]) and an {@link LrAsppSegmenter} (mIoU,
 * pixel accuracy), each also untrained for reference. Adam with cosine decay on random mini-batches
 * ({@link AnnotationProxyTrainer}). Writes, atomically, {@code
 * DIR/fashion-mnist-scenes-detector.safetensors} (or {@code -segmenter}) and a JSON record beside
 * it. The defaults reproduce the shipped proxies:
 *
 * <pre>
 * ./distill train-proxy --threads 1 --out distill-task/src/main/resources/dev/distill/task/proxy
 * </pre>
 */
public final class TrainProxy {
  private TrainProxy() {}

  /** Which proxies to train. */
  public enum Task {
    /** The {@link CenterNetDetector}. */
    DETECTION,
    /** The {@link LrAsppSegmenter}. */
    SEGMENTATION,
    /** Both, the detector first. */
    BOTH
  }

  /**
   * The parsed settings of one run (the {@code distill train-proxy} options).
   *
   * @param out where the weights and records are written
   * @param task which proxies
   * @param scenes the training scenes (the first of the training split)
   * @param testScenes the test scenes scored (the first of the test split)
   * @param steps training steps per proxy; 0 takes the task's default
   * @param batchSize batch size; 0 takes the task's default
   * @param learningRate Adam's peak learning rate; 0 takes the task's default
   * @param netWidth the proxies' base width; 0 takes the task's default
   * @param threads LibTorch intra-op threads; 0 keeps LibTorch's
   * @param seed initialisation and batch-draw seed
   * @since 0.1.0
   */
  public record Options(
      Path out,
      Task task,
      int scenes,
      int testScenes,
      int steps,
      int batchSize,
      double learningRate,
      int netWidth,
      int threads,
      long seed) {}

  /** Default steps, batch size and learning rate of the detector. */
  public static final int DETECTOR_STEPS = 4000;

  /** The detector's default batch size. */
  public static final int DETECTOR_BATCH = 32;

  /** The detector's default peak learning rate. */
  public static final double DETECTOR_LR = 3e-3;

  /** The segmenter's default steps. */
  public static final int SEGMENTER_STEPS = 4000;

  /** The segmenter's default batch size. */
  public static final int SEGMENTER_BATCH = 32;

  /** The segmenter's default peak learning rate. */
  public static final double SEGMENTER_LR = 5e-3;

  /**
   * Entry point; the same as {@code distill train-proxy ARGS}.
   *
   * @param args the {@code distill train-proxy} options
   */
  public static void main(String[] args) {
    System.exit(DistillCli.run("train-proxy", args));
  }

  /**
   * Trains and scores the proxies and writes them.
   *
   * @param options the settings
   * @throws IOException if the scenes cannot be read or the outputs written
   */
  public static void run(Options options) throws IOException {
    if (options.threads() > 0) {
      Threads.set(options.threads());
    }
    System.out.printf(Locale.ROOT, "LibTorch threads: %d%n", torch.get_num_threads());
    SceneConfig sceneConfig = BuiltinProxies.sceneConfig();
    FashionMnistScenes train = FashionMnistScenes.train(sceneConfig);
    FashionMnistScenes test = FashionMnistScenes.test(sceneConfig);
    List<ImageAnnotations> targets = train.annotationSet(0, options.scenes()).images();
    SceneProtocol protocol =
        SceneProtocol.quickDetection().withTestScenes(options.testScenes()).withSeeds(List.of(0L));
    Files.createDirectories(options.out());
    try (TensorScope scope = TensorScope.open()) {
      long t0 = System.nanoTime();
      Tensor images = train.images(0, options.scenes());
      System.out.printf(
          Locale.ROOT,
          "%d training scenes (%s) rendered in %.1f s%n",
          options.scenes(),
          sceneConfig,
          (System.nanoTime() - t0) / 1e9);
      if (options.task() != Task.SEGMENTATION) {
        ProxyNetConfig net = BuiltinProxies.detectorConfig();
        if (options.netWidth() > 0) {
          net = withWidth(net, options.netWidth());
        }
        detector(options, net, images, targets, DetectionEvaluator.of(protocol, test));
      }
      if (options.task() != Task.DETECTION) {
        ProxyNetConfig net = BuiltinProxies.segmenterConfig();
        if (options.netWidth() > 0) {
          net = withWidth(net, options.netWidth());
        }
        segmenter(options, net, images, targets, SegmentationEvaluator.of(protocol, test));
      }
    }
  }

  private static void detector(
      Options o,
      ProxyNetConfig net,
      Tensor images,
      List<ImageAnnotations> targets,
      DetectionEvaluator evaluator)
      throws IOException {
    int steps = o.steps() > 0 ? o.steps() : DETECTOR_STEPS;
    int batch = o.batchSize() > 0 ? o.batchSize() : DETECTOR_BATCH;
    double lr = o.learningRate() > 0 ? o.learningRate() : DETECTOR_LR;
    try (CenterNetDetector d = CenterNetDetector.of(net, o.seed())) {
      DetectionMetricsResult before = evaluator.score(d);
      System.out.printf(
          Locale.ROOT,
          "detector %s untrained: mAP@0.5 %.2f, mAP@[.5:.95] %.2f on %d test scenes%n",
          d.id(),
          100 * before.map50(),
          100 * before.map(),
          o.testScenes());
      long start = System.nanoTime();
      ProxyTrainResult r =
          AnnotationProxyTrainer.train(
              d,
              d.parameters(),
              images,
              targets,
              steps,
              batch,
              lr,
              LrSchedule.COSINE,
              o.seed(),
              log("detector", steps, start));
      double seconds = (System.nanoTime() - start) / 1e9;
      DetectionMetricsResult after = evaluator.score(d);
      System.out.printf(
          Locale.ROOT,
          "detector trained %d steps in %.0f s, loss %.4f -> %.4f: mAP@0.5 %.2f, mAP@[.5:.95]"
              + " %.2f, mAP@0.75 %.2f on %d test scenes%n",
          steps,
          seconds,
          r.firstLoss(),
          r.lastLoss(),
          100 * after.map50(),
          100 * after.map(),
          100 * after.map75(),
          o.testScenes());
      Map<String, Double> figures = new LinkedHashMap<>();
      figures.put("mAP50", 100 * after.map50());
      figures.put("mAP50_95", 100 * after.map());
      figures.put("mAP75", 100 * after.map75());
      figures.put("untrainedMAP50", 100 * before.map50());
      figures.put("untrainedMAP50_95", 100 * before.map());
      Path weights = o.out().resolve(BuiltinProxies.DETECTOR + ".safetensors");
      d.save(weights);
      writeRecord(o, BuiltinProxies.DETECTOR, d.id(), net, steps, batch, lr, r, seconds, figures);
      System.out.printf(Locale.ROOT, "wrote %s (%d bytes)%n", weights, Files.size(weights));
    }
  }

  private static void segmenter(
      Options o,
      ProxyNetConfig net,
      Tensor images,
      List<ImageAnnotations> targets,
      SegmentationEvaluator evaluator)
      throws IOException {
    int steps = o.steps() > 0 ? o.steps() : SEGMENTER_STEPS;
    int batch = o.batchSize() > 0 ? o.batchSize() : SEGMENTER_BATCH;
    double lr = o.learningRate() > 0 ? o.learningRate() : SEGMENTER_LR;
    try (LrAsppSegmenter s = LrAsppSegmenter.of(net, o.seed())) {
      SegmentationMetricsResult before = evaluator.score(s);
      System.out.printf(
          Locale.ROOT,
          "segmenter %s untrained: mIoU %.2f, pixel accuracy %.2f on %d test scenes%n",
          s.id(),
          100 * before.meanIoU(),
          100 * before.pixelAccuracy(),
          o.testScenes());
      long start = System.nanoTime();
      ProxyTrainResult r =
          AnnotationProxyTrainer.train(
              s,
              s.parameters(),
              images,
              targets,
              steps,
              batch,
              lr,
              LrSchedule.COSINE,
              o.seed(),
              log("segmenter", steps, start));
      double seconds = (System.nanoTime() - start) / 1e9;
      SegmentationMetricsResult after = evaluator.score(s);
      System.out.printf(
          Locale.ROOT,
          "segmenter trained %d steps in %.0f s, loss %.4f -> %.4f: mIoU %.2f, pixel accuracy"
              + " %.2f on %d test scenes%n",
          steps,
          seconds,
          r.firstLoss(),
          r.lastLoss(),
          100 * after.meanIoU(),
          100 * after.pixelAccuracy(),
          o.testScenes());
      Map<String, Double> figures = new LinkedHashMap<>();
      figures.put("mIoU", 100 * after.meanIoU());
      figures.put("pixelAccuracy", 100 * after.pixelAccuracy());
      figures.put("untrainedMIoU", 100 * before.meanIoU());
      figures.put("untrainedPixelAccuracy", 100 * before.pixelAccuracy());
      Path weights = o.out().resolve(BuiltinProxies.SEGMENTER + ".safetensors");
      s.save(weights);
      writeRecord(o, BuiltinProxies.SEGMENTER, s.id(), net, steps, batch, lr, r, seconds, figures);
      System.out.printf(Locale.ROOT, "wrote %s (%d bytes)%n", weights, Files.size(weights));
    }
  }

  private static ProxyNetConfig withWidth(ProxyNetConfig c, int width) {
    return new ProxyNetConfig(
        c.channels(), c.imageHeight(), c.imageWidth(), c.numCategories(), width);
  }

  /** Prints the loss every 100 steps and at the end. */
  private static ProgressListener log(String what, int steps, long start) {
    return p -> {
      if (p.done() % 100 == 0 || p.done() == steps) {
        System.out.printf(
            Locale.ROOT,
            "%s step %d/%d %s (%.0f s)%n",
            what,
            p.done(),
            p.total(),
            p.message(),
            (System.nanoTime() - start) / 1e9);
      }
    };
  }

  private static void writeRecord(
      Options o,
      String name,
      String id,
      ProxyNetConfig net,
      int steps,
      int batch,
      double lr,
      ProxyTrainResult r,
      double seconds,
      Map<String, Double> figures)
      throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode record = json.createObjectNode();
    record.put("proxy", id);
    record.set("netConfig", json.valueToTree(net));
    record.set("sceneConfig", json.valueToTree(BuiltinProxies.sceneConfig()));
    record.put("trainScenes", o.scenes());
    record.put("trainSplit", "train");
    record.put("steps", steps);
    record.put("batchSize", batch);
    record.put("learningRate", lr);
    record.put("schedule", "Adam, cosine decay to 0 per step");
    record.put("seed", o.seed());
    record.put("firstLoss", r.firstLoss());
    record.put("finalLoss", r.lastLoss());
    record.put("trainSeconds", seconds);
    record.put("threads", torch.get_num_threads());
    record.put("testScenes", o.testScenes());
    record.put("testSplit", "test");
    record.set("testFigures", json.valueToTree(figures));
    Task task = name.equals(BuiltinProxies.DETECTOR) ? Task.DETECTION : Task.SEGMENTATION;
    record.put(
        "command",
        "distill train-proxy "
            + String.join(" ", commandArgs(o, task, steps, batch, lr, net.netWidth())));
    record.put("createdAt", Instant.now().toString());
    AtomicFiles.writeString(
        o.out().resolve(name + ".json"),
        json.writerWithDefaultPrettyPrinter().writeValueAsString(record) + "\n");
  }

  /** The command line that reproduces one proxy of a run (defaults resolved). */
  static List<String> commandArgs(
      Options o, Task task, int steps, int batch, double lr, int width) {
    return List.of(
        "--task",
        task.name().toLowerCase(Locale.ROOT),
        "--scenes",
        Integer.toString(o.scenes()),
        "--test-scenes",
        Integer.toString(o.testScenes()),
        "--steps",
        Integer.toString(steps),
        "--batch",
        Integer.toString(batch),
        "--lr",
        Double.toString(lr),
        "--width",
        Integer.toString(width),
        "--threads",
        Integer.toString(o.threads()),
        "--seed",
        Long.toString(o.seed()),
        "--out",
        o.out().toString());
  }
}
