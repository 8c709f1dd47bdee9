package dev.distill.core.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.augment.DsaConfig;
import dev.distill.core.tensor.DeviceOptions;

/**
 * How {@link ClassifierTrainer} trains a classifier: optimiser, schedule, epochs, batch size and
 * augmentation.
 *
 * @param optimizer the optimiser
 * @param learningRate the initial learning rate
 * @param momentum SGD momentum (ignored by Adam)
 * @param weightDecay L2 weight decay
 * @param epochs passes over the training images
 * @param batchSize images per step (the last batch of an epoch may be smaller)
 * @param schedule the learning-rate schedule
 * @param lrDecayFactor the factor of {@link LrSchedule#STEP_HALF}
 * @param augmentation the DSA augmentation applied to every batch ({@link DsaConfig#none()} for
 *     none)
 * @param device where and in which precision the classifier trains and is tested ({@link
 *     DeviceOptions#cpu()} by default; mixed precision as {@link DeviceOptions} describes: float32
 *     parameters, SGD/Adam state and loss, convolutions in the dtype)
 * @since 0.1.0
 */
public record TrainConfig(
    OptimizerKind optimizer,
    double learningRate,
    double momentum,
    double weightDecay,
    int epochs,
    int batchSize,
    LrSchedule schedule,
    double lrDecayFactor,
    DsaConfig augmentation,
    DeviceOptions device) {
  /** Validates the components. */
  public TrainConfig {
    checkNotNull(optimizer, "optimizer");
    checkNotNull(device, "device");
    checkNotNull(schedule, "schedule");
    checkNotNull(augmentation, "augmentation");
    checkArgument(
        learningRate > 0 && Double.isFinite(learningRate),
        "learningRate must be > 0 but was %s",
        learningRate);
    checkArgument(momentum >= 0 && momentum < 1, "momentum must be in [0, 1) but was %s", momentum);
    checkArgument(weightDecay >= 0, "weightDecay must be >= 0 but was %s", weightDecay);
    checkArgument(epochs > 0, "epochs must be > 0 but was %s", epochs);
    checkArgument(batchSize > 0, "batchSize must be > 0 but was %s", batchSize);
    checkArgument(
        lrDecayFactor > 0 && lrDecayFactor <= 1,
        "lrDecayFactor must be in (0, 1] but was %s",
        lrDecayFactor);
  }

  /**
   * The configuration on the CPU in float32 (the components before {@code device} existed).
   *
   * @param optimizer the optimiser
   * @param learningRate the initial learning rate
   * @param momentum SGD momentum
   * @param weightDecay L2 weight decay
   * @param epochs passes over the training images
   * @param batchSize images per step
   * @param schedule the learning-rate schedule
   * @param lrDecayFactor the factor of {@link LrSchedule#STEP_HALF}
   * @param augmentation the DSA augmentation
   */
  public TrainConfig(
      OptimizerKind optimizer,
      double learningRate,
      double momentum,
      double weightDecay,
      int epochs,
      int batchSize,
      LrSchedule schedule,
      double lrDecayFactor,
      DsaConfig augmentation) {
    this(
        optimizer,
        learningRate,
        momentum,
        weightDecay,
        epochs,
        batchSize,
        schedule,
        lrDecayFactor,
        augmentation,
        DeviceOptions.cpu());
  }

  /**
   * DC/DSA's {@code evaluate_synset}: SGD lr 0.01, momentum 0.9, weight decay 5e-4, 1000 epochs,
   * batch 256, lr × 0.1 at half the epochs, DSA {@code color_crop_cutout_flip_scale_rotate}.
   */
  public static TrainConfig dsaEvaluation() {
    return new TrainConfig(
        OptimizerKind.SGD,
        0.01,
        0.9,
        5e-4,
        1000,
        256,
        LrSchedule.STEP_HALF,
        0.1,
        DsaConfig.defaults(),
        DeviceOptions.cpu());
  }

  /** A copy with another number of epochs. */
  public TrainConfig withEpochs(int epochs) {
    return new TrainConfig(
        optimizer,
        learningRate,
        momentum,
        weightDecay,
        epochs,
        batchSize,
        schedule,
        lrDecayFactor,
        augmentation,
        device);
  }

  /** A copy with another batch size. */
  public TrainConfig withBatchSize(int batchSize) {
    return new TrainConfig(
        optimizer,
        learningRate,
        momentum,
        weightDecay,
        epochs,
        batchSize,
        schedule,
        lrDecayFactor,
        augmentation,
        device);
  }

  /** A copy with another optimiser and learning rate. */
  public TrainConfig withOptimizer(OptimizerKind optimizer, double learningRate) {
    return new TrainConfig(
        optimizer,
        learningRate,
        momentum,
        weightDecay,
        epochs,
        batchSize,
        schedule,
        lrDecayFactor,
        augmentation,
        device);
  }

  /** A copy with another weight decay. */
  public TrainConfig withWeightDecay(double weightDecay) {
    return new TrainConfig(
        optimizer,
        learningRate,
        momentum,
        weightDecay,
        epochs,
        batchSize,
        schedule,
        lrDecayFactor,
        augmentation,
        device);
  }

  /** A copy with another schedule. */
  public TrainConfig withSchedule(LrSchedule schedule) {
    return new TrainConfig(
        optimizer,
        learningRate,
        momentum,
        weightDecay,
        epochs,
        batchSize,
        schedule,
        lrDecayFactor,
        augmentation,
        device);
  }

  /** A copy with another augmentation. */
  public TrainConfig withAugmentation(DsaConfig augmentation) {
    return new TrainConfig(
        optimizer,
        learningRate,
        momentum,
        weightDecay,
        epochs,
        batchSize,
        schedule,
        lrDecayFactor,
        augmentation,
        device);
  }

  /**
   * A copy on another device or in another precision.
   *
   * @param device the device options
   * @return the copy
   */
  public TrainConfig withDevice(DeviceOptions device) {
    return new TrainConfig(
        optimizer,
        learningRate,
        momentum,
        weightDecay,
        epochs,
        batchSize,
        schedule,
        lrDecayFactor,
        augmentation,
        device);
  }

  /** The learning rate used during an epoch (0-based). */
  public double learningRateAt(int epoch) {
    return switch (schedule) {
      case CONSTANT -> learningRate;
      case STEP_HALF -> epoch < epochs / 2 ? learningRate : learningRate * lrDecayFactor;
      case COSINE -> 0.5 * learningRate * (1 + Math.cos(Math.PI * epoch / epochs));
    };
  }
}
