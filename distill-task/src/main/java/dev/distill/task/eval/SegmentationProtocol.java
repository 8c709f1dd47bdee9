package dev.distill.task.eval;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.core.eval.OptimizerKind;
import dev.distill.core.tensor.DeviceOptions;
import java.util.List;
import java.util.Map;

/**
 * The pinned protocol of {@link SegmentationEvaluator}: the student's width, how it is trained,
 * over which seeds, and how many real test scenes it is scored on.
 *
 * <p>Each seed trains a fresh {@link dev.distill.task.proxy.LrAsppSegmenter} (initialised with the
 * seed) for {@code epochs} passes over the set in a seeded random order, in batches of {@code
 * batchSize} (the last one smaller), minimising its own task loss per image with {@code optimizer};
 * no augmentation, no schedule. It is then scored on the first {@code testScenes} test scenes.
 * Round-trips through JSON ({@link #toJson}, {@link #fromJson}).
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
 * @param device where and in which precision students train and are scored
 * @since 0.1.0
 */
public record SegmentationProtocol(
    int epochs,
    int batchSize,
    OptimizerKind optimizer,
    double learningRate,
    double momentum,
    int netWidth,
    List<Long> seeds,
    int testScenes,
    int testBatchSize,
    DeviceOptions device) {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Validates and copies. */
  public SegmentationProtocol {
    seeds = List.copyOf(checkNotNull(seeds, "seeds"));
    checkNotNull(device, "device");
    Protocols.checkTraining(epochs, batchSize, optimizer, learningRate, momentum, netWidth);
    Protocols.checkTesting(seeds, testScenes, testBatchSize);
  }

  /**
   * A cheap CPU profile: Adam lr 0.005, batch 16, 100 epochs, width 8, seed 0, 500 test scenes,
   * float32 on the CPU.
   *
   * <p>Measured on a shared 2-core CPU with one LibTorch thread, 64×64 scenes ({@code
   * SceneConfig.defaults()}), 100 random real training scenes ({@link SceneBaselines#randomReal}):
   * 21 s to train one student (7 s for 96 scenes at 32×32), 1 s to score 500 test scenes; mIoU
   * 21.7, pixel accuracy 84.0 (an untrained student: 0.3 / 3.2; 40 epochs: mIoU 18.6). Always
   * report which profile a number comes from.
   *
   * @return the profile
   */
  public static SegmentationProtocol quick() {
    return new SegmentationProtocol(
        100, 16, OptimizerKind.ADAM, 5e-3, 0, 8, List.of(0L), 500, 50, DeviceOptions.cpu());
  }

  /** A copy with another number of epochs. */
  public SegmentationProtocol withEpochs(int n) {
    return new SegmentationProtocol(
        n,
        batchSize,
        optimizer,
        learningRate,
        momentum,
        netWidth,
        seeds,
        testScenes,
        testBatchSize,
        device);
  }

  /** A copy with another batch size. */
  public SegmentationProtocol withBatchSize(int n) {
    return new SegmentationProtocol(
        epochs,
        n,
        optimizer,
        learningRate,
        momentum,
        netWidth,
        seeds,
        testScenes,
        testBatchSize,
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
  public SegmentationProtocol withOptimizer(OptimizerKind kind, double lr, double m) {
    return new SegmentationProtocol(
        epochs, batchSize, kind, lr, m, netWidth, seeds, testScenes, testBatchSize, device);
  }

  /** A copy with another student width. */
  public SegmentationProtocol withNetWidth(int w) {
    return new SegmentationProtocol(
        epochs,
        batchSize,
        optimizer,
        learningRate,
        momentum,
        w,
        seeds,
        testScenes,
        testBatchSize,
        device);
  }

  /** A copy with other seeds. */
  public SegmentationProtocol withSeeds(List<Long> s) {
    return new SegmentationProtocol(
        epochs,
        batchSize,
        optimizer,
        learningRate,
        momentum,
        netWidth,
        s,
        testScenes,
        testBatchSize,
        device);
  }

  /** A copy scoring another number of test scenes. */
  public SegmentationProtocol withTestScenes(int n) {
    return new SegmentationProtocol(
        epochs,
        batchSize,
        optimizer,
        learningRate,
        momentum,
        netWidth,
        seeds,
        n,
        testBatchSize,
        device);
  }

  /** A copy with another device or precision. */
  public SegmentationProtocol withDevice(DeviceOptions d) {
    return new SegmentationProtocol(
        epochs,
        batchSize,
        optimizer,
        learningRate,
        momentum,
        netWidth,
        seeds,
        testScenes,
        testBatchSize,
        d);
  }

  /** The protocol as flat key/value strings, for {@code EvalReport.protocol()}. */
  public Map<String, String> toMap() {
    Map<String, String> m =
        Protocols.toMap(
            epochs, batchSize, optimizer, learningRate, momentum, netWidth, seeds, device);
    m.put("testScenes", Integer.toString(testScenes));
    m.put("testBatchSize", Integer.toString(testBatchSize));
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
  public static SegmentationProtocol fromJson(String json) {
    checkNotNull(json, "json");
    try {
      return JSON.readValue(json, SegmentationProtocol.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "json must be a SegmentationProtocol but was not: " + e.getOriginalMessage(), e);
    }
  }
}
