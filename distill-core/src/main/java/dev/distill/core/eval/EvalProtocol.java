package dev.distill.core.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.core.augment.DsaConfig;
import dev.distill.core.nn.StudentSpec;
import dev.distill.core.tensor.DeviceOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The pinned protocol of {@link ClassificationEvaluator}: which student, how it is trained, over
 * which seeds, how the test set is batched, and on which device ({@link #device()}, carried by the
 * training configuration so there is one place for it).
 *
 * <p>{@link #defaults()} is DC/DSA's {@code evaluate_synset} (the protocol of their Fashion-MNIST
 * numbers, and of the ECCV-2024 challenge evaluator): ConvNet-3 (width 128, instance norm), SGD lr
 * 0.01, momentum 0.9, weight decay 5e-4, batch 256, 1000 epochs with lr × 0.1 at half, DSA {@code
 * color_crop_cutout_flip_scale_rotate}, seeds 0, 1, 2. The test batch (100) only affects speed: on
 * the CPU, batches whose activations stay under glibc's 32 MB mmap threshold avoid page-fault
 * storms. {@link #quick()} is a cheap profile for smoke runs and relative comparisons (see its
 * Javadoc). Round-trips through JSON ({@link #toJson}, {@link #fromJson}).
 *
 * @param student the student architecture
 * @param training how each student is trained
 * @param seeds one student per seed (initialisation, shuffling and augmentation), not empty
 * @param testBatchSize images per forward pass when measuring accuracy
 * @since 0.1.0
 */
public record EvalProtocol(
    StudentSpec student, TrainConfig training, List<Long> seeds, int testBatchSize) {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Validates and copies. */
  public EvalProtocol {
    checkNotNull(student, "student");
    checkNotNull(training, "training");
    seeds = List.copyOf(checkNotNull(seeds, "seeds"));
    checkArgument(!seeds.isEmpty(), "seeds must not be empty but was %s", seeds);
    checkArgument(testBatchSize > 0, "testBatchSize must be > 0 but was %s", testBatchSize);
  }

  /** DC/DSA's evaluation: ConvNet-3, SGD 0.01/0.9/5e-4, 1000 epochs, batch 256, DSA, seeds 0–2. */
  public static EvalProtocol defaults() {
    return new EvalProtocol(
        StudentSpec.convNet3(), TrainConfig.dsaEvaluation(), List.of(0L, 1L, 2L), 100);
  }

  /**
   * A cheap profile for quick starts and smoke comparisons: ConvNet-3 of width 32, 150 epochs (lr ×
   * 0.1 at 75), one seed (0), otherwise the defaults (SGD, DSA, batch 256).
   *
   * <p>Measured on a shared 2-core CPU with one LibTorch thread, Fashion-MNIST IPC 10 (100 real
   * images): about 0.15 s per epoch and 9 s for the 10,000 test images, so about 25 s per set (the
   * default protocol: 1.2 s per epoch, 51 s per test pass, about 21 min per seed). A random real
   * IPC-10 subset scored 74.1% top-1 with this profile and hard labels (75.1% at 300 epochs), 78.6%
   * with {@code SoftLabelMatcher.of(Teachers.fashionMnist(), 4)} (about 65 s: the teacher runs
   * every step). It scores lower than {@link #defaults()}; always report which profile a number
   * comes from.
   */
  public static EvalProtocol quick() {
    return defaults()
        .withStudent(StudentSpec.convNet(32, 3))
        .withTraining(TrainConfig.dsaEvaluation().withEpochs(150))
        .withSeeds(List.of(0L));
  }

  /** A copy with another student. */
  public EvalProtocol withStudent(StudentSpec student) {
    return new EvalProtocol(student, training, seeds, testBatchSize);
  }

  /** A copy with another training configuration. */
  public EvalProtocol withTraining(TrainConfig training) {
    return new EvalProtocol(student, training, seeds, testBatchSize);
  }

  /** A copy with other seeds. */
  public EvalProtocol withSeeds(List<Long> seeds) {
    return new EvalProtocol(student, training, seeds, testBatchSize);
  }

  /** A copy with another number of training epochs. */
  public EvalProtocol withEpochs(int epochs) {
    return withTraining(training.withEpochs(epochs));
  }

  /**
   * Where and in which precision students train and the test set is scored ({@link
   * TrainConfig#device()}).
   */
  public DeviceOptions device() {
    return training.device();
  }

  /**
   * A copy whose students train and are tested on another device or in another precision.
   *
   * @param device the device options
   * @return the copy
   */
  public EvalProtocol withDevice(DeviceOptions device) {
    return withTraining(training.withDevice(device));
  }

  /** A copy with another test batch size. */
  public EvalProtocol withTestBatchSize(int testBatchSize) {
    return new EvalProtocol(student, training, seeds, testBatchSize);
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
  public static EvalProtocol fromJson(String json) {
    checkNotNull(json, "json");
    try {
      JsonNode tree = JSON.readTree(json);
      // protocols written before TrainConfig had a device ran on the CPU in float32
      if (tree != null
          && tree.get("training") instanceof ObjectNode training
          && !training.has("device")) {
        training.set("device", JSON.valueToTree(DeviceOptions.cpu()));
      }
      return JSON.treeToValue(tree, EvalProtocol.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "json must be an EvalProtocol but was not: " + e.getOriginalMessage(), e);
    }
  }

  /** The protocol as flat key/value strings, for {@code EvalReport.protocol()}. */
  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("student", student.displayName());
    m.put("student.architecture", student.architecture().name());
    m.put("student.netWidth", Integer.toString(student.netWidth()));
    m.put("student.netDepth", Integer.toString(student.netDepth()));
    m.put("student.norm", student.norm().name());
    m.put("optimizer", training.optimizer().name());
    m.put("learningRate", Double.toString(training.learningRate()));
    m.put("momentum", Double.toString(training.momentum()));
    m.put("weightDecay", Double.toString(training.weightDecay()));
    m.put("epochs", Integer.toString(training.epochs()));
    m.put("batchSize", Integer.toString(training.batchSize()));
    m.put("lrSchedule", training.schedule().name());
    m.put("lrDecayFactor", Double.toString(training.lrDecayFactor()));
    DsaConfig dsa = training.augmentation();
    m.put("dsa", dsa.strategyString());
    m.put("dsa.mode", dsa.mode().name());
    m.put("device", training.device().deviceName());
    m.put("dtype", training.device().dtype().name());
    m.put("seeds", seeds.stream().map(String::valueOf).collect(Collectors.joining(",")));
    m.put("testBatchSize", Integer.toString(testBatchSize));
    return m;
  }
}
