package dev.distill.sdxl.text;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.bytedeco.pytorch.global.torch.embedding;
import static org.bytedeco.pytorch.global.torch.full;
import static org.bytedeco.pytorch.global.torch.layer_norm;
import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.softmax;

import dev.distill.core.config.JsonConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.internal.nn.ModelWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A CLIP text encoder ({@code CLIPTextModel}, or {@code CLIPTextModelWithProjection} when the
 * checkpoint has {@code text_projection}), computed like transformers' eager implementation.
 *
 * <p>Forward pass: {@code token_embedding(ids) + position_embedding(0..L-1)}; then {@code
 * num_hidden_layers} pre-LN encoder layers ({@code x + attn(layer_norm1(x))}, {@code x +
 * fc2(act(fc1(layer_norm2(x))))}) with a causal additive mask (the dtype's lowest value above the
 * diagonal, no padding mask, as the SDXL pipeline calls it); then {@code final_layer_norm}. The
 * pooled output is the row at the end-of-text position: {@code argmax(input_ids)} when the config
 * has the legacy {@code eos_token_id == 2} (the real SDXL checkpoints), else the first position
 * whose id equals {@code eos_token_id}. {@code text_embeds = text_projection(pooled)} (no bias).
 *
 * <p>Weights are loaded once from {@code model.safetensors} in the requested dtype (fp32 default;
 * bf16/fp16 for CUDA) and device; the whole forward pass runs in that dtype under a {@link
 * NoGradGuard}. Owns its weights: close it when done. {@link #forward} may be called concurrently
 * from several threads (the weights are read-only; each call uses its caller's scope).
 *
 * @since 0.1.0
 */
public final class ClipTextModel implements AutoCloseable {
  private static final String PREFIX = "text_model.";
  private static final Set<String> IGNORED_WEIGHTS =
      Set.of(PREFIX + "embeddings.position_ids", "text_projection.weight");

  private final ClipTextConfig config;
  private final ModelWeights weights;
  private final ScalarType dtype;
  private final Tensor tokenEmbedding;
  private final Tensor positionEmbedding;
  private final List<Layer> layers;
  private final Tensor finalNormWeight;
  private final Tensor finalNormBias;
  private final Tensor textProjection;

  /** One encoder layer's weights (owned by {@link #weights}). */
  private record Layer(
      Tensor norm1Weight,
      Tensor norm1Bias,
      Tensor qWeight,
      Tensor qBias,
      Tensor kWeight,
      Tensor kBias,
      Tensor vWeight,
      Tensor vBias,
      Tensor outWeight,
      Tensor outBias,
      Tensor norm2Weight,
      Tensor norm2Bias,
      Tensor fc1Weight,
      Tensor fc1Bias,
      Tensor fc2Weight,
      Tensor fc2Bias) {}

  private ClipTextModel(ClipTextConfig config, ModelWeights weights, ScalarType dtype) {
    this.config = config;
    this.weights = weights;
    this.dtype = dtype;
    long h = config.hiddenSize();
    long inner = config.intermediateSize();
    tokenEmbedding =
        weights.get(PREFIX + "embeddings.token_embedding.weight", config.vocabSize(), h);
    positionEmbedding =
        weights.get(
            PREFIX + "embeddings.position_embedding.weight", config.maxPositionEmbeddings(), h);
    List<Layer> list = new ArrayList<>();
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      String p = PREFIX + "encoder.layers." + i + ".";
      list.add(
          new Layer(
              weights.get(p + "layer_norm1.weight", h),
              weights.get(p + "layer_norm1.bias", h),
              weights.get(p + "self_attn.q_proj.weight", h, h),
              weights.get(p + "self_attn.q_proj.bias", h),
              weights.get(p + "self_attn.k_proj.weight", h, h),
              weights.get(p + "self_attn.k_proj.bias", h),
              weights.get(p + "self_attn.v_proj.weight", h, h),
              weights.get(p + "self_attn.v_proj.bias", h),
              weights.get(p + "self_attn.out_proj.weight", h, h),
              weights.get(p + "self_attn.out_proj.bias", h),
              weights.get(p + "layer_norm2.weight", h),
              weights.get(p + "layer_norm2.bias", h),
              weights.get(p + "mlp.fc1.weight", inner, h),
              weights.get(p + "mlp.fc1.bias", inner),
              weights.get(p + "mlp.fc2.weight", h, inner),
              weights.get(p + "mlp.fc2.bias", h)));
    }
    layers = List.copyOf(list);
    finalNormWeight = weights.get(PREFIX + "final_layer_norm.weight", h);
    finalNormBias = weights.get(PREFIX + "final_layer_norm.bias", h);
    textProjection =
        config.withProjection()
            ? weights.get("text_projection.weight", config.projectionDim(), h)
            : null;
    Set<String> unused = new TreeSet<>(weights.unused());
    unused.removeAll(IGNORED_WEIGHTS);
    checkArgument(
        unused.isEmpty(),
        "weights of %s must all be used by the config (%s layers) but these are not: %s",
        weights.source(),
        config.numHiddenLayers(),
        unused);
  }

  /**
   * Loads a text encoder folder in float32 on the CPU.
   *
   * @param componentDir the folder ({@code text_encoder/} or {@code text_encoder_2/})
   * @return the model
   * @throws IOException if {@code config.json} or the weights are missing or unreadable
   * @throws IllegalArgumentException if a config key is missing or invalid, or a weight is missing
   *     or has another shape than the config implies (the message names it and both shapes)
   */
  public static ClipTextModel load(Path componentDir) throws IOException {
    try (TensorScope s = TensorScope.open()) {
      return load(componentDir, ScalarType.Float, new Device("cpu"));
    }
  }

  /**
   * Loads a text encoder folder ({@code config.json} + {@code model.safetensors}).
   *
   * @param componentDir the folder ({@code text_encoder/} or {@code text_encoder_2/})
   * @param dtype a floating-point dtype for weights and activations (Float, Double, BFloat16, Half)
   * @param device the device to run on
   * @return the model, owning its weights
   * @throws IOException if {@code config.json} or the weights are missing or unreadable
   * @throws IllegalArgumentException if a config key is missing or invalid, or a weight is missing
   *     or has another shape than the config implies (the message names it and both shapes)
   */
  public static ClipTextModel load(Path componentDir, ScalarType dtype, Device device)
      throws IOException {
    checkNotNull(componentDir, "componentDir");
    checkNotNull(dtype, "dtype");
    checkNotNull(device, "device");
    checkArgument(
        isFloating(dtype), "dtype must be Float, Double, BFloat16 or Half but was %s", dtype);
    JsonConfig json = JsonConfig.read(componentDir.resolve("config.json"));
    ModelWeights weights = ModelWeights.load(componentDir, dtype, device);
    try {
      ClipTextConfig config = ClipTextConfig.from(json, weights.has("text_projection.weight"));
      return new ClipTextModel(config, weights, dtype);
    } catch (RuntimeException e) {
      weights.close();
      throw e;
    }
  }

  /**
   * Builds a model from weights already in memory (tests, converted checkpoints).
   *
   * @param config the architecture
   * @param weights the weights, owned by the model once it is built (on failure they stay with the
   *     caller)
   * @return the model
   * @throws IllegalArgumentException if a weight is missing, of another shape, or unused
   */
  public static ClipTextModel of(ClipTextConfig config, ModelWeights weights) {
    checkNotNull(config, "config");
    checkNotNull(weights, "weights");
    Tensor tok = weights.get(PREFIX + "embeddings.token_embedding.weight", -1, -1);
    return new ClipTextModel(config, weights, tok.scalar_type());
  }

  private static boolean isFloating(ScalarType t) {
    return t.value == ScalarType.Float.value
        || t.value == ScalarType.Double.value
        || t.value == ScalarType.BFloat16.value
        || t.value == ScalarType.Half.value;
  }

  /** The architecture. */
  public ClipTextConfig config() {
    return config;
  }

  /** The dtype of weights and activations. */
  public ScalarType dtype() {
    return dtype;
  }

  /**
   * Runs the encoder with all hidden states.
   *
   * @param inputIds token ids {@code [B, L]} (int64 or int32, any device), {@code 1 <= L <=
   *     max_position_embeddings}, every id in {@code [0, vocab_size)}
   * @return the outputs, owned by the caller's current scope (see {@link ClipTextOutput})
   * @throws IllegalArgumentException if the ids have another shape, dtype or range
   */
  public ClipTextOutput forward(Tensor inputIds) {
    checkNotNull(inputIds, "inputIds");
    checkArgument(
        inputIds.dim() == 2,
        "inputIds must have shape [B, L] but had %s",
        java.util.Arrays.toString(Tensors.shape(inputIds)));
    ScalarType idType = inputIds.scalar_type();
    checkArgument(
        idType.value == ScalarType.Long.value || idType.value == ScalarType.Int.value,
        "inputIds must have dtype Long or Int but had %s",
        idType);
    int batch = Math.toIntExact(inputIds.size(0));
    int length = Math.toIntExact(inputIds.size(1));
    checkArgument(batch >= 1, "inputIds batch must be >= 1 but was %s", batch);
    checkArgument(
        length >= 1 && length <= config.maxPositionEmbeddings(),
        "inputIds length must be in [1, %s] (max_position_embeddings) but was %s",
        config.maxPositionEmbeddings(),
        length);
    long[] ids = Tensors.toLongs(inputIds);
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
        throw new IllegalArgumentException(
            String.format(
                "inputIds must be in [0, %d) (vocab_size) but had %d at [%d, %d]",
                config.vocabSize(), ids[i], i / length, i % length));
      }
    }
    long[] pooledRows = pooledRows(ids, batch, length);
    long h = config.hiddenSize();
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard()) {
      Device device = tokenEmbedding.device();
      Tensor x =
          embedding(tokenEmbedding, inputIds.to(device, ScalarType.Long))
              .add(positionEmbedding.narrow(0, 0, length));
      Tensor mask = causalMask(length, device);
      List<Tensor> hidden = new ArrayList<>();
      hidden.add(x);
      for (Layer layer : layers) {
        x = encoderLayer(layer, x, mask);
        hidden.add(x);
      }
      Tensor last = layerNorm(x, finalNormWeight, finalNormBias);
      Tensor rows = Tensors.fromLongs(pooledRows, batch).to(device, ScalarType.Long);
      Tensor pooled = last.reshape(batch * (long) length, h).index_select(0, rows);
      Tensor embeds = textProjection == null ? null : linear(pooled, textProjection);
      List<Tensor> kept = new ArrayList<>();
      for (Tensor t : hidden) {
        kept.add(scope.keep(t));
      }
      return new ClipTextOutput(
          kept, scope.keep(last), scope.keep(pooled), embeds == null ? null : scope.keep(embeds));
    }
  }

  /**
   * The end-of-text row of each sequence in the flattened {@code [B*L]} layout (transformers' two
   * pooling rules).
   */
  private long[] pooledRows(long[] ids, int batch, int length) {
    long[] rows = new long[batch];
    for (int b = 0; b < batch; b++) {
      int pos = 0;
      if (config.legacyEosPooling()) {
        for (int i = 1; i < length; i++) {
          if (ids[b * length + i] > ids[b * length + pos]) {
            pos = i;
          }
        }
      } else {
        for (int i = 0; i < length; i++) {
          if (ids[b * length + i] == config.eosTokenId()) {
            pos = i;
            break;
          }
        }
      }
      rows[b] = (long) b * length + pos;
    }
    return rows;
  }

  /** {@code [L, L]}: 0 on and below the diagonal, the dtype's lowest finite value above it. */
  private Tensor causalMask(int length, Device device) {
    Tensor m =
        full(new long[] {length, length}, new Scalar(lowest(dtype)), new TensorOptions(dtype));
    return m.triu_(1).to(device, dtype);
  }

  /** {@code torch.finfo(dtype).min}. */
  static double lowest(ScalarType t) {
    if (t.value == ScalarType.Double.value) {
      return -Double.MAX_VALUE;
    } else if (t.value == ScalarType.Half.value) {
      return -65504.0;
    } else if (t.value == ScalarType.BFloat16.value) {
      return -3.3895313892515355e38;
    }
    return -Float.MAX_VALUE;
  }

  private Tensor encoderLayer(Layer l, Tensor x, Tensor mask) {
    Tensor attn = attention(l, layerNorm(x, l.norm1Weight(), l.norm1Bias()), mask);
    x = x.add(attn);
    Tensor hid =
        linear(layerNorm(x, l.norm2Weight(), l.norm2Bias()), l.fc1Weight(), opt(l.fc1Bias()));
    Tensor mlp = linear(config.hiddenAct().apply(hid), l.fc2Weight(), opt(l.fc2Bias()));
    return x.add(mlp);
  }

  private Tensor attention(Layer l, Tensor x, Tensor mask) {
    long b = x.size(0);
    long len = x.size(1);
    long heads = config.numAttentionHeads();
    long dim = config.headDim();
    double scale = Math.pow(dim, -0.5);
    Tensor q =
        linear(x, l.qWeight(), opt(l.qBias()))
            .mul(new Scalar(scale))
            .view(b, len, heads, dim)
            .transpose(1, 2);
    Tensor k = linear(x, l.kWeight(), opt(l.kBias())).view(b, len, heads, dim).transpose(1, 2);
    Tensor v = linear(x, l.vWeight(), opt(l.vBias())).view(b, len, heads, dim).transpose(1, 2);
    Tensor weightsOfAttention = softmax(matmul(q, k.transpose(-2, -1)).add(mask), -1);
    Tensor o = matmul(weightsOfAttention, v).transpose(1, 2).reshape(b, len, heads * dim);
    return linear(o, l.outWeight(), opt(l.outBias()));
  }

  private Tensor layerNorm(Tensor x, Tensor weight, Tensor bias) {
    return layer_norm(
        x, new long[] {config.hiddenSize()}, opt(weight), opt(bias), config.layerNormEps(), false);
  }

  private static TensorOptional opt(Tensor t) {
    return new TensorOptional(t);
  }

  /** Where the weights came from. */
  public String source() {
    return weights.source();
  }

  @Override
  public void close() {
    weights.close();
  }
}
