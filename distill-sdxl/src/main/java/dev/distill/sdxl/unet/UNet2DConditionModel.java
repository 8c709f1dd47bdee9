package dev.distill.sdxl.unet;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.config.JsonConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.internal.nn.Conv2d;
import dev.distill.sdxl.internal.nn.GroupNorm;
import dev.distill.sdxl.internal.nn.ModelWeights;
import dev.distill.sdxl.internal.nn.ScalarTypes;
import dev.distill.sdxl.internal.nn.TimestepEmbedding;
import dev.distill.sdxl.internal.nn.Timesteps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The conditional denoising UNet of SDXL (and of any diffusers {@code UNet2DConditionModel} built
 * from the blocks listed in {@link UNetConfig}), a port of diffusers v0.27's {@code
 * models/unets/unet_2d_condition.py} on LibTorch.
 *
 * <p>The structure comes only from {@code unet/config.json} ({@link UNetConfig#from}); every weight
 * is fetched with the shape the config implies, and construction fails if a weight is missing, has
 * another shape, or is left unused. Attention uses LibTorch's {@code scaled_dot_product_attention}
 * like diffusers' default {@code AttnProcessor2_0}.
 *
 * <p>{@link #forward} predicts the noise {@code ε̂}. It is differentiable with respect to its
 * inputs: it never disables autograd itself, so the caller decides (wrap the call in a {@code
 * NoGradGuard} for plain sampling; leave autograd on for guidance that backpropagates through the
 * UNet).
 *
 * <p>Owns its weights: close it when done. {@link #forward} only reads the weights, so calls from
 * several threads are safe (each thread with its own scopes).
 *
 * @since 0.1.0
 */
public final class UNet2DConditionModel implements AutoCloseable {
  private final UNetConfig config;
  private final ModelWeights weights;
  private final ScalarType dtype;
  private final String deviceName;
  private final Conv2d convIn;
  private final TimestepEmbedding timeEmbedding;
  private final TimestepEmbedding addEmbedding;
  private final List<UNetBlocks.Down> downBlocks;
  private final UNetBlocks.Mid midBlock;
  private final List<UNetBlocks.Up> upBlocks;
  private final GroupNorm convNormOut;
  private final Conv2d convOut;
  private final Set<Integer> crossAttentionDims;

  private UNet2DConditionModel(UNetConfig config, ModelWeights weights) {
    this.config = config;
    this.weights = weights;
    int n = config.numBlocks();
    List<Integer> channels = config.blockOutChannels();
    long c0 = channels.get(0);
    Tensor convInWeight =
        weights.get(
            "conv_in.weight",
            c0,
            config.inChannels(),
            config.convInKernel(),
            config.convInKernel());
    this.dtype = ScalarTypes.canonical(convInWeight.scalar_type());
    try (TensorScope scope = TensorScope.open()) {
      this.deviceName = convInWeight.device().str().getString();
    }
    this.convIn =
        Conv2d.load(
            weights,
            "conv_in",
            config.inChannels(),
            c0,
            config.convInKernel(),
            1,
            (config.convInKernel() - 1) / 2);
    this.timeEmbedding =
        TimestepEmbedding.load(weights, "time_embedding", c0, config.timeEmbedDim());
    this.addEmbedding =
        config.additionEmbedType() == UNetConfig.AdditionEmbedType.TEXT_TIME
            ? TimestepEmbedding.load(
                weights,
                "add_embedding",
                config.projectionClassEmbeddingsInputDim(),
                config.timeEmbedDim())
            : null;

    List<UNetBlocks.Down> down = new ArrayList<>();
    long out = c0;
    for (int i = 0; i < n; i++) {
      long in = out;
      out = channels.get(i);
      down.add(UNetBlocks.Down.load(weights, config, i, in, out, i < n - 1));
    }
    this.downBlocks = List.copyOf(down);
    this.midBlock = UNetBlocks.Mid.load(weights, config);

    List<UNetBlocks.Up> up = new ArrayList<>();
    out = channels.get(n - 1);
    for (int i = 0; i < n; i++) {
      long prev = out;
      out = channels.get(n - 1 - i);
      long in = channels.get(n - 1 - Math.min(i + 1, n - 1));
      up.add(UNetBlocks.Up.load(weights, config, i, in, prev, out, i < n - 1));
    }
    this.upBlocks = List.copyOf(up);

    this.convNormOut =
        GroupNorm.load(weights, "conv_norm_out", config.normNumGroups(), c0, config.normEps());
    this.convOut =
        Conv2d.load(
            weights,
            "conv_out",
            c0,
            config.outChannels(),
            config.convOutKernel(),
            1,
            (config.convOutKernel() - 1) / 2);

    Set<Integer> cross = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      if (config.downBlockTypes().get(i).hasCrossAttention()) {
        cross.add(config.crossAttentionDims().get(i));
      }
      if (config.upBlockTypes().get(i).hasCrossAttention()) {
        cross.add(config.crossAttentionDims().get(n - 1 - i));
      }
    }
    cross.add(config.crossAttentionDims().get(n - 1));
    this.crossAttentionDims = Set.copyOf(cross);
    weights.checkAllUsed();
  }

  /**
   * Loads a UNet from a diffusers component folder ({@code config.json} and safetensors weights).
   *
   * @param dir the folder, e.g. {@code <pipeline>/unet}
   * @param dtype the dtype to run in ({@code Float} on CPU by default; {@code BFloat16} or {@code
   *     Half} on CUDA)
   * @param device the device to run on
   * @return the model; the caller closes it
   * @throws IOException if the config or weights cannot be read, or only pickle checkpoints exist
   * @throws IllegalArgumentException if the config is unsupported or disagrees with the weights
   */
  public static UNet2DConditionModel load(Path dir, ScalarType dtype, Device device)
      throws IOException {
    checkNotNull(dir, "dir");
    checkNotNull(dtype, "dtype");
    checkNotNull(device, "device");
    UNetConfig config = UNetConfig.from(JsonConfig.read(dir.resolve("config.json")));
    ModelWeights weights = ModelWeights.load(dir, dtype, device);
    return of(config, weights);
  }

  /**
   * Builds a UNet from a config and weights (e.g. {@link ModelWeights#generating} for a randomly
   * initialised model). The model takes ownership of {@code weights}, also when this method fails
   * (they are then closed).
   *
   * @param config the architecture
   * @param weights the weights, all in one floating-point dtype on one device
   * @return the model; the caller closes it
   * @throws IllegalArgumentException if a weight is missing, has another shape than the config
   *     implies, or is not used by the config
   */
  public static UNet2DConditionModel of(UNetConfig config, ModelWeights weights) {
    checkNotNull(config, "config");
    checkNotNull(weights, "weights");
    try {
      return new UNet2DConditionModel(config, weights);
    } catch (RuntimeException e) {
      weights.close();
      throw e;
    }
  }

  /**
   * Predicts the noise for a model without added conditioning ({@code addition_embed_type: null}).
   *
   * @param sample see {@link #forward(Tensor, Tensor, Tensor, Tensor, Tensor)}
   * @param timestep see there
   * @param encoderHiddenStates see there
   * @return see there
   * @throws IllegalArgumentException if the model needs {@code text_time} conditioning, or an input
   *     is malformed
   */
  public Tensor forward(Tensor sample, Tensor timestep, Tensor encoderHiddenStates) {
    return forward(sample, timestep, encoderHiddenStates, null, null);
  }

  /**
   * Predicts the noise {@code ε̂} (diffusers' {@code unet(sample, t, encoder_hidden_states,
   * added_cond_kwargs={"text_embeds", "time_ids"}).sample}).
   *
   * <p>Any latent height and width work: when they are not multiples of {@code 2^(blocks-1)} the
   * upsamplers are told the size of the matching skip connection, as diffusers does.
   *
   * @param sample {@code [B, in_channels, H, W]} latents in the model's dtype, on its device
   * @param timestep a 0-dim tensor or {@code [B]} (or {@code [1]}), any real dtype (used as
   *     float32), on any device
   * @param encoderHiddenStates {@code [B, L, cross_attention_dim]} in the model's dtype and device
   * @param textEmbeds {@code [B, D]} pooled text embeddings (text_time models; null otherwise),
   *     floating point, on the model's device
   * @param timeIds {@code [B, K]} time ids (text_time models, {@code D + K·addition_time_embed_dim
   *     = projection_class_embeddings_input_dim}; null otherwise), on the model's device
   * @return {@code [B, out_channels, H, W]} in the model's dtype, a new tensor in the caller's
   *     current scope (owned by the caller if none is open)
   * @throws IllegalArgumentException if an input has the wrong rank, shape, dtype or device
   */
  public Tensor forward(
      Tensor sample,
      Tensor timestep,
      Tensor encoderHiddenStates,
      Tensor textEmbeds,
      Tensor timeIds) {
    try (TensorScope scope = TensorScope.open()) {
      long batch = checkInputs(sample, timestep, encoderHiddenStates, textEmbeds, timeIds);
      Tensor added = addEmbedding == null ? null : added(textEmbeds, timeIds, batch);
      return scope.keep(run(sample, timestep, encoderHiddenStates, added, batch));
    }
  }

  /**
   * The {@code text_time} part of the time embedding, {@code add_embedding(cat(text_embeds,
   * sinusoid(time_ids)))}: it depends only on the text and the size conditioning, so a sampling run
   * computes it once and passes it to every step's {@link #forwardPrepared}.
   *
   * @param textEmbeds {@code [B, D]} pooled text embeddings, as for {@link #forward(Tensor, Tensor,
   *     Tensor, Tensor, Tensor)}
   * @param timeIds {@code [B, K]} time ids, as there
   * @return {@code [B, time_embed_dim]} in the model's dtype, in the caller's scope
   * @throws IllegalArgumentException if the model has no {@code text_time} conditioning or an input
   *     is malformed
   */
  public Tensor addedEmbedding(Tensor textEmbeds, Tensor timeIds) {
    checkArgument(
        addEmbedding != null,
        "addedEmbedding needs a UNet with addition_embed_type text_time but this one has none");
    checkNotNull(textEmbeds, "textEmbeds");
    checkNotNull(timeIds, "timeIds");
    try (TensorScope scope = TensorScope.open()) {
      checkAdded(textEmbeds, timeIds, textEmbeds.size(0));
      return scope.keep(added(textEmbeds, timeIds, textEmbeds.size(0)));
    }
  }

  /**
   * {@link #forward(Tensor, Tensor, Tensor, Tensor, Tensor)} with the added embedding precomputed
   * by {@link #addedEmbedding} (numerically the same).
   *
   * @param sample see {@link #forward(Tensor, Tensor, Tensor, Tensor, Tensor)}
   * @param timestep see there
   * @param encoderHiddenStates see there
   * @param addedEmbedding {@code [B, time_embed_dim]} from {@link #addedEmbedding} for a {@code
   *     text_time} model, null otherwise
   * @return see there
   * @throws IllegalArgumentException if an input is malformed
   */
  public Tensor forwardPrepared(
      Tensor sample, Tensor timestep, Tensor encoderHiddenStates, Tensor addedEmbedding) {
    try (TensorScope scope = TensorScope.open()) {
      long batch = checkCommon(sample, timestep, encoderHiddenStates);
      if (addEmbedding == null) {
        checkArgument(
            addedEmbedding == null,
            "addedEmbedding must be null for a UNet without addition_embed_type but was given");
      } else {
        checkArgument(
            addedEmbedding != null,
            "addedEmbedding must be given to a UNet with addition_embed_type text_time");
        Tensors.checkShape(addedEmbedding, "addedEmbedding", batch, config.timeEmbedDim());
        checkModelTensor(addedEmbedding, "addedEmbedding");
      }
      return scope.keep(run(sample, timestep, encoderHiddenStates, addedEmbedding, batch));
    }
  }

  private Tensor added(Tensor textEmbeds, Tensor timeIds, long batch) {
    Tensor timeEmb =
        Timesteps.embed(
                timeIds.flatten(),
                config.additionTimeEmbedDim(),
                config.flipSinToCos(),
                config.freqShift())
            .reshape(batch, -1);
    Tensor add = torch.cat(new TensorVector(textEmbeds, timeEmb), -1).to(dtype);
    return addEmbedding.forward(add);
  }

  private Tensor run(
      Tensor sample, Tensor timestep, Tensor encoderHiddenStates, Tensor added, long batch) {
    Tensor x = sample;
    if (config.centerInputSample()) {
      x = x.mul(new Scalar(2.0)).sub(new Scalar(1.0));
    }

    Tensor t = timestep.dim() == 0 ? timestep.unsqueeze(0) : timestep;
    t = t.to(new Device(deviceName), t.scalar_type()).expand(batch);
    Tensor tEmb =
        Timesteps.embed(
                t, config.blockOutChannels().get(0), config.flipSinToCos(), config.freqShift())
            .to(dtype);
    Tensor emb = timeEmbedding.forward(tEmb);
    if (added != null) {
      emb = emb.add(added);
    }

    Tensor h = convIn.forward(x);
    List<Tensor> skips = new ArrayList<>();
    skips.add(h);
    for (UNetBlocks.Down block : downBlocks) {
      h = block.forward(h, emb, encoderHiddenStates, skips);
    }
    h = midBlock.forward(h, emb, encoderHiddenStates);

    long factor = 1L << (config.numBlocks() - 1);
    boolean forwardUpsampleSize = sample.size(2) % factor != 0 || sample.size(3) % factor != 0;
    Deque<Tensor> remaining = new ArrayDeque<>(skips);
    for (int i = 0; i < upBlocks.size(); i++) {
      UNetBlocks.Up block = upBlocks.get(i);
      Deque<Tensor> own = new ArrayDeque<>();
      for (int j = 0; j < block.numResnets(); j++) {
        own.addFirst(remaining.removeLast());
      }
      long[] upsampleSize = null;
      if (i < upBlocks.size() - 1 && forwardUpsampleSize) {
        Tensor next = remaining.peekLast();
        upsampleSize = new long[] {next.size(2), next.size(3)};
      }
      h = block.forward(h, emb, encoderHiddenStates, own, upsampleSize);
    }
    return convOut.forward(torch.silu(convNormOut.forward(h)));
  }

  private long checkCommon(Tensor sample, Tensor timestep, Tensor encoderHiddenStates) {
    checkNotNull(sample, "sample");
    checkNotNull(timestep, "timestep");
    checkNotNull(encoderHiddenStates, "encoderHiddenStates");
    Tensors.checkShape(sample, "sample", -1, config.inChannels(), -1, -1);
    long batch = sample.size(0);
    checkArgument(
        batch > 0 && sample.size(2) > 0 && sample.size(3) > 0,
        "sample must have a non-empty batch, height and width but had shape %s",
        Arrays.toString(Tensors.shape(sample)));
    checkModelTensor(sample, "sample");
    checkArgument(
        timestep.dim() == 0
            || (timestep.dim() == 1 && (timestep.size(0) == 1 || timestep.size(0) == batch)),
        "timestep must be 0-dim, [1] or [%s] (the batch) but had shape %s",
        batch,
        Arrays.toString(Tensors.shape(timestep)));
    checkArgument(
        timestep.scalar_type().value != ScalarType.Bool.value,
        "timestep must be a real number but was bool");
    Tensors.checkShape(encoderHiddenStates, "encoderHiddenStates", batch, -1, -1);
    checkArgument(
        crossAttentionDims.contains((int) encoderHiddenStates.size(2))
            && crossAttentionDims.size() == 1,
        "encoderHiddenStates must have width cross_attention_dim %s but had shape %s",
        crossAttentionDims,
        Arrays.toString(Tensors.shape(encoderHiddenStates)));
    checkModelTensor(encoderHiddenStates, "encoderHiddenStates");
    return batch;
  }

  private long checkInputs(
      Tensor sample,
      Tensor timestep,
      Tensor encoderHiddenStates,
      Tensor textEmbeds,
      Tensor timeIds) {
    long batch = checkCommon(sample, timestep, encoderHiddenStates);
    if (addEmbedding == null) {
      checkArgument(
          textEmbeds == null && timeIds == null,
          "textEmbeds and timeIds must be null for a UNet without addition_embed_type but were"
              + " given");
      return batch;
    }
    checkArgument(
        textEmbeds != null && timeIds != null,
        "textEmbeds and timeIds must be given to a UNet with addition_embed_type text_time");
    checkAdded(textEmbeds, timeIds, batch);
    return batch;
  }

  private void checkAdded(Tensor textEmbeds, Tensor timeIds, long batch) {
    Tensors.checkShape(textEmbeds, "textEmbeds", batch, -1);
    Tensors.checkShape(timeIds, "timeIds", batch, -1);
    long width = textEmbeds.size(1) + timeIds.size(1) * config.additionTimeEmbedDim();
    checkArgument(
        width == config.projectionClassEmbeddingsInputDim(),
        "textEmbeds width + timeIds count x addition_time_embed_dim (%s + %s x %s = %s) must equal"
            + " projection_class_embeddings_input_dim %s",
        textEmbeds.size(1),
        timeIds.size(1),
        config.additionTimeEmbedDim(),
        width,
        config.projectionClassEmbeddingsInputDim());
    checkArgument(
        textEmbeds.is_floating_point(),
        "textEmbeds must be floating point but was %s",
        textEmbeds.scalar_type());
    checkSameDevice(textEmbeds, "textEmbeds");
    checkSameDevice(timeIds, "timeIds");
  }

  private void checkModelTensor(Tensor t, String name) {
    checkArgument(
        t.scalar_type().value == dtype.value,
        "%s must have the model dtype %s but was %s",
        name,
        dtype,
        t.scalar_type());
    checkSameDevice(t, name);
  }

  private void checkSameDevice(Tensor t, String name) {
    try (TensorScope scope = TensorScope.open()) {
      String actual = t.device().str().getString();
      checkArgument(
          actual.equals(deviceName),
          "%s must be on the model device %s but was on %s",
          name,
          deviceName,
          actual);
    }
  }

  /** The architecture. */
  public UNetConfig config() {
    return config;
  }

  /** The dtype the weights are held and computed in. */
  public ScalarType dtype() {
    return dtype;
  }

  /** The device name the model runs on (e.g. {@code "cpu"}, {@code "cuda:0"}). */
  public String deviceName() {
    return deviceName;
  }

  /** The weights (owned by this model). */
  public ModelWeights weights() {
    return weights;
  }

  @Override
  public void close() {
    weights.close();
  }
}
