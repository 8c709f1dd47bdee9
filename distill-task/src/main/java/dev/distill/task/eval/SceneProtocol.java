package dev.distill.task.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.core.eval.OptimizerKind;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.task.metric.DetectionMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The pinned protocol of {@link DetectionEvaluator} and {@link SegmentationEvaluator}: the
 * student's width, how it is trained, over which seeds, and how many real test scenes it is scored
 * on.
 *
 * <p>Each seed trains a fresh student ({@link dev.distill.task.proxy.CenterNetDetector} or {@link
 * dev.distill.task.proxy.LrAsppSegmenter}, initialised with the seed) for {@code epochs} passes
 * over the set in a seeded random order, in batches of {@code batchSize} (the last one smaller),
 * minimising its own task loss per image with {@code optimizer}; no augmentation, no schedule. It
 * is then scored on the first {@code testScenes} test scenes (a detector keeping its {@code
 * maxDetections} highest peaks per scene). Round-trips through JSON ({@link #toJson}, {@link
 * #fromJson}).
 *
 * @param epochs passes over the set, {@code >= 1}
 * @param batchSize images per step, {@code >= 1}
 * @param optimizer the optimiser
 * @param learningRate its learning rate, finite and {@code > 0}
 * @param momentum SGD's momentum in {@code [0, 1)}; must be 0 with {@link OptimizerKind#ADAM}
 * @param netWidth the student's base width, {@code >= 1}
 * @param seeds one student per seed (initialisation and batch order), not empty
 * @param testScenes how many test scenes (the first ones) are scored, {@code >= 1}
 * @param testBatchSize scenes per forward pass when scoring, {@code >= 1} (speed only)
 * @param maxDetections detections decoded per test scene, {@code >= 1} (detection only; the
 *     segmentation report leaves it out)
 * @param device where and in which precision students train and are scored
 * @since 0.1.0
 */
public record SceneProtocol(
    int epochs,
    int batchSize,
    OptimizerKind optimizer,
    double learningRate,
    double momentum,
    int netWidth,
    List<Long> seeds,
    int testScenes,
    int testBatchSize,
    int maxDetections,
    DeviceOptions device) {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Validates and copies. */
  public SceneProtocol {
    seeds = List.copyOf(checkNotNull(seeds, "seeds"));
    checkNotNull(device, "device");
    checkNotNull(optimizer, "optimizer");
    checkArgument(epochs >= 1, "epochs must be >= 1 but was %s", epochs);
    checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
    checkArgument(
        Double.isFinite(learningRate) && learningRate > 0,
        "learningRate must be finite and > 0 but was %s",
        learningRate);
    checkArgument(momentum >= 0 && momentum < 1, "momentum must be in [0, 1) but was %s", momentum);
    checkArgument(
        optimizer != OptimizerKind.ADAM || momentum == 0,
        "momentum must be 0 with optimizer ADAM (it is SGD's) but was %s",
        momentum);
    checkArgument(netWidth >= 1, "netWidth must be >= 1 but was %s", netWidth);
    checkArgument(!seeds.isEmpty(), "seeds must not be empty but was %s", seeds);
    checkArgument(testScenes >= 1, "testScenes must be >= 1 but was %s", testScenes);
    checkArgument(testBatchSize >= 1, "testBatchSize must be >= 1 but was %s", testBatchSize);
    checkArgument(maxDetections >= 1, "maxDetections must be >= 1 but was %s", maxDetections);
  }

  /**
   * A cheap CPU profile for detection: Adam lr 0.005, batch 16, 40 epochs, width 8, seed 0, 500
   * test scenes, the 100 best detections per scene (COCO's limit), float32 on the CPU.
   *
   * <p>Measured on a shared 2-core CPU with one LibTorch thread, 64×64 scenes ({@code
   * SceneConfig.defaults()}), 100 random real training scenes ({@link SceneBaselines#randomReal}):
   * 25 s to train one student (3 s for 96 scenes at 32×32), 2 s to score 500 test scenes; mAP50
   * 17.8, mAP@[.5:.95] 6.6 (an untrained student: 0.0). At 100 epochs the student overfits the 100
   * scenes (mAP50 15.0). Always report which profile a number comes from.
   *
   * @return the profile
   */
  public static SceneProtocol quickDetection() {
    return new SceneProtocol(
        40,
        16,
        OptimizerKind.ADAM,
        5e-3,
        0,
        8,
        List.of(0L),
        500,
        50,
        DetectionMetrics.DEFAULT_MAX_DETECTIONS,
        DeviceOptions.cpu());
  }

  /**
   * A cheap CPU profile for segmentation: as {@link #quickDetection()} but 100 epochs.
   *
   * <p>Measured as {@link #quickDetection()}: 21 s to train one student (7 s for 96 scenes at
   * 32×32), 1 s to score 500 test scenes; mIoU 21.7, pixel accuracy 84.0 (an untrained student: 0.3
   * / 3.2; 40 epochs: mIoU 18.6). Always report which profile a number comes from.
   *
   * @return the profile
   */
  public static SceneProtocol quickSegmentation() {
    return quickDetection().withEpochs(100);
  }

  /** A copy decoding another number of detections per test scene. */
  public SceneProtocol withMaxDetections(int n) {
    return new SceneProtocol(
        epochs,
        batchSize,
        optimizer,
        learningRate,
        momentum,
        netWidth,
        seeds,
        testScenes,
        testBatchSize,
        n,
        device);
  }

  /** A copy with another number of epochs. */
  public SceneProtocol withEpochs(int n) {
    return new SceneProtocol(
        n,
        batchSize,
        optimizer,
        learningRate,
        momentum,
        netWidth,
        seeds,
        testScenes,
        testBatchSize,
        maxDetections,
        device);
  }

  /** A copy with another batch size. */
  public SceneProtocol withBatchSize(int n) {
    return new SceneProtocol(
        epochs,
        n,
        optimizer,
        learningRate,
        momentum,
        netWidth,
        seeds,
        testScenes,
        testBatchSize,
        maxDetections,
        device);
  }

  /**
   * A copy with another optimiser.
   *
   * @param kind the optimiser
   * @param lr its learning rate
   * @param m SGD's momentum (0 for Adam)
   * @return the copy
   */
  public SceneProtocol withOptimizer(OptimizerKind kind, double lr, double m) {
    return new SceneProtocol(
        epochs,
        batchSize,
        kind,
        lr,
        m,
        netWidth,
        seeds,
        testScenes,
        testBatchSize,
        maxDetections,
        device);
  }

  /** A copy with another student width. */
  public SceneProtocol withNetWidth(int w) {
    return new SceneProtocol(
        epochs,
        batchSize,
        optimizer,
        learningRate,
        momentum,
        w,
        seeds,
        testScenes,
        testBatchSize,
        maxDetections,
        device);
  }

  /** A copy with other seeds. */
  public SceneProtocol withSeeds(List<Long> s) {
    return new SceneProtocol(
        epochs,
        batchSize,
        optimizer,
        learningRate,
        momentum,
        netWidth,
        s,
        testScenes,
        testBatchSize,
        maxDetections,
        device);
  }

  /** A copy scoring another number of test scenes. */
  public SceneProtocol withTestScenes(int n) {
    return new SceneProtocol(
        epochs,
        batchSize,
        optimizer,
        learningRate,
        momentum,
        netWidth,
        seeds,
        n,
        testBatchSize,
        maxDetections,
        device);
  }

  /** A copy with another device or precision. */
  public SceneProtocol withDevice(DeviceOptions d) {
    return new SceneProtocol(
        epochs,
        batchSize,
        optimizer,
        learningRate,
        momentum,
        netWidth,
        seeds,
        testScenes,
        testBatchSize,
        maxDetections,
        d);
  }

  /** The protocol as flat key/value strings, for {@code EvalReport.protocol()}. */
  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("epochs", Integer.toString(epochs));
    m.put("batchSize", Integer.toString(batchSize));
    m.put("optimizer", optimizer.name());
    m.put("learningRate", Double.toString(learningRate));
    m.put("momentum", Double.toString(momentum));
    m.put("augmentation", "none");
    m.put("student.netWidth", Integer.toString(netWidth));
    m.put("seeds", seeds.stream().map(String::valueOf).collect(Collectors.joining(",")));
    m.put("device", device.deviceName());
    m.put("dtype", device.dtype().name());
    m.put("testScenes", Integer.toString(testScenes));
    m.put("testBatchSize", Integer.toString(testBatchSize));
    m.put("maxDetections", Integer.toString(maxDetections));
    return m;
  }

  /** The protocol as JSON. */
  public String toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("protocol must serialise to JSON", e);
    }
  }

  /**
   * Reads a protocol written by {@link #toJson}.
   *
   * @param json the text
   * @return the protocol
   * @throws IllegalArgumentException if the text is not a valid protocol
   */
  public static SceneProtocol fromJson(String json) {
    checkNotNull(json, "json");
    try {
      return JSON.readValue(json, SceneProtocol.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "json must be a SceneProtocol but was not: " + e.getOriginalMessage(), e);
    }
  }
}
