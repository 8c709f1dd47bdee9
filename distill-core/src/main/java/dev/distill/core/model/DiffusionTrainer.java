package dev.distill.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.distill.api.DistillException;
import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import dev.distill.core.io.Safetensors;
import dev.distill.core.scheduler.PredictionType;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains a {@link SmallUNet} as a class-conditional diffusion model: ε- or v-prediction MSE, AdamW
 * (written on tensors), gradient-norm clipping, EMA weights, warm-up + cosine learning rate, and
 * class dropout to the NULL class for classifier-free guidance.
 *
 * <p>Determinism: every random choice of step {@code k} (the batch, the timesteps, the noise, the
 * dropped labels) comes from generators seeded by {@code (seed, k)} (batches from a per-epoch
 * permutation seeded by {@code (seed, epoch)}). A checkpoint therefore holds the complete state —
 * weights, EMA weights, Adam moments, the step — and a resumed run continues exactly as an
 * uninterrupted one.
 *
 * <p>Device and precision come from {@link TrainerConfig#device()}: the networks, the EMA and the
 * AdamW moments are float32 on that device, the forward runs in its dtype (mixed precision, see
 * {@link DeviceOptions}); the training images stay where they are (on the CPU) and each batch is
 * moved. Checkpoints are float32 and device-independent.
 *
 * <p>The training images are borrowed (the caller keeps them alive); the trainer owns its networks
 * and optimiser state and frees them on {@link #close()}. Not thread-safe: use one thread.
 *
 * @since 0.1.0
 */
public final class DiffusionTrainer implements AutoCloseable {
  /** The checkpoint format version stored in the metadata. */
  public static final String CHECKPOINT_FORMAT = "distill-unet-trainer-1";

  private final SmallUNetConfig modelConfig;
  private final TrainerConfig config;
  private final NoiseSchedule schedule;
  private final Tensor images;
  private final long[] labels;
  private Tensor conditions;
  private final SmallUNet model;
  private final SmallUNet ema;
  private final Map<String, Tensor> adamM;
  private final Map<String, Tensor> adamV;
  private int step;
  private int cachedEpoch = -1;
  private int[] cachedPermutation;
  private boolean closed;

  private DiffusionTrainer(
      SmallUNetConfig modelConfig,
      TrainerConfig config,
      Tensor images,
      Tensor labels,
      SmallUNet model,
      SmallUNet ema,
      Map<String, Tensor> adamM,
      Map<String, Tensor> adamV,
      int step) {
    this.modelConfig = modelConfig;
    this.config = config;
    this.schedule = NoiseSchedule.of(modelConfig);
    this.images = images;
    this.labels = Tensors.toLongs(labels);
    this.model = model;
    this.ema = ema;
    this.adamM = adamM;
    this.adamV = adamV;
    this.step = step;
    model.requiresGrad(true);
  }

  /**
   * Starts a fresh run.
   *
   * @param modelConfig the architecture
   * @param config the hyper-parameters
   * @param images training images {@code [N, C, H, W]} float32 CPU in {@code [-1, 1]}, borrowed
   * @param labels labels {@code [N]} in {@code [0, numClasses)}
   * @return the trainer at step 0
   * @throws IllegalArgumentException if the data does not fit the config
   */
  public static DiffusionTrainer of(
      SmallUNetConfig modelConfig, TrainerConfig config, Tensor images, Tensor labels) {
    checkNotNull(modelConfig, "modelConfig");
    checkNotNull(config, "config");
    checkData(modelConfig, config, images, labels);
    SmallUNet model = SmallUNet.initialize(modelConfig, config.seed(), config.device());
    SmallUNet ema = SmallUNet.initialize(modelConfig, config.seed(), config.device());
    Map<String, Tensor> m = new LinkedHashMap<>();
    Map<String, Tensor> v = new LinkedHashMap<>();
    try (TensorScope s = TensorScope.open()) {
      for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
        m.put(e.getKey(), s.detach(torch.zeros_like(e.getValue())));
        v.put(e.getKey(), s.detach(torch.zeros_like(e.getValue())));
      }
    }
    return new DiffusionTrainer(modelConfig, config, images, labels, model, ema, m, v, 0);
  }

  /**
   * Resumes a run from a checkpoint written by {@link #saveCheckpoint}.
   *
   * @param checkpoint the checkpoint file
   * @param images the same training images as the original run, borrowed
   * @param labels the same labels
   * @return the trainer at the checkpoint's step
   * @throws IOException if the checkpoint cannot be read or is not a trainer checkpoint
   */
  public static DiffusionTrainer resume(Path checkpoint, Tensor images, Tensor labels)
      throws IOException {
    return resume(checkpoint, images, labels, 0);
  }

  /**
   * Resumes a run from a checkpoint and lengthens it to {@code numSteps} steps in all.
   *
   * <p>The learning rate then follows the cosine of the new length, so at the checkpoint's step it
   * jumps up to that curve (a warm restart) and decays to {@code minLearningRate} at the new end.
   * Every other state (weights, EMA, Adam moments, per-step randomness) continues unchanged.
   *
   * @param checkpoint the checkpoint file
   * @param images the same training images as the original run, borrowed
   * @param labels the same labels
   * @param numSteps the new total number of steps, at least the checkpoint's; 0 keeps the
   *     checkpoint's own
   * @return the trainer at the checkpoint's step
   * @throws IOException if the checkpoint cannot be read or is not a trainer checkpoint
   * @throws IllegalArgumentException if {@code numSteps} is below the checkpoint's
   */
  public static DiffusionTrainer resume(Path checkpoint, Tensor images, Tensor labels, int numSteps)
      throws IOException {
    return resumeOn(checkpoint, images, labels, numSteps, null);
  }

  /**
   * Resumes a run from a checkpoint on another device or in another precision (a run trained on a
   * GPU continues on the CPU, or the reverse); otherwise as {@link #resume(Path, Tensor, Tensor,
   * int)}. The checkpoint's float32 state moves to the device unchanged.
   *
   * @param checkpoint the checkpoint file
   * @param images the same training images as the original run, borrowed
   * @param labels the same labels
   * @param numSteps the new total number of steps, or 0 to keep the checkpoint's
   * @param device where and in which precision to continue
   * @return the trainer at the checkpoint's step
   * @throws IOException if the checkpoint cannot be read or is not a trainer checkpoint
   * @throws IllegalStateException if the device is not available
   */
  public static DiffusionTrainer resume(
      Path checkpoint, Tensor images, Tensor labels, int numSteps, DeviceOptions device)
      throws IOException {
    return resumeOn(checkpoint, images, labels, numSteps, checkNotNull(device, "device"));
  }

  /** {@code device} null keeps the checkpoint's. */
  private static DiffusionTrainer resumeOn(
      Path checkpoint, Tensor images, Tensor labels, int numSteps, DeviceOptions device)
      throws IOException {
    checkNotNull(checkpoint, "checkpoint");
    try (TensorScope s = TensorScope.open();
        Safetensors st = Safetensors.open(checkpoint)) {
      Map<String, String> meta = st.metadata();
      if (!CHECKPOINT_FORMAT.equals(meta.get("format"))) {
        throw new IOException(
            "checkpoint "
                + checkpoint
                + " must have format "
                + CHECKPOINT_FORMAT
                + " but had "
                + meta.get("format"));
      }
      SmallUNetConfig modelConfig = SmallUNetConfig.fromJson(meta.get("model_config"));
      TrainerConfig config = TrainerConfig.fromJson(meta.get("trainer_config"));
      int step = Integer.parseInt(meta.get("step"));
      if (numSteps != 0) {
        checkArgument(
            numSteps >= config.numSteps(),
            "numSteps must be >= the checkpoint's %s but was %s",
            config.numSteps(),
            numSteps);
        config = TrainerConfig.builder().from(config).numSteps(numSteps).build();
      }
      if (device != null) {
        config = config.withDevice(device);
      }
      DeviceOptions on = config.device();
      checkData(modelConfig, config, images, labels);
      SmallUNet model = SmallUNet.fromTensors(modelConfig, section(st, "model/"), on);
      SmallUNet ema = SmallUNet.fromTensors(modelConfig, section(st, "ema/"), on);
      Map<String, Tensor> m = new LinkedHashMap<>();
      Map<String, Tensor> v = new LinkedHashMap<>();
      section(st, "adam_m/").forEach((k, t) -> m.put(k, s.detach(on.placeFloat(t).clone())));
      section(st, "adam_v/").forEach((k, t) -> v.put(k, s.detach(on.placeFloat(t).clone())));
      return new DiffusionTrainer(modelConfig, config, images, labels, model, ema, m, v, step);
    }
  }

  private static Map<String, Tensor> section(Safetensors st, String prefix) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String name : st.names()) {
      if (name.startsWith(prefix)) {
        out.put(name.substring(prefix.length()), st.tensor(name));
      }
    }
    return out;
  }

  private static void checkData(
      SmallUNetConfig modelConfig, TrainerConfig config, Tensor images, Tensor labels) {
    int size = modelConfig.imageSize();
    Tensors.checkShape(images, "images", -1, modelConfig.imageChannels(), size, size);
    Tensors.checkShape(labels, "labels", images.size(0));
    for (long label : Tensors.toLongs(labels)) {
      checkArgument(
          label >= 0 && label < modelConfig.numClasses(),
          "labels must be in [0, %s) but contained %s",
          modelConfig.numClasses(),
          label);
    }
    checkArgument(
        images.size(0) >= config.batchSize(),
        "images must hold at least batchSize=%s images but held %s",
        config.batchSize(),
        images.size(0));
  }

  /**
   * Gives the spatial conditions of a network with condition channels (e.g. the {@link LayoutMap}
   * of each training scene), aligned with the images. Required before the first step of such a
   * network (also after {@link #resume}). A sample whose class is dropped for classifier-free
   * guidance also gets the null condition (zeros), so the unconditional branch sees neither.
   *
   * @param conditions {@code [N, conditionChannels, H, W]} float32 CPU, borrowed
   * @return this trainer
   * @throws IllegalArgumentException if the network has no condition channels or the shape is not
   *     the images'
   */
  public DiffusionTrainer conditions(Tensor conditions) {
    checkNotNull(conditions, "conditions");
    int cc = modelConfig.conditionChannels();
    checkArgument(cc > 0, "conditions need a network with condition channels but it has none");
    int size = modelConfig.imageSize();
    Tensors.checkShape(conditions, "conditions", images.size(0), cc, size, size);
    this.conditions = conditions;
    return this;
  }

  /** The model architecture. */
  public SmallUNetConfig modelConfig() {
    return modelConfig;
  }

  /** The hyper-parameters. */
  public TrainerConfig config() {
    return config;
  }

  /** The number of steps taken so far. */
  public int step() {
    return step;
  }

  /** The trained network (owned by this trainer). */
  public SmallUNet model() {
    return model;
  }

  /** The EMA network (owned by this trainer). */
  public SmallUNet ema() {
    return ema;
  }

  /**
   * Takes one optimisation step.
   *
   * @return the batch's loss before the update
   * @throws IllegalStateException if all {@code numSteps} were taken
   * @throws DistillException if the loss is not finite
   */
  public double trainStep() {
    checkState(!closed, "trainer must be open but was closed");
    checkState(
        step < config.numSteps(), "step must be < numSteps=%s but was %s", config.numSteps(), step);
    checkState(
        modelConfig.conditionChannels() == 0 || conditions != null,
        "a network with %s condition channels needs conditions(...) before training",
        modelConfig.conditionChannels());
    int b = config.batchSize();
    int[] idx = batchIndices(step);
    float[] keep = new float[b];
    Random rng = new Random(mix(config.seed(), step));
    long[] classIds = new long[b];
    float[] timesteps = new float[b];
    float[] sqrtAb = new float[b];
    float[] sqrt1mAb = new float[b];
    long[] pick = new long[b];
    for (int i = 0; i < b; i++) {
      pick[i] = idx[i];
      boolean dropped = rng.nextDouble() < config.classDropout();
      classIds[i] = dropped ? modelConfig.nullClass() : labels[idx[i]];
      keep[i] = dropped ? 0f : 1f;
      int t = rng.nextInt(modelConfig.numTrainTimesteps());
      timesteps[i] = t;
      double ab = schedule.alphaCumprod(t);
      sqrtAb[i] = (float) Math.sqrt(ab);
      sqrt1mAb[i] = (float) Math.sqrt(1 - ab);
    }
    int per = modelConfig.imageChannels() * modelConfig.imageSize() * modelConfig.imageSize();
    float[] noise = new float[b * per];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) rng.nextGaussian();
    }
    double lossValue;
    try (TensorScope s = TensorScope.open()) {
      long size = modelConfig.imageSize();
      DeviceOptions device = config.device();
      // the batch is gathered and every random value drawn on the CPU, then moved (float32)
      Tensor x0 = device.placeFloat(images.index_select(0, Tensors.fromLongs(pick, b)));
      Tensor eps =
          device.placeFloat(Tensors.fromFloats(noise, b, modelConfig.imageChannels(), size, size));
      Tensor a = device.placeFloat(Tensors.fromFloats(sqrtAb, b, 1, 1, 1));
      Tensor sg = device.placeFloat(Tensors.fromFloats(sqrt1mAb, b, 1, 1, 1));
      Tensor xt = x0.mul(a).add(eps.mul(sg));
      Tensor target =
          modelConfig.predictionType() == PredictionType.EPSILON ? eps : eps.mul(a).sub(x0.mul(sg));
      Tensor cond = null;
      if (conditions != null) {
        cond =
            device.placeFloat(
                conditions
                    .index_select(0, Tensors.fromLongs(pick, b))
                    .mul(Tensors.fromFloats(keep, b, 1, 1, 1)));
      }
      Tensor out =
          model.forward(xt, Tensors.fromFloats(timesteps, b), Tensors.fromLongs(classIds, b), cond);
      Tensor loss = out.sub(target).square().mean();
      lossValue = loss.item_double();
      if (!Double.isFinite(lossValue)) {
        throw new DistillException("training loss is " + lossValue + " at step " + step);
      }
      List<String> names = new ArrayList<>(model.parameters().keySet());
      TensorVector params = new TensorVector();
      for (String n : names) {
        params.push_back(model.parameters().get(n));
      }
      TensorVector grads = torch.grad(new TensorVector(loss), params);
      update(names, grads);
    }
    step++;
    return lossValue;
  }

  private void update(List<String> names, TensorVector grads) {
    try (NoGradGuard g = new NoGradGuard()) {
      double sq = 0;
      for (int i = 0; i < names.size(); i++) {
        sq += grads.get(i).square().sum().item_double();
      }
      double norm = Math.sqrt(sq);
      if (!Double.isFinite(norm)) {
        throw new DistillException("gradient norm is " + norm + " at step " + step);
      }
      double clip = norm > config.gradClipNorm() ? config.gradClipNorm() / norm : 1.0;
      double lr = config.learningRateAt(step);
      int t = step + 1;
      double bc1 = 1 - Math.pow(config.adamBeta1(), t);
      double bc2 = 1 - Math.pow(config.adamBeta2(), t);
      double decay = Math.min(config.emaDecay(), (1.0 + step) / (10.0 + step));
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        Tensor p = model.parameters().get(name);
        Tensor grad = grads.get(i).mul(Tensors.scalar(clip));
        Tensor m = adamM.get(name);
        Tensor v = adamV.get(name);
        m.mul_(Tensors.scalar(config.adamBeta1()))
            .add_(grad, Tensors.scalar(1 - config.adamBeta1()));
        v.mul_(Tensors.scalar(config.adamBeta2()))
            .addcmul_(grad, grad, Tensors.scalar(1 - config.adamBeta2()));
        if (config.weightDecay() > 0) {
          p.mul_(Tensors.scalar(1 - lr * config.weightDecay()));
        }
        Tensor denom =
            v.sqrt().div(Tensors.scalar(Math.sqrt(bc2))).add(Tensors.scalar(config.adamEpsilon()));
        p.addcdiv_(m, denom, Tensors.scalar(-lr / bc1));
        ema.parameters().get(name).lerp_(p, Tensors.scalar(1 - decay));
      }
    }
  }

  private int[] batchIndices(int k) {
    int n = labels.length;
    int perEpoch = n / config.batchSize();
    int epoch = k / perEpoch;
    int offset = (k % perEpoch) * config.batchSize();
    if (epoch != cachedEpoch) {
      int[] perm = new int[n];
      for (int i = 0; i < n; i++) {
        perm[i] = i;
      }
      Random r = new Random(mix(config.seed() ^ 0x5DEECE66DL, epoch));
      for (int i = n - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
      }
      cachedPermutation = perm;
      cachedEpoch = epoch;
    }
    int[] out = new int[config.batchSize()];
    System.arraycopy(cachedPermutation, offset, out, 0, out.length);
    return out;
  }

  private static long mix(long seed, long k) {
    long z = seed * 0x9E3779B97F4A7C15L + k;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Runs steps until {@code config.numSteps()}, writing a checkpoint every {@code checkpointEvery}
   * steps and at the end, and reporting the mean loss every {@code logEvery} steps.
   *
   * @param checkpoint where to write checkpoints (atomically), or {@code null} for none
   * @param listener receives {@code "train"} progress events with the mean loss
   * @return the mean loss of the last {@code logEvery} steps (NaN if no step was taken)
   * @throws IOException if a checkpoint cannot be written
   */
  public double train(Path checkpoint, ProgressListener listener) throws IOException {
    checkNotNull(listener, "listener");
    double window = 0;
    int count = 0;
    double last = Double.NaN;
    while (step < config.numSteps()) {
      window += trainStep();
      count++;
      if (step % config.logEvery() == 0 || step == config.numSteps()) {
        last = window / count;
        listener.onProgress(
            new Progress(
                "train",
                step,
                config.numSteps(),
                String.format("loss=%.5f lr=%.2e", last, config.learningRateAt(step - 1))));
        window = 0;
        count = 0;
      }
      if (checkpoint != null
          && (step % config.checkpointEvery() == 0 || step == config.numSteps())) {
        saveCheckpoint(checkpoint);
      }
    }
    return last;
  }

  /**
   * Writes the complete training state atomically: weights, EMA weights, Adam moments, the step,
   * and both configs (the seed is in the trainer config; per-step randomness needs nothing more).
   *
   * @param file the destination
   * @throws IOException if writing fails
   */
  public void saveCheckpoint(Path file) throws IOException {
    checkState(!closed, "trainer must be open but was closed");
    Map<String, Tensor> all = new LinkedHashMap<>();
    model.parameters().forEach((k, t) -> all.put("model/" + k, t));
    ema.parameters().forEach((k, t) -> all.put("ema/" + k, t));
    adamM.forEach((k, t) -> all.put("adam_m/" + k, t));
    adamV.forEach((k, t) -> all.put("adam_v/" + k, t));
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", CHECKPOINT_FORMAT);
    meta.put("step", Integer.toString(step));
    meta.put("seed", Long.toString(config.seed()));
    meta.put("model_config", modelConfig.toJson());
    meta.put("trainer_config", config.toJson());
    Safetensors.write(file, all, meta);
  }

  /** Frees the networks and the optimiser state (not the borrowed images). */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      model.close();
      ema.close();
      adamM.values().forEach(Tensor::close);
      adamV.values().forEach(Tensor::close);
    }
  }
}
