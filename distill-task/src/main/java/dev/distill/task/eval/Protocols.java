package dev.distill.task.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.eval.OptimizerKind;
import dev.distill.core.tensor.DeviceOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The checks and flat form shared by {@link DetectionProtocol} and {@link SegmentationProtocol}.
 */
final class Protocols {
  private Protocols() {}

  static void checkTraining(
      int epochs,
      int batchSize,
      OptimizerKind optimizer,
      double learningRate,
      double momentum,
      int netWidth) {
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
  }

  static void checkTesting(List<Long> seeds, int testScenes, int testBatchSize) {
    checkArgument(!seeds.isEmpty(), "seeds must not be empty but was %s", seeds);
    checkArgument(testScenes >= 1, "testScenes must be >= 1 but was %s", testScenes);
    checkArgument(testBatchSize >= 1, "testBatchSize must be >= 1 but was %s", testBatchSize);
  }

  static Map<String, String> toMap(
      int epochs,
      int batchSize,
      OptimizerKind optimizer,
      double learningRate,
      double momentum,
      int netWidth,
      List<Long> seeds,
      DeviceOptions device) {
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
    return m;
  }
}
