package dev.distill.task.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.core.eval.OptimizerKind;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.task.metric.DetectionMetrics;
import java.util.List;
import java.util.Map;

/**
 * The pinned protocol of {@link DetectionEvaluator}: the student's width, how it is trained, over
 * which seeds, and how many real test scenes it is scored on.
 *
 * <p>Each seed trains a fresh {@link dev.distill.task.proxy.CenterNetDetector} (initialised with
 * the seed) for {@code epochs} passes over the set in a seeded random order, in batches of {@code
 * batchSize} (the last one smaller), minimising its own task loss per image with {@code optimizer};
 * no augmentation, no schedule. It is then scored on the first {@code testScenes} test scenes, each
 * keeping its {@code maxDetections} highest peaks. Round-trips through JSON ({@link #toJson},
 * {@link #fromJson}).
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
 * @param maxDetections detections decoded per test scene, {@code >= 1}
 * @param device where and in which precision students train and are scored
 * @since 0.1.0
 */
public record DetectionProtocol(
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
  public DetectionProtocol {
    seeds = List.copyOf(checkNotNull(seeds, "seeds"));
    checkNotNull(device, "device");
    Protocols.checkTraining(epochs, batchSize, optimizer, learningRate, momentum, netWidth);
    Protocols.checkTesting(seeds, testScenes, testBatchSize);
    checkArgument(maxDetections >= 1, "maxDetections must be >= 1 but was %s", maxDetections);
  }

  /**
   * A cheap CPU profile: Adam lr 0.005, batch 16, 40 epochs, width 8, seed 0, 500 test scenes, the
   * 100 best detections per scene (COCO's limit), float32 on the CPU.
   *
   * <p>Measured on a shared 2-core CPU with one LibTorch thread, 64×64 scenes ({@code
   * SceneConfig.defaults()}), 100 random real training scenes ({@link SceneBaselines#randomReal}):
   * 25 s to train one student (3 s for 96 scenes at 32×32), 2 s to score 500 test scenes; mAP50
   * 17.8, mAP@[.5:.95] 6.6 (an untrained student: 0.0). At 100 epochs the student overfits the 100
   * scenes (mAP50 15.0). Always report which profile a number comes from.
   *
   * @return the profile
   */
  public static DetectionProtocol quick() {
    return new DetectionProtocol(
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

  /** A copy with another number of epochs. */
  public DetectionProtocol withEpochs(int n) {
    return new DetectionProtocol(
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
  public DetectionProtocol withBatchSize(int n) {
    return new DetectionProtocol(
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
  public DetectionProtocol withOptimizer(OptimizerKind kind, double lr, double m) {
    return new DetectionProtocol(
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
  public DetectionProtocol withNetWidth(int w) {
    return new DetectionProtocol(
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
  public DetectionProtocol withSeeds(List<Long> s) {
    return new DetectionProtocol(
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
  public DetectionProtocol withTestScenes(int n) {
    return new DetectionProtocol(
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
  public DetectionProtocol withDevice(DeviceOptions d) {
    return new DetectionProtocol(
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
    Map<String, String> m =
        Protocols.toMap(
            epochs, batchSize, optimizer, learningRate, momentum, netWidth, seeds, device);
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
  public static DetectionProtocol fromJson(String json) {
    checkNotNull(json, "json");
    try {
      return JSON.readValue(json, DetectionProtocol.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "json must be a DetectionProtocol but was not: " + e.getOriginalMessage(), e);
    }
  }
}
